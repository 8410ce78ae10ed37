"""Follow-up jobs queued by ticket actions after their transaction commits.

Jobs take ids, re-read the rows, and treat "already done" as success, so a retried or
duplicated job is harmless; a failing job never undoes the ticket change that queued it.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_tasks import task

logger = logging.getLogger(__name__)


def enqueue_ticket_followup(ticket_id: int, event: str, *, article_id: int | None = None) -> None:
    """Queue the follow-up once the surrounding transaction has committed."""

    def _enqueue() -> None:
        try:
            ticket_followup.enqueue(ticket_id=ticket_id, event=event, article_id=article_id)
        except Exception:  # the change is committed; a queue outage must not surface as a failure
            logger.exception("Could not queue follow-up %s for ticket %s", event, ticket_id)

    transaction.on_commit(_enqueue)


@task(queue_name="default")
def ticket_followup(ticket_id: int, event: str, article_id: int | None = None) -> str:
    """Fan out what a ticket change implies: requester notifications (and, later, SLA, webhooks)."""
    from okno.mail.outbound import notify_requester

    return notify_requester(ticket_id, event, article_id=article_id)
