"""The bulk data set (`okno demo --tickets N`): its shape, a consistent history, and that the
rows it writes behind the ORM's back are ordinary rows afterwards (ids, sequences, pages)."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count

from okno.accounts.models import Organization, Role, Team, User
from okno.ops import dataset, fastload
from okno.ops.demo import read_logins
from okno.tickets import actions
from okno.tickets.models import ACTIVE_CATEGORIES, Article, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def small(tickets: int = 400, **kw: object) -> dataset.Report:
    params: dict[str, object] = {"seed": 7, "stream": None, "password": "x", "now": NOW}
    params |= {"agents": 10, "requesters": 60, "organizations": 8} | kw
    return dataset.generate(tickets, **params)  # type: ignore[arg-type]


def test_shape_follows_the_baseline():
    report = small(800)
    assert report.tickets == Ticket.objects.count() == 800
    assert Team.objects.filter(name__in=[t[1] for t in dataset.TEAMS]).count() == 20
    per_ticket = report.articles / report.tickets
    assert 2.5 < per_ticket < 3.6  # description + ~Poisson(2) follow-ups
    assert report.events == TicketEvent.objects.count()
    active = Ticket.objects.filter(status_category__in=ACTIVE_CATEGORIES).count()
    assert 0.04 < active / 800 < 0.2  # ~10 % open
    assert 0.6 < Ticket.objects.filter(status_category="closed").count() / 800 < 0.95
    span = Ticket.objects.order_by("created_at")
    assert (NOW - span.first().created_at).days > 2 * 365  # three years of history
    titles = " ".join(Ticket.objects.values_list("title", flat=True))
    assert any("а" <= ch <= "я" for ch in titles)  # Russian
    assert any("a" <= ch <= "z" for ch in titles)  # and English
    # ids grow with time, as in a real desk
    ordered = list(Ticket.objects.order_by("pk").values_list("created_at", flat=True))
    assert ordered == sorted(ordered)
    # a few long threads for the ticket-page benchmark (20 timeline entries)
    most = Ticket.objects.annotate(n=Count("articles")).order_by("-n").first()
    assert most.n >= 9


def test_default_people_shape():
    small(50, agents=50, requesters=5000, organizations=200)
    assert User.objects.filter(email__endswith="@okno.example", role=Role.AGENT).count() >= 50
    assert User.objects.filter(email__contains="@customer").count() == 5000
    assert Organization.objects.filter(name__startswith="Customer ").count() == 200


def test_history_is_consistent_with_each_ticket():
    small(300)
    events = Counter(TicketEvent.objects.values_list("kind", flat=True))
    assert events["created"] == 300
    assert {"replied", "status_changed", "first_response", "assigned"} <= set(events)
    for ticket in Ticket.objects.prefetch_related("events", "articles"):
        log = sorted(ticket.events.all(), key=lambda e: (e.created_at, e.pk))
        assert log[0].kind == "created" and log[0].created_at == ticket.created_at
        assert all(e.created_at <= NOW for e in log)
        statuses = [e for e in log if e.kind == "status_changed"]
        if statuses:
            assert statuses[-1].new == ticket.status.key
        else:
            assert ticket.status.key == "new"
        first = [e for e in log if e.kind == "first_response"]
        assert len(first) <= 1
        assert (first[0].created_at if first else None) == ticket.first_response_at
        if ticket.status_category in ("resolved", "closed"):
            assert ticket.resolved_at is not None
        if ticket.status_category == "closed":
            assert ticket.closed_at is not None and ticket.closed_at >= ticket.resolved_at
        articles = sorted(ticket.articles.all(), key=lambda a: (a.created_at, a.pk))
        assert articles[0].author_id == ticket.requester_id
        assert articles[0].created_at == ticket.created_at
        replied = {e.new for e in log if e.kind in ("replied", "note_added")}
        assert replied == {a.pk for a in articles[1:]}
        if ticket.status_category in ACTIVE_CATEGORIES:
            assert ticket.score > 0
        if ticket.assignee_id:
            assert ticket.team.memberships.filter(user_id=ticket.assignee_id).exists()


def test_rerun_reuses_people_and_normal_writes_follow(agent):
    small(120)
    people = User.objects.count()
    small(120, seed=8)
    assert User.objects.count() == people
    assert Ticket.objects.count() == 240
    # Sequences were moved past the loaded ids: the ORM and the actions keep working.
    ticket = actions.open_ticket(actor=agent, title="After the load", description="Works?")
    assert ticket.pk > Ticket.objects.exclude(pk=ticket.pk).order_by("-pk").first().pk
    article = actions.add_reply(ticket, actor=agent, body="Yes.")
    assert article.pk > Article.objects.exclude(pk=article.pk).order_by("-pk").first().pk


def test_generated_ticket_opens_in_the_desk(client):
    small(60)
    dataset.ensure_logins("a-demo-password-1")
    agent = User.objects.get(email="agent@okno.example")
    ticket = Ticket.objects.filter(team__memberships__user=agent).order_by("-pk").first()
    client.force_login(agent)
    assert client.get(f"/desk/tickets/{ticket.pk}/").status_code == 200
    team = Team.objects.get(name=dataset.TEAMS[0][1])
    page = client.get(f"/desk/?team={team.pk}")
    assert page.status_code == 200


BIG_TABLES = ["tickets_ticket", "tickets_article", "tickets_ticketevent", "sla_slaclock",
              "sla_ticketsla", "search_ticketdocument", "search_ticketarticledocument"]  # fmt: skip


def schema() -> set[str]:
    """Foreign keys, indexes and triggers of the tables a fast load takes apart (PostgreSQL)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) || ' ' || convalidated FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)"
            " UNION SELECT pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid::regclass::text = ANY(%s)"
            " UNION SELECT pg_get_triggerdef(oid) || ' ' || tgenabled::text FROM pg_trigger"
            " WHERE tgrelid::regclass::text = ANY(%s) AND NOT tgisinternal",
            [BIG_TABLES] * 3,
        )
        # PostgreSQL prints a re-created partial index's predicate in another (equivalent)
        # spelling, so predicates are compared by presence only.
        return {re.sub(r" WHERE .*", " WHERE <predicate>", row[0]) for row in cursor.fetchall()}


def documents() -> tuple[list[tuple], list[tuple]]:
    """Every ticket and article search document, as text (PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ticket_id, document::text, plain FROM search_ticketdocument ORDER BY 1"
        )
        tickets = cursor.fetchall()
        cursor.execute(
            "SELECT article_id, ticket_id, kind, document::text"
            " FROM search_ticketarticledocument ORDER BY 1"
        )
        return tickets, cursor.fetchall()


def postgres_only() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the fast load is a PostgreSQL path (the PostgreSQL run covers it)")


def test_big_load_drops_and_restores_foreign_keys_and_indexes(monkeypatch):
    before = schema()
    monkeypatch.setattr(dataset, "FAST_LOAD_MIN", 0)
    assert small(30).tickets == 30
    assert schema() == before
    assert Ticket.objects.filter(requester__isnull=False).count() == 30
    assert not fastload.pending()


def test_fast_load_writes_exactly_the_documents_the_triggers_write(monkeypatch, agent):
    """The chunks' set-based documents, then the triggers' own for the same rows, compared."""
    from django.db import connection

    postgres_only()
    monkeypatch.setattr(dataset, "FAST_LOAD_MIN", 0)
    report = small(300)
    set_based = documents()
    assert len(set_based[0]) == 300
    assert len(set_based[1]) == report.articles  # every article is a reply or a note
    with connection.cursor() as cursor:  # the triggers write them again (UPDATE OF the columns)
        cursor.execute("DELETE FROM search_ticketdocument")
        cursor.execute("DELETE FROM search_ticketarticledocument")
        cursor.execute("UPDATE tickets_ticket SET title = title, requester_id = requester_id")
        cursor.execute("UPDATE tickets_article SET body_text = body_text, kind = kind")
    assert documents() == set_based
    # the deferral ended with the load: a ticket opened now is indexed by its trigger
    ticket = actions.open_ticket(actor=agent, title="Printer on fire", description="Smoke.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT plain FROM search_ticketdocument WHERE ticket_id = %s", [ticket.pk])
        assert cursor.fetchone()[0].startswith("Printer on fire")


def test_triggers_from_before_the_deferral_index_the_rows_themselves(monkeypatch):
    """A database whose triggers predate migration search.0003 must not get the set-based
    documents as well (one row per document, written by the triggers)."""
    from django.db import connection

    from okno.search import schema as search_schema

    postgres_only()
    with connection.cursor() as cursor:
        for trigger, table, columns, function in [
            ("okno_search_ticket", "tickets_ticket", "title, requester_id", "ticket"),
            ("okno_search_article", "tickets_article", "body_text, kind", "article"),
        ]:
            cursor.execute(f"DROP TRIGGER {trigger} ON {table}")
            cursor.execute(
                f"CREATE TRIGGER {trigger} AFTER INSERT OR DELETE OR UPDATE OF {columns} ON "
                f"{table} FOR EACH ROW EXECUTE FUNCTION okno_search_{function}_sync()"
            )
    assert not search_schema.triggers_defer(connection)
    monkeypatch.setattr(dataset, "FAST_LOAD_MIN", 0)
    report = small(100)
    assert "okno migrate" in report.notes[-1]
    tickets, articles = documents()
    assert len(tickets) == 100 and len(articles) == report.articles


def test_json_text_is_json_dumps():
    text = dataset.JsonText()
    values = [1, 0, "open", "", {"by_agent": True, "channel": "email"}, {"by_agent": 1},
              {"count": 1}, {"count": True}, {}, [[None, None]], {"a": [1]}, 2.5, "Ключ «x»",
              {"old_label": "", "new_label": "Анна Иванова"}]  # fmt: skip
    for _round in range(2):  # the second time from the cache
        for value in values:
            assert text(value) == json.dumps(value, ensure_ascii=False)


def test_sla_clocks_when_the_sla_app_is_there():
    report = small(40)
    try:
        from okno.sla.models import SlaClock
    except ImportError:
        assert report.clocks == 0 and "SLA clocks skipped" in report.notes[0]
        return
    assert report.clocks == SlaClock.objects.count() == 80  # first response + resolution
    for clock in SlaClock.objects.select_related("ticket"):
        open_clock = clock.state in ("running", "breached_running", "paused")
        assert open_clock == (clock.ticket.status_category in ACTIVE_CATEGORIES) or (
            clock.kind == "first_response" and clock.ticket.first_response_at
        )
        assert clock.started_at == clock.ticket.created_at


def test_demo_command_bulk_and_small(settings, tmp_path, monkeypatch):
    settings.DATA_DIR = tmp_path
    assert dataset.BULK_THRESHOLD == 1000
    monkeypatch.setattr(dataset, "BULK_THRESHOLD", 50)  # the same path as 1000+, smaller
    out = StringIO()
    call_command("okno_demo", "--tickets", "80", "--seed", "3", "--quiet", stdout=out)
    assert "Bulk data set: 80 tickets" in out.getvalue()
    assert "agent@okno.example" in read_logins()
    out = StringIO()
    call_command("okno_demo", "--if-empty", stdout=out)
    assert "agent@okno.example" in out.getvalue()  # users exist: the saved logins are shown


def test_small_demo_unchanged(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = StringIO()
    call_command("okno_demo", "--tickets", "3", stdout=out)
    assert "Demo data created: 3 tickets." in out.getvalue()
    assert Ticket.objects.count() == 3


def test_progress_without_a_terminal_prints_deciles():
    stream = StringIO()
    progress = dataset.Progress(100, stream)
    for done in range(0, 101, 5):
        progress.update(done)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 11 and lines[-1].startswith("100.0%")


def test_progress_reports_the_phases_after_the_rows():
    stream = StringIO()
    progress = dataset.Progress(100, stream)
    for done in range(4):
        progress.step("indexes", done, 3)
    progress.step("foreign keys", 0, 0)  # nothing to do: no line
    lines = stream.getvalue().splitlines()
    assert [line.split("  ")[0] for line in lines] == ["indexes 0/3", "indexes 3/3"]


def test_keep_indexes_never_touches_the_schema(monkeypatch):
    monkeypatch.setattr(dataset, "FAST_LOAD_MIN", 0)
    monkeypatch.setattr(fastload, "take_down", lambda tables: pytest.fail("dropped"))
    assert small(20, keep_indexes=True).tickets == 20


@pytest.mark.django_db(transaction=True)
def test_chunks_written_on_two_connections_at_once_are_whole_and_consistent(monkeypatch):
    """Outside a transaction on PostgreSQL, chunks go to two writer connections in parallel."""
    from django.db import connection

    from okno.ops import bulkwrite

    if connection.vendor != "postgresql":
        pytest.skip("parallel writers are a PostgreSQL path (the PostgreSQL run covers it)")
    threads = set()
    original = bulkwrite.write_chunk

    def spy(chunk):
        import threading

        threads.add(threading.current_thread().name)
        return original(chunk)

    monkeypatch.setattr(bulkwrite, "write_chunk", spy)
    report = small(1200, keep_indexes=True, chunk=200, writer_count=2)
    assert report.tickets == 1200 == Ticket.objects.count()
    assert len(threads) == 2 and all(name.startswith("okno-copy") for name in threads)
    assert Article.objects.count() == report.articles
    assert TicketEvent.objects.count() == report.events
    # every ticket has its description and its created event, whichever connection wrote it
    assert not Ticket.objects.annotate(n=Count("articles")).filter(n=0).exists()
    assert not Ticket.objects.exclude(events__kind="created").exists()
    assert len(set(Ticket.objects.values_list("id", flat=True))) == 1200


class Interrupt(KeyboardInterrupt):
    """Ctrl-C, raised by the test after a few chunks."""


def interrupt_after(monkeypatch, chunks: int) -> None:
    calls = []
    original = dataset.Progress.update

    def update(self, done):
        original(self, done)
        calls.append(done)
        if len(calls) == chunks:
            raise Interrupt

    monkeypatch.setattr(dataset.Progress, "update", update)


def assert_whole_chunks_with_documents(chunk: int) -> None:
    """What an interrupted load keeps: whole chunks, each with its documents and clocks."""
    tickets = Ticket.objects.count()
    assert tickets > 0 and tickets % chunk == 0
    assert not Ticket.objects.annotate(n=Count("articles")).filter(n=0).exists()
    ticket_docs, article_docs = documents()
    assert len(ticket_docs) == tickets and len(article_docs) == Article.objects.count()


@pytest.mark.django_db(transaction=True)
def test_fast_load_on_two_connections_restores_the_schema(monkeypatch):
    from okno.ops import bulkwrite

    postgres_only()
    before = schema()
    threads = set()
    original = bulkwrite.write_chunk

    def spy(chunk):
        import threading

        threads.add(threading.current_thread().name)
        return original(chunk)

    monkeypatch.setattr(bulkwrite, "write_chunk", spy)
    monkeypatch.setattr(dataset, "FAST_LOAD_MIN", 0)
    report = small(1000, chunk=200, writer_count=2)
    assert report.tickets == 1000 == Ticket.objects.count()
    assert len(threads) == 2
    assert schema() == before
    assert not fastload.pending()
    assert_whole_chunks_with_documents(200)
    assert set(report.phases) == {"load", "indexes and keys", "vacuum"}


@pytest.mark.django_db(transaction=True)
def test_interrupted_fast_load_puts_indexes_and_keys_back(monkeypatch):
    postgres_only()
    before = schema()
    monkeypatch.setattr(dataset, "FAST_LOAD_MIN", 0)
    interrupt_after(monkeypatch, 3)
    with pytest.raises(Interrupt):
        small(1000, chunk=100, writer_count=2)
    assert schema() == before
    assert not fastload.pending()
    assert_whole_chunks_with_documents(100)
    assert Ticket.objects.count() <= 300  # in flight: finished; queued, not started: dropped


@pytest.mark.django_db(transaction=True)
def test_a_load_that_died_is_repaired_by_the_next_run(monkeypatch, settings, tmp_path):
    """kill -9: no ``finally`` runs. The journal says what is missing; ``okno check`` fails,
    and the next load (or ``okno demo --repair``) puts everything back first."""
    from django.core.management.base import CommandError

    postgres_only()
    before = schema()
    monkeypatch.setattr(dataset, "FAST_LOAD_MIN", 0)
    interrupt_after(monkeypatch, 2)
    monkeypatch.setattr(fastload, "restore", lambda **kw: 0)  # the process is gone
    with pytest.raises(Interrupt):
        small(1000, chunk=100, writer_count=2)
    monkeypatch.undo()
    assert fastload.pending() and schema() != before
    with pytest.raises(CommandError, match="okno demo --repair"):
        call_command("okno_check", stdout=StringIO())
    out = StringIO()
    call_command("okno_demo", "--repair", "--quiet", stdout=out)
    assert "Repaired" in out.getvalue()
    assert schema() == before and not fastload.pending()
    assert_whole_chunks_with_documents(100)

    # once more, repaired by the next load this time
    monkeypatch.setattr(dataset, "FAST_LOAD_MIN", 0)
    interrupt_after(monkeypatch, 1)
    monkeypatch.setattr(fastload, "restore", lambda **kw: 0)
    with pytest.raises(Interrupt):
        small(1000, chunk=100, writer_count=2)
    monkeypatch.undo()
    report = small(100, chunk=100)  # smaller than what is there: the normal path, after repair
    assert "repaired first" in report.notes[-1]
    assert schema() == before and not fastload.pending()


@pytest.mark.django_db(transaction=True)
def test_an_interrupted_restore_resumes_where_it_stopped(monkeypatch):
    postgres_only()
    small(50)
    before = schema()
    journaled = fastload.take_down(BIG_TABLES)
    assert journaled > 10 and fastload.pending()
    ran = []
    original = fastload._run_step

    def fail_third(step, statement, *, close):
        if len(ran) == 2:
            raise RuntimeError("interrupted")
        original(step, statement, close=close)
        ran.append(statement)

    monkeypatch.setattr(fastload, "_run_step", fail_third)
    with pytest.raises(RuntimeError):
        fastload.restore(workers=1)
    monkeypatch.undo()
    assert fastload.pending()
    assert fastload.restore(workers=2) == journaled - 2  # the two done are not run again
    assert schema() == before


@pytest.mark.parametrize("fast", [True, False])
def test_loaded_tickets_carry_their_sla_due_time(monkeypatch, fast):
    """The generator writes Ticket.sla_due_at itself (the clock triggers stand aside during a
    fast load, when the clocks have no index); it must equal what the triggers keep."""
    from django.db.models import Min

    from okno.sla.models import ClockState, SlaClock

    if fast:
        postgres_only()
        monkeypatch.setattr(dataset, "FAST_LOAD_MIN", 0)
    small(200)
    running = (
        SlaClock.objects.filter(state__in=(ClockState.RUNNING, ClockState.BREACHED_RUNNING))
        .values("ticket_id")
        .annotate(due=Min("due_at"))
    )
    expected = {row["ticket_id"]: row["due"] for row in running}
    stored = dict(Ticket.objects.values_list("id", "sla_due_at"))
    assert expected and {k: v for k, v in stored.items() if v is not None} == expected
