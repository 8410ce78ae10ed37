"""Follow-up jobs queued by ticket actions, committed with the change they follow.

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


def _jobs_share_the_database() -> bool:
    """True when jobs are rows in the application database (the default django-tasks-db
    backend), so queueing them can be part of the change's own transaction."""
    from django_tasks_db import DatabaseBackend

    return isinstance(ticket_followups.get_backend(), DatabaseBackend)


def enqueue_ticket_followup(ticket_id: int, event: str, *, article_id: int | None = None) -> None:
    """Queue the follow-ups of a ticket change.

    With jobs in the application database this is a transactional outbox: one fan-out job row
    is written inside the change's transaction, so the change and its follow-ups commit
    together (no follow-up lost to a crash between two commits, and one commit per change
    instead of two). With another backend (a broker that cannot see uncommitted rows) the
    fan-out is queued once the transaction has committed.
    """
    kwargs = {"ticket_id": ticket_id, "event": event, "article_id": article_id}
    if _jobs_share_the_database():
        ticket_followups.enqueue(**kwargs)
        return

    def _enqueue() -> None:
        try:
            ticket_followups.enqueue(**kwargs)
        except Exception:  # the change is committed; a queue outage must not surface
            logger.exception("Could not queue follow-ups for ticket %s (%s)", ticket_id, event)

    transaction.on_commit(_enqueue)


def followup_job(ticket_id: int, event: str, *, article_id: int | None = None) -> Any:
    """The fan-out job of a ticket change as an unsaved row, for a caller that writes it with
    the change's other rows in one round trip (``okno.ops.rowbatch``); exactly the row
    ``ticket_followups.enqueue`` writes. None when jobs do not live in the application
    database: then the fan-out is queued after commit, as ``enqueue_ticket_followup`` does."""
    if not _jobs_share_the_database():
        enqueue_ticket_followup(ticket_id, event, article_id=article_id)
        return None
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult

    backend = ticket_followups.get_backend()
    backend.validate_task(ticket_followups)
    kwargs = {"ticket_id": ticket_id, "event": event, "article_id": article_id}
    return DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": (), "kwargs": kwargs}),
        priority=ticket_followups.priority,
        task_path=ticket_followups.module_path,
        queue_name=ticket_followups.queue_name,
        run_after=ticket_followups.run_after,
        backend_name=backend.alias,
    )


@task(queue_name="default")
def ticket_followups(ticket_id: int, event: str, article_id: int | None = None) -> int:
    """Fan one ticket change out to a job per handler, so a failing integration neither blocks
    nor retries the others. Returns how many handler jobs were queued."""
    handlers = available_handlers()
    with transaction.atomic():  # one commit for all handlers' jobs
        for handler in handlers:
            ticket_followup.enqueue(
                handler=handler, ticket_id=ticket_id, event=event, article_id=article_id
            )
    return len(handlers)


@task(queue_name="default")
def ticket_followup(
    ticket_id: int,
    event: str,
    article_id: int | None = None,
    handler: str = "okno.mail.outbound:notify_requester",
) -> str:
    """Run one follow-up handler for one ticket change."""
    return str(_resolve(handler)(ticket_id, event, article_id=article_id))
