"""Writes of the email channel: storing inbound mail, processing it, quarantine and retry,
bounce and delivery-failure events on tickets, and the per-mailbox polling lease.

The raw message is committed before it is processed; processing runs in one transaction that
both changes the ticket (through ``okno.tickets.actions``) and marks the message processed, so
a crash at any point leaves the message either untouched-and-stored or completely done.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from okno.tickets import events
from okno.tickets.models import Ticket, TicketEvent

from .intake import IntakeError, deliver
from .models import InboundMessage, Mailbox, OutboundEmail
from .parse import InboundMessage as ParsedMessage
from .parse import parse_message

logger = logging.getLogger(__name__)

MAIL_BOUNCED = "mail_bounced"
MAIL_FAILED = "mail_failed"


def dedupe_key(message_id: str | None, sha256: str) -> str:
    """Message-ID identifies a message across mailboxes and fetches; the content hash when
    there is none. Hashed so any length fits."""
    if message_id:
        return "m" + hashlib.sha256(message_id.strip().lower().encode()).hexdigest()
    return "r" + sha256


def store_inbound(
    raw: bytes,
    *,
    mailbox: Mailbox | None = None,
    source: str = "import",
    uid: str = "",
    parsed: ParsedMessage | None = None,
) -> tuple[InboundMessage, bool, ParsedMessage]:
    """Keep the raw bytes (committed) before anything else. Returns (row, created, parsed);
    a message seen before returns the existing row and changes nothing."""
    raw = bytes(raw)
    msg = parsed or parse_message(raw)
    sha = hashlib.sha256(raw).hexdigest()
    key = dedupe_key(msg.message_id, sha)
    existing = InboundMessage.objects.filter(dedupe_key=key).first()
    if existing is not None:
        return existing, False, msg
    try:
        with transaction.atomic():
            row = _new_row(raw, msg, sha, key, mailbox=mailbox, source=source, uid=uid)
            row.save(force_insert=True)
    except IntegrityError:  # the same message stored concurrently (two mailboxes, two workers)
        return InboundMessage.objects.get(dedupe_key=key), False, msg
    return row, True, msg


def _new_row(
    raw: bytes,
    msg: ParsedMessage,
    sha: str,
    key: str,
    *,
    mailbox: Mailbox | None,
    source: str,
    uid: str,
) -> InboundMessage:
    return InboundMessage(
        mailbox=mailbox,
        source=source,
        uid=uid[:100],
        dedupe_key=key,
        message_id=(msg.message_id or "")[:500],
        sha256=sha,
        raw=raw,
        size=len(raw),
        from_address=msg.from_address[:320],
        subject=msg.subject[:500],
    )


def process_inbound(row_id: int, *, parsed: ParsedMessage | None = None) -> InboundMessage:
    """Turn a stored message into a ticket change. Never raises for a bad message: it is
    quarantined with the error and the caller moves on."""
    try:
        with transaction.atomic():
            row = (
                InboundMessage.objects.select_for_update(of=("self",))
                .select_related("mailbox")
                .get(pk=row_id)
            )
            if row.state != InboundMessage.State.RECEIVED:
                return row  # already done (another worker, or an earlier run)
            return _deliver_locked(row, parsed)
    except Exception as exc:  # anything: the message must not block the next one
        _log_failure(exc, row_id)
        return quarantine(row_id, error=_describe(exc))


DELIVERED_FIELDS = ["state", "reason", "ticket", "article", "error", "attempts", "processed_at"]


def _deliver_locked(
    row: InboundMessage, parsed: ParsedMessage | None, *, save: bool = True
) -> InboundMessage:
    """The ticket change of a locked, received message, and the message marked done, in the
    caller's transaction (``save=False``: the caller saves the marks, several at once)."""
    msg = parsed or parse_message(bytes(row.raw))
    outcome = deliver(msg, row.mailbox, message_id=row.message_id)
    row.state = outcome.state
    row.reason = outcome.reason
    row.ticket = outcome.ticket
    row.article = outcome.article
    row.error = ""
    row.attempts += 1
    row.processed_at = timezone.now()
    if save:
        row.save(update_fields=DELIVERED_FIELDS)
    return row


def _log_failure(exc: Exception, row_id: int) -> None:
    if not isinstance(exc, IntakeError):
        logger.exception("Inbound message %s quarantined", row_id)


def _describe(exc: Exception) -> str:
    if isinstance(exc, IntakeError):
        return str(exc)
    messages = getattr(exc, "message_dict", None) or getattr(exc, "messages", None)
    detail = messages if messages else str(exc)
    return f"{type(exc).__name__}: {detail}"[:4000]


@transaction.atomic
def quarantine(row_id: int, *, error: str) -> InboundMessage:
    return _quarantine_row(InboundMessage.objects.select_for_update().get(pk=row_id), error=error)


def _quarantine_row(row: InboundMessage, *, error: str) -> InboundMessage:
    """Flag a locked message that failed (kept raw for a retry from the admin)."""
    if row.state == InboundMessage.State.RECEIVED:
        row.state = InboundMessage.State.QUARANTINED
        row.error = error
        row.attempts += 1
        row.processed_at = timezone.now()
        row.save(update_fields=["state", "error", "attempts", "processed_at"])
    return row


def retry_inbound(row_id: int) -> InboundMessage:
    """Put a quarantined message back through intake (after fixing its cause)."""
    with transaction.atomic():
        updated = InboundMessage.objects.filter(
            pk=row_id, state=InboundMessage.State.QUARANTINED
        ).update(state=InboundMessage.State.RECEIVED)
    if not updated:
        return InboundMessage.objects.get(pk=row_id)
    return process_inbound(row_id)


def ingest(
    raw: bytes, *, mailbox: Mailbox | None = None, source: str = "import", uid: str = ""
) -> InboundMessage:
    """Store, then process: the whole intake of one message."""
    row, _created, msg = store_inbound(raw, mailbox=mailbox, source=source, uid=uid)
    if row.state == InboundMessage.State.RECEIVED:
        row = process_inbound(row.pk, parsed=msg)
    return row


def store_many(
    raws: list[tuple[str, bytes]], *, mailbox: Mailbox | None = None, source: str = "import"
) -> list[tuple[str, InboundMessage, ParsedMessage]]:
    """``store_inbound`` for a chunk: one lookup of the chunk's keys and one insert of the new
    ones, committed together. A message already stored (also twice in one chunk) maps to its
    existing row."""
    parsed = []
    for uid, raw in raws:
        raw = bytes(raw)
        msg = parse_message(raw)
        sha = hashlib.sha256(raw).hexdigest()
        parsed.append((uid, raw, msg, sha, dedupe_key(msg.message_id, sha)))
    try:
        with transaction.atomic():
            known = {
                row.dedupe_key: row
                for row in InboundMessage.objects.filter(dedupe_key__in=[p[4] for p in parsed])
            }
            new: list[InboundMessage] = []
            for uid, raw, msg, sha, key in parsed:
                if key not in known:
                    known[key] = _new_row(
                        raw, msg, sha, key, mailbox=mailbox, source=source, uid=uid
                    )
                    new.append(known[key])
            InboundMessage.objects.bulk_create(new)
    except IntegrityError:  # some stored concurrently (two workers): one by one, as ingest does
        return [
            (uid, *_stored(store_inbound(raw, mailbox=mailbox, source=source, uid=uid, parsed=msg)))
            for uid, raw, msg, _sha, _key in parsed
        ]
    return [(uid, known[key], msg) for uid, _raw, msg, _sha, key in parsed]


def _stored(
    result: tuple[InboundMessage, bool, ParsedMessage],
) -> tuple[InboundMessage, ParsedMessage]:
    return result[0], result[2]


def ingest_many(
    raws: list[tuple[str, bytes]], *, mailbox: Mailbox | None = None, source: str = "import"
) -> list[tuple[str, InboundMessage]]:
    """Intake of a chunk of (uid, raw) messages: stored in one commit, processed in one more.

    Same guarantees as ``ingest``: every message is kept before it is processed, and a crash
    anywhere before the second commit leaves all of the chunk's messages received (stored,
    unprocessed), so the next run processes each of them exactly once. A message that fails
    rolls the chunk's processing back, and the chunk is then processed one message per
    transaction, so the failing one is quarantined alone and the others go on. Two commits
    per chunk instead of two per message.
    """
    stored = store_many(raws, mailbox=mailbox, source=source)
    pending = {row.pk for _uid, row, _msg in stored if row.state == InboundMessage.State.RECEIVED}
    done: dict[int, InboundMessage] = {}
    if pending:
        try:
            done = _process_chunk(stored, pending)
        except Exception:  # rolled back (to a savepoint inside a caller's transaction)
            logger.info("A message of a chunk failed; processing its %d singly", len(pending))
            done = {}
            for _uid, row, msg in stored:
                if row.pk in pending and row.pk not in done:
                    done[row.pk] = process_inbound(row.pk, parsed=msg)
    return [(uid, done.get(row.pk) or _current(row)) for uid, row, _msg in stored]


@transaction.atomic
def _process_chunk(
    stored: list[tuple[str, InboundMessage, ParsedMessage]], pending: set[int]
) -> dict[int, InboundMessage]:
    """Every received message of the chunk delivered and marked processed, all or nothing."""
    locked = {
        row.pk: row
        for row in InboundMessage.objects.select_for_update(of=("self",))
        .select_related("mailbox")
        .filter(pk__in=pending, state=InboundMessage.State.RECEIVED)
    }
    done: dict[int, InboundMessage] = {}
    for _uid, row, msg in stored:
        if row.pk in locked and row.pk not in done:
            done[row.pk] = _deliver_locked(locked[row.pk], msg, save=False)
    if done:
        InboundMessage.objects.bulk_update(list(done.values()), DELIVERED_FIELDS)
    return done


def _current(row: InboundMessage) -> InboundMessage:
    """A row another worker had (or has) in hand: as it is now."""
    if row.state != InboundMessage.State.RECEIVED:
        return row
    return InboundMessage.objects.filter(pk=row.pk).first() or row


# --------------------------------------------------------------------------- ticket events


@transaction.atomic
def record_bounce(ticket: Ticket, *, msg: ParsedMessage) -> TicketEvent:
    """A delivery failure report about mail we sent for ``ticket``: on its timeline."""
    outbound = None
    if msg.bounce_message_id:
        outbound = OutboundEmail.objects.filter(message_id=msg.bounce_message_id).first()
    if outbound is not None:  # the ticket page shows it as not delivered
        detail = " ".join(msg.body_text.split())[:300]
        OutboundEmail.objects.filter(pk=outbound.pk).update(
            state=OutboundEmail.State.FAILED,
            error=f"Bounced: {detail}" if detail else "Bounced",
            next_attempt_at=None,
        )
    return events.record(
        ticket,
        MAIL_BOUNCED,
        actor=None,
        subject=msg.subject[:200],
        sender=msg.from_address,
        bounced_message_id=msg.bounce_message_id or "",
        to=outbound.to if outbound else "",
        detail=msg.body_text[:500],
    )


@transaction.atomic
def record_mail_failed(email: OutboundEmail) -> TicketEvent | None:
    """An email we could not send after every retry: on the ticket's timeline, once."""
    ticket = Ticket.objects.filter(pk=email.ticket_id).first()
    if ticket is None:
        return None
    if TicketEvent.objects.filter(ticket=ticket, kind=MAIL_FAILED, new=email.pk).exists():
        return None
    return events.record(
        ticket,
        MAIL_FAILED,
        actor=None,
        new=email.pk,
        to=email.to,
        template=email.template,
        error=email.error[:500],
        attempts=email.attempts,
    )


# --------------------------------------------------------------------------- polling lease


def _lease_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _owner_is_dead(owner: str) -> bool:
    """A lease held by a process on this machine that no longer exists (killed, crashed)."""
    host, _sep, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def claim_mailbox(mailbox_id: int, *, seconds: int = 600) -> bool:
    """Only one poller per mailbox at a time. A lease ends when released, when it expires,
    or at once when its holder on this machine has died."""
    now = timezone.now()
    owner = _lease_owner()
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    claimed = (
        Mailbox.objects.filter(pk=mailbox_id)
        .filter(free)
        .update(lease_until=now + timedelta(seconds=seconds), lease_owner=owner)
    )
    if claimed:
        return True
    holder = Mailbox.objects.filter(pk=mailbox_id).values_list("lease_owner", flat=True).first()
    if holder and holder != owner and _owner_is_dead(holder):
        return bool(
            Mailbox.objects.filter(pk=mailbox_id, lease_owner=holder).update(
                lease_until=now + timedelta(seconds=seconds), lease_owner=owner
            )
        )
    return False


def release_mailbox(mailbox_id: int, *, error: str = "") -> None:
    Mailbox.objects.filter(pk=mailbox_id).update(
        lease_until=None, lease_owner="", last_polled_at=timezone.now(), last_error=error[:4000]
    )


def due_mailboxes() -> list[int]:
    """Mailboxes whose poll is due, each claimed for this tick (several schedulers may run)."""
    now = timezone.now()
    ids = []
    for mailbox in Mailbox.objects.filter(enabled=True).filter(
        Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now)
    ):
        claimed = Mailbox.objects.filter(pk=mailbox.pk, next_poll_at=mailbox.next_poll_at).update(
            next_poll_at=now + timedelta(seconds=max(5, mailbox.poll_interval))
        )
        if claimed:
            ids.append(mailbox.pk)
    return ids
