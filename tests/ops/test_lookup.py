"""okno.ops.lookup.JoinedLookup gives what the ORM's select_related gives, in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okno.ops.lookup import JoinedLookup
from okno.tickets.models import Ticket

pytestmark = pytest.mark.django_db

RELATED = ["status", "requester", "requester__organization", "team", "assignee"]


def _same(found, orm, model):
    for field in model._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(orm, field.attname), field.name


def test_rows_and_relations_equal_the_orms(requester, agent, l1):
    from okno.tickets.actions import open_ticket

    ticket = open_ticket(
        actor=agent,
        requester=requester,
        title="Ünïcode <b>",
        description="d",
        team=l1,
        custom_fields={"affected_users": 3},
    )
    lookup = JoinedLookup(Ticket, RELATED)
    with CaptureQueriesContext(connection) as ctx:
        found = lookup.get(ticket.pk)
        # every relation is cached: no lazy query
        names = (found.status.key, found.requester.organization.name, found.team.name)
        assert found.assignee is None
    assert len(ctx.captured_queries) == 1
    orm = Ticket.objects.select_related(*RELATED).get(pk=ticket.pk)
    _same(found, orm, Ticket)
    _same(found.requester, orm.requester, type(orm.requester))
    _same(
        found.requester.organization, orm.requester.organization, type(orm.requester.organization)
    )
    assert names == (orm.status.key, orm.requester.organization.name, orm.team.name)
    assert found.custom_fields == {"affected_users": 3} and found.created_at == orm.created_at
    assert lookup.get(ticket.pk + 1000) is None


def test_iexact_and_several_conditions(requester):
    from okno.accounts.models import User

    by_email = JoinedLookup(
        User, ["organization"], where=[("email", "iexact"), ("is_active", "exact")]
    )
    assert by_email.get(requester.email.upper(), True).pk == requester.pk
    assert by_email.get(requester.email, False) is None
    with pytest.raises(ValueError, match="not a forward to-one"):
        JoinedLookup(User, ["requested_tickets"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
def test_lock_takes_the_row_lock_of_the_root_only(requester):
    from okno.tickets.actions import open_ticket

    ticket = open_ticket(actor=requester, title="t", description="d")
    with CaptureQueriesContext(connection) as ctx:
        JoinedLookup(Ticket, ["status"], lock=True).get(ticket.pk)
    assert ctx.captured_queries[0]["sql"].endswith("FOR UPDATE OF t0")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")
def test_a_lookup_used_often_becomes_a_prepared_statement(requester):
    from okno.accounts.models import User

    lookup = JoinedLookup(User, ["organization"])
    for _ in range(8):
        assert lookup.get(requester.pk).pk == requester.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "accounts_user" t0' in sql for sql in prepared)


def test_all_orders_limits_and_fills_relations_as_the_orm(requester, agent, l1):
    from okno.tickets.actions import add_note, open_ticket
    from okno.tickets.models import Article

    ticket = open_ticket(actor=agent, requester=requester, title="t", description="d", team=l1)
    for n in range(4):
        add_note(ticket, actor=agent, body=f"note {n}")
    newest = JoinedLookup(
        Article, ["author"], where=[("ticket", "exact")], order_by=("-created_at",), limit=3
    )
    with CaptureQueriesContext(connection) as ctx:
        rows = newest.all(ticket.pk)
        authors = [a.author.email for a in rows]
    assert len(ctx.captured_queries) == 1
    orm = list(Article.objects.filter(ticket=ticket).order_by("-created_at", "id")[:3])
    assert [a.pk for a in rows] == [a.pk for a in orm] and authors == [agent.email] * 3
    for found, expected in zip(rows, orm, strict=True):
        _same(found, expected, Article)
    everything = JoinedLookup(Article, where=[("ticket", "exact")], order_by=("created_at", "pk"))
    assert [a.pk for a in everything.all(ticket.pk)] == [
        a.pk for a in Article.objects.filter(ticket=ticket).order_by("created_at", "id")
    ]
    assert everything.all(ticket.pk + 1000) == [] and newest.get(ticket.pk).pk == orm[0].pk
