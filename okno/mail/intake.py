"""From a parsed message to a ticket change: threading, noise filtering, routing.

Called by ``mail.actions.process_inbound`` inside the transaction that also marks the stored
message processed, so a message becomes exactly one ticket or reply or nothing at all.
Every ticket write goes through ``okno.tickets.actions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.actions import get_or_create_requester
from okno.accounts.models import User
from okno.accounts.queries import can_work_on
from okno.tags import actions as tag_actions
from okno.tickets import actions as ticket_actions
from okno.tickets.attachments import NewAttachment, validate_upload
from okno.tickets.models import Article, Channel, StatusCategory, Ticket, TicketType

from . import routing
from .parse import InboundMessage, find_ticket_token, normalize_subject
from .quotes import trim_reply_text

if TYPE_CHECKING:
    from .models import Mailbox

# Defaults for messages that arrive without a mailbox (``okno mail import``, ``okno mail smtpd``).
DEFAULT_SUBJECT_DAYS = 7
DEFAULT_UNKNOWN_SENDER = "note"


class IntakeError(Exception):
    """A message that cannot become a ticket: it goes to the quarantine with this text."""


@dataclass
class Outcome:
    state: str  # processed | ignored
    reason: str  # new_ticket, reply, note, reopened_as_new, bounce, auto_reply, bulk, loop
    ticket: Ticket | None = None
    article: Article | None = None


# --------------------------------------------------------------------------- threading


def _ticket_for_message_ids(ids: list[str]) -> Ticket | None:
    """The ticket of the newest referenced message we know: ours or theirs."""
    from .models import InboundMessage as StoredMessage
    from .models import OutboundEmail

    if not ids:
        return None
    found: dict[str, int] = {}
    for mid, tid in Article.objects.filter(message_id__in=ids).values_list(
        "message_id", "ticket_id"
    ):
        found.setdefault(mid, tid)
    for mid, tid in OutboundEmail.objects.filter(message_id__in=ids).values_list(
        "message_id", "ticket_id"
    ):
        found.setdefault(mid, tid)
    missing = [i for i in ids if i not in found]
    if missing:
        for mid, tid in StoredMessage.objects.filter(
            message_id__in=missing, ticket__isnull=False
        ).values_list("message_id", "ticket_id"):
            found.setdefault(mid, tid)
    for mid in ids:  # In-Reply-To first, then References newest to oldest
        if mid in found:
            return Ticket.objects.filter(pk=found[mid]).first()
    return None


def referenced_ids(msg: InboundMessage) -> list[str]:
    ids: list[str] = []
    for mid in [msg.in_reply_to, *reversed(msg.references)]:
        if mid and mid not in ids and mid != msg.message_id:
            ids.append(mid)
    return ids[:50]


def find_thread(msg: InboundMessage, sender: User | None, mailbox: Mailbox | None) -> Ticket | None:
    """In-Reply-To/References, then the [#number] token, then sender + subject within N days."""
    ticket = _ticket_for_message_ids(referenced_ids(msg))
    if ticket is None and (number := find_ticket_token(msg.subject)) is not None:
        ticket = Ticket.objects.filter(pk=number).first()
    days = mailbox.thread_by_subject_days if mailbox else DEFAULT_SUBJECT_DAYS
    if ticket is None and sender is not None and days:
        title = normalize_subject(msg.subject)
        if title:
            ticket = _recent_by_subject(sender, title, since=timezone.now() - timedelta(days=days))
    seen: set[int] = set()
    while ticket is not None and ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)  # follow merges to the surviving ticket
        ticket = Ticket.objects.filter(pk=ticket.merged_into_id).first()
    return ticket


def _recent_by_subject(sender: User, title: str, *, since: datetime) -> Ticket | None:
    """The sender's newest email ticket with this title since ``since`` (a range of the
    ``(requester, created_at)`` index: a monitoring system may have sent 100,000 before)."""
    return (
        Ticket.objects.filter(
            requester=sender,
            created_at__gte=since,
            title__iexact=title[:250],
            channel=Channel.EMAIL,
        )
        .order_by("-id")
        .first()
    )


def _is_known(sender: User, ticket: Ticket) -> bool:
    if sender.pk == ticket.requester_id or can_work_on(sender, ticket):
        return True
    return ticket.articles.filter(author=sender).exists()


# --------------------------------------------------------------------------- content


def _our_addresses(mailbox: Mailbox | None) -> set[str]:
    from email.utils import parseaddr

    ours = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    if mailbox is not None and mailbox.address:
        ours.add(mailbox.address.lower())
    return ours - {""}


def attachments_of(msg: InboundMessage) -> tuple[list[NewAttachment], list[str]]:
    """Files that pass the upload rules, and a line for each one that does not."""
    kept: list[NewAttachment] = []
    skipped: list[str] = []
    for part in msg.attachments:
        upload = NewAttachment(
            filename=part.filename or "attachment",
            content=part.data,
            content_id=(part.content_id or "")[:250],
        )
        try:
            validate_upload(upload)
        except ValidationError as exc:
            skipped.append(f"{upload.filename}: {' '.join(exc.messages)}")
            continue
        kept.append(upload)
    return kept, skipped


def body_of(msg: InboundMessage, skipped: list[str]) -> str:
    text = trim_reply_text(msg.body_text).strip() or msg.body_text.strip()
    if skipped:
        lines = "\n".join(f"- {line}" for line in skipped)
        text = f"{text}\n\n{_('Attachments not stored:')}\n{lines}".strip()
    return text


# --------------------------------------------------------------------------- delivery


def deliver(msg: InboundMessage, mailbox: Mailbox | None, *, message_id: str) -> Outcome:
    """Decide and perform the ticket change for one message (caller holds the transaction)."""
    from . import actions as mail_actions

    if msg.is_bounce:
        ids = [i for i in [msg.bounce_message_id, *referenced_ids(msg)] if i]
        ticket = _ticket_for_message_ids(ids)
        if ticket is not None:
            mail_actions.record_bounce(ticket, msg=msg)
        return Outcome("ignored", "bounce", ticket)
    if msg.is_auto_reply or msg.is_bulk:
        ticket = _ticket_for_message_ids(referenced_ids(msg))
        return Outcome("ignored", "auto_reply" if msg.is_auto_reply else "bulk", ticket)
    if not msg.from_address:
        raise IntakeError(_("The message has no sender address."))
    if msg.from_address.lower() in _our_addresses(mailbox):
        return Outcome("ignored", "loop")
    try:
        sender = get_or_create_requester(msg.from_address, actor=None, name=msg.from_name)
    except ValidationError as exc:
        raise IntakeError(
            _("Invalid sender address %(address)s.") % {"address": msg.from_address}
        ) from exc
    if not sender.is_active:
        return Outcome("ignored", "inactive_sender")

    files, skipped = attachments_of(msg)
    body = body_of(msg, skipped)
    ticket = find_thread(msg, sender, mailbox)
    if ticket is not None:
        staff = can_work_on(sender, ticket)
        known = staff or _is_known(sender, ticket)
        rule = mailbox.unknown_sender if mailbox else DEFAULT_UNKNOWN_SENDER
        if not known and rule == "note":
            note = _("Email from %(sender)s:") % {"sender": msg.from_address}
            article = ticket_actions.add_note(
                ticket, actor=None, body=f"{note}\n\n{body or msg.subject}", attachments=files
            )
            return Outcome("processed", "note", ticket, article)
        if known or rule == "reply":
            if ticket.status_category != StatusCategory.CLOSED or staff:
                article = ticket_actions.add_reply(
                    ticket,
                    actor=sender,
                    body=body or (msg.subject if not files else ""),
                    body_html=msg.body_html,
                    attachments=files,
                    channel=Channel.EMAIL,
                    message_id=message_id,
                )
                return Outcome("processed", "reply", ticket, article)
            new, first = _open(msg, sender, body, files, message_id, related=ticket)
            return Outcome("processed", "reopened_as_new", new, first)
    new, first = _open(msg, sender, body, files, message_id)
    return Outcome("processed", "new_ticket", new, first)


def _open(
    msg: InboundMessage,
    sender: User,
    body: str,
    files: list[NewAttachment],
    message_id: str,
    *,
    related: Ticket | None = None,
) -> tuple[Ticket, Article]:
    """A new ticket from the message, routed by the first matching rule; with its article."""
    title = normalize_subject(msg.subject) or (body.strip().splitlines() or [""])[0][:120]
    title = title or _("(no subject)")
    rule = routing.first_match(routing.active_rules(), msg)
    kwargs: dict[str, object] = {}
    if rule is not None:
        if rule.service_id:
            kwargs["service"] = rule.service
        if rule.ticket_type in TicketType.values:
            kwargs["type"] = rule.ticket_type
        if rule.impact in (1, 2, 3):
            kwargs["impact"] = rule.impact
        if rule.urgency in (1, 2, 3):
            kwargs["urgency"] = rule.urgency
        kwargs["custom_fields"] = {"routing_rule": rule.name}
    ticket = ticket_actions.open_ticket(
        actor=None,
        requester=sender,
        title=title,
        description=body or title,
        description_html=msg.body_html,
        channel=Channel.EMAIL,
        attachments=files,
        message_id=message_id,
        **kwargs,  # type: ignore[arg-type]
    )
    first: Article = ticket.first_article  # type: ignore[attr-defined]
    if rule is not None and rule.team_id and rule.team_id != ticket.team_id:
        ticket = ticket_actions.assign_ticket(ticket, actor=None, team=rule.team)
    if rule is not None and (tags := tag_actions.valid_names(rule.tags)):
        # Same transaction as the ticket; the "created" follow-ups already see the tags.
        tag_actions.add_tags(ticket, tags, actor=None, followup=False)
    if related is not None:
        ticket_actions.link_tickets(ticket, related, actor=None, kind="related")
    return ticket, first
