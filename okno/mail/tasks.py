"""Background jobs of the email channel.

``poll_due_mailboxes`` runs on the worker's scheduler and enqueues one ``poll_mailbox`` job per
due mailbox, so a slow or unreachable server delays only its own mailbox. ``send_outbound_email``
retries a failed notification with exponential backoff (re-enqueued with ``run_after``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=5)
TRANSIENT_RETRIES = 3


@task(queue_name="mail")
def poll_due_mailboxes() -> int:
    from .actions import due_mailboxes, process_inbound, retry_inbound
    from .models import InboundMessage

    queued = 0
    for mailbox_id in due_mailboxes():
        try:
            poll_mailbox.enqueue(mailbox_id=mailbox_id)
            queued += 1
        except Exception:
            logger.exception("Could not queue the poll of mailbox %s", mailbox_id)
    # Messages stored but never processed (a process died in between): finish them.
    stale = InboundMessage.objects.filter(
        state=InboundMessage.State.RECEIVED, received_at__lt=timezone.now() - STALE_AFTER
    ).values_list("pk", flat=True)[:200]
    for row_id in list(stale):
        process_inbound(row_id)
    # Quarantined because the database hiccuped (not because of the message): try again,
    # a few times, before leaving it to an administrator.
    database_errors = Q()
    for name in ("OperationalError:", "InterfaceError:", "InternalError:"):
        database_errors |= Q(error__startswith=name)
    transient = (
        InboundMessage.objects.filter(
            state=InboundMessage.State.QUARANTINED, attempts__lt=TRANSIENT_RETRIES
        )
        .filter(database_errors)
        .values_list("pk", flat=True)[:50]
    )
    for row_id in list(transient):
        retry_inbound(row_id)
    return queued


@task(queue_name="mail")
def poll_mailbox(mailbox_id: int) -> str:
    from .actions import claim_mailbox, release_mailbox
    from .inbound import poll
    from .models import Mailbox

    mailbox = Mailbox.objects.filter(pk=mailbox_id, enabled=True).first()
    if mailbox is None:
        return "mailbox gone or disabled"
    if not claim_mailbox(mailbox.pk):
        return "another poller holds this mailbox"
    try:
        result = poll(mailbox)
    except Exception as exc:
        release_mailbox(mailbox.pk, error=f"{type(exc).__name__}: {exc}")
        logger.warning("Polling mailbox %s failed: %s", mailbox, exc)
        return f"failed: {exc}"
    release_mailbox(mailbox.pk)
    return f"fetched {result.fetched}: {result.states}"


@task(queue_name="mail")
def send_outbound_email(email_id: int) -> str:
    from .outbound import send_email

    return send_email(email_id)
