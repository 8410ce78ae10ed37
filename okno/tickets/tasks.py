"""Follow-up jobs queued by ticket actions after their transaction commits.

A ticket change fans out to every follow-up handler (requester email, webhooks, Telegram, in-app
notifications …), each run as its own job so one failing integration neither blocks nor retries
the others. Jobs take ids, re-read the rows, and treat "already done" as success; a failing job
never undoes the ticket change that queued it.
"""

from __future__ import annotations

import logging
from importlib import import_module, util
from typing import Any

from django.db import transaction
from django_tasks import task

logger = logging.getLogger(__name__)

# "module:function" of each handler, called as handler(ticket_id, event, article_id=...).
# A module that does not exist (an integration not built or removed) is skipped.
FOLLOWUP_HANDLERS = [
    "okno.mail.outbound:notify_requester",
    "okno.automation.webhooks:on_ticket_event",
    "okno.telegram.outbound:on_ticket_event",
    "okno.notifications.handlers:on_ticket_event",
    "okno.routing.handlers:on_ticket_event",
]


def available_handlers() -> list[str]:
    return [path for path in FOLLOWUP_HANDLERS if util.find_spec(path.split(":")[0]) is not None]


def _resolve(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(import_module(module), name)


def enqueue_ticket_followup(ticket_id: int, event: str, *, article_id: int | None = None) -> None:
    """Queue the follow-ups once the surrounding transaction has committed."""

    def _enqueue() -> None:
        try:
            with transaction.atomic():  # one commit for all handlers' jobs
                for handler in available_handlers():
                    ticket_followup.enqueue(
                        handler=handler, ticket_id=ticket_id, event=event, article_id=article_id
                    )
        except Exception:  # the change is committed; a queue outage must not surface
            logger.exception("Could not queue follow-ups for ticket %s (%s)", ticket_id, event)

    transaction.on_commit(_enqueue)


@task(queue_name="default")
def ticket_followup(
    ticket_id: int,
    event: str,
    article_id: int | None = None,
    handler: str = "okno.mail.outbound:notify_requester",
) -> str:
    """Run one follow-up handler for one ticket change."""
    return str(_resolve(handler)(ticket_id, event, article_id=article_id))
