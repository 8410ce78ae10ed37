"""okno.ops.rowbatch: new rows of several models in one round trip, as save() would write them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okno.ops.rowbatch import allocate_ids, insert_rows
from okno.tickets.models import Article, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_rows_pointing_at_each_other_are_written_and_timestamps_filled(requester, l1):
    from okno.tickets.actions import default_status

    status = default_status("new")
    ticket = Ticket(
        title="Bulk <b>", requester=requester, status=status, status_category="new", team=l1
    )
    ids = allocate_ids(Ticket, Article)
    if ids is None:  # SQLite: no sequences to draw from
        ticket.save()
        ids = [ticket.pk, None]
    ticket.pk = ids[0]
    article = Article(pk=ids[1], ticket_id=ticket.pk, author=requester, body_text="x")
    event = TicketEvent(ticket_id=ticket.pk, kind="created", data={"a": "ü"})
    rows = [article, event] if connection.vendor != "postgresql" else [ticket, article, event]
    with CaptureQueriesContext(connection) as ctx:
        insert_rows(rows)
    if connection.vendor == "postgresql":
        assert len(ctx.captured_queries) == 1
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.title == "Bulk <b>" and stored.team == l1
    assert stored.created_at is not None and stored.updated_at is not None
    assert Article.objects.get(ticket=stored).body_text == "x"
    assert TicketEvent.objects.get(ticket=stored).data == {"a": "ü"}
    assert event.pk is None  # ids the database chose are not read back
    assert article._state.adding is False


def test_a_given_timestamp_is_kept(requester, l1):
    from datetime import UTC, datetime

    from okno.tickets.actions import default_status

    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    ticket = Ticket.objects.create(
        title="t", requester=requester, status=default_status("new"), status_category="new"
    )
    insert_rows([TicketEvent(ticket_id=ticket.pk, kind="created", created_at=when)])
    assert TicketEvent.objects.get(ticket=ticket).created_at == when


def test_the_followup_job_row_is_the_row_enqueue_writes(requester):
    """pre_save receivers run (django-tasks-db fills run_after in one): the outbox row built
    for a new ticket equals the one ticket_followups.enqueue writes."""
    from django_tasks_db.models import DBTaskResult

    from okno.tickets.tasks import followup_job, ticket_followups

    ticket_followups.enqueue(ticket_id=7, event="created", article_id=9)
    reference = DBTaskResult.objects.get()
    job = followup_job(7, "created", article_id=9)
    insert_rows([job])
    written = DBTaskResult.objects.get(pk=job.pk)
    fields = ["status", "args_kwargs", "priority", "task_path", "queue_name", "backend_name"]
    fields += ["run_after", "worker_ids", "return_value"]
    for name in fields:
        assert getattr(written, name) == getattr(reference, name), name
    assert written.enqueued_at is not None
