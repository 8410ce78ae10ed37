"""The search scope is applied per hit, before the bounded ranking, on both databases.

The PostgreSQL backend ranks only the newest ``CANDIDATES`` visible matches; these tests shrink
that number so that a handful of tickets exercises the bound.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okno.search import postgres
from okno.search.backends import search
from okno.tickets import actions
from okno.tickets.models import Status, Ticket

from ..conftest import make_user

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="bounded ranking is PostgreSQL's"
)


def ids(results, kind="ticket"):
    return [h.pk for h in results.hits if h.kind == kind]


@pytest.fixture
def few_candidates(monkeypatch):
    monkeypatch.setattr(postgres, "CANDIDATES", 3)


def open_many(requester, title, n):
    return [actions.open_ticket(actor=requester, title=title, description="x") for _ in range(n)]


def test_newer_hidden_tickets_never_take_the_visible_ones_slots(
    few_candidates, agent, requester, outsider
):
    mine = actions.open_ticket(actor=requester, title="Сканер не сканирует", description="x")
    open_many(outsider, "Сканер не сканирует", 6)  # newer, other organization, no team
    assert ids(search(requester, "сканер")) == [mine.pk]
    assert ids(search(outsider, "сканер")) != [] and mine.pk not in ids(search(outsider, "сканер"))


def test_agent_sees_team_tickets_and_own_requests_but_not_others(
    few_candidates, agent, specialist, requester, l1, l2
):
    def monitor(person, team):
        return actions.open_ticket(
            actor=None, requester=person, title="Монитор мерцает", description="x", team=team
        )

    team, own, other = monitor(requester, l1), monitor(agent, l2), monitor(requester, l2)
    assert set(ids(search(agent, "монитор"))) == {team.pk, own.pk}
    assert set(ids(search(specialist, "монитор"))) == {own.pk, other.pk}


def test_filters_that_need_a_join_still_scope_per_hit(agent, requester, l1):
    new, other = (
        actions.open_ticket(
            actor=None, requester=requester, title="Клавиатура", description="x", team=l1
        )
        for _ in range(2)
    )
    resolved = Status.objects.filter(category="resolved", is_active=True).first()
    actions.change_status(other, actor=agent, status=resolved)
    assert ids(search(agent, "клавиатура", filters={"status": new.status.key})) == [new.pk]
    assert ids(search(agent, "клавиатура", filters={"status": resolved.key})) == [other.pk]
    assert ids(search(requester, "клавиатура", filters={"status": "no-such-status"})) == []


def test_managers_search_everything_and_requesters_never_notes(agent, requester, outsider):
    manager = make_user("mia@okno.test", "manager")
    ticket = actions.open_ticket(actor=outsider, title="Ноутбук не заряжается", description="x")
    actions.add_note(ticket, actor=agent, body="Заменить аккумулятор ноутбука")
    assert ids(search(manager, "аккумулятор", kinds=("articles",))) == [ticket.pk]
    assert ids(search(outsider, "аккумулятор")) == []
    assert ids(search(outsider, "ноутбук")) == [ticket.pk]


def test_organization_sharing_widens_a_requesters_scope(requester, colleague, acme):
    ticket = actions.open_ticket(actor=colleague, title="Проектор не включается", description="x")
    assert ids(search(requester, "проектор")) == []
    acme.shared_tickets = True
    acme.save()
    requester.sees_organization_tickets = True
    requester.save()
    fresh = type(requester).objects.get(pk=requester.pk)
    assert ids(search(fresh, "проектор")) == [ticket.pk]


@on_postgres
def test_only_the_newest_candidates_are_ranked_and_paged(few_candidates, agent, requester):
    tickets = open_many(requester, "Принтер мигает", 5)
    first = search(agent, "принтер", kinds=("tickets",), limit=2)
    assert len(first.hits) == 2 and first.next_cursor
    second = search(agent, "принтер", kinds=("tickets",), limit=2, cursor=first.next_cursor)
    shown = set(ids(first)) | set(ids(second))
    assert shown == {t.pk for t in tickets[-3:]}  # the newest three, never the older two
    assert not second.next_cursor


@on_postgres
def test_trigrams_find_parts_inside_words_only_when_words_find_too_little(agent, requester):
    ticket = actions.open_ticket(actor=requester, title="Бухгалтерия без принтера", description="x")
    assert ids(search(agent, "галтер")) == [ticket.pk]  # inside a word: only trigrams match
    assert ids(search(agent, "acme.test")) == [ticket.pk]  # identifiers always use trigrams


@on_postgres
def test_common_words_do_not_scan_titles_by_trigram(agent, requester):
    open_many(requester, "Пароль истёк", 25)
    with CaptureQueriesContext(connection) as captured:
        results = search(agent, "пароль", kinds=("tickets",))
    assert len(results.hits) == 20
    sql = next(q["sql"] for q in captured.captured_queries if "search_ticketdocument" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    trigram = plan[plan.index("ILIKE") if "ILIKE" in plan else plan.index("~~*") :]
    assert "never executed" in trigram, plan


def test_scope_predicate_is_compiled_for_the_joined_row(agent, requester):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL backend helper")
    sql, params = postgres.row_filter(Ticket.objects.filter(team_id__in=[1, 2]))
    assert "tickets_ticket" in sql and list(params) == [1, 2]
    assert postgres.row_filter(Ticket.objects.none()) == ("FALSE", ())
    assert postgres.row_filter(Ticket.objects.all()) == ("TRUE", ())
    joined, _params = postgres.row_filter(Ticket.objects.filter(status__key="new"))
    assert joined.startswith("tickets_ticket.id IN (")


@on_postgres
def test_windows_find_the_same_newest_matches_as_one_search_of_everything(
    monkeypatch, agent, requester, outsider, l2
):
    """The agent's search looks at the newest tickets first and widens the window until it
    holds CANDIDATES visible matches: the result is the one a search of everything gives,
    also when the matches are old and newer tickets in between do not match or are hidden."""
    monkeypatch.setattr(postgres, "CANDIDATES", 3)
    old = open_many(requester, "Плоттер печатает полосами", 4)
    open_many(requester, "Что-то другое", 6)  # newer, no match
    for _ in range(3):  # newer matches in another team's queue: the agent may not see them
        actions.open_ticket(
            actor=None,
            requester=outsider,
            title="Плоттер печатает полосами",
            description="x",
            team=l2,
        )
    monkeypatch.setattr(postgres, "WINDOWS", ())
    everything = ids(search(agent, "плоттер"))
    monkeypatch.setattr(postgres, "WINDOWS", (2, 4, 8))
    monkeypatch.setattr(postgres, "RANGE_ONLY", 4)
    with CaptureQueriesContext(connection) as ctx:
        windowed = ids(search(agent, "плоттер"))
    assert windowed == everything and set(windowed) == {t.pk for t in old[-3:]}
    full_text = [q["sql"] for q in ctx.captured_queries if "WITH words" in q["sql"]]
    assert len(full_text) == 4  # windows of 2, 4 and 8 tickets were too few; then everything
    assert "IS TRUE" in full_text[0] and "IS TRUE" not in full_text[-1]
