"""Ticket.sla_due_at follows the running SLA clocks through every kind of write (triggers)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Min

from okno.sla.models import ClockState, SlaClock
from okno.tickets import actions, sla_due
from okno.tickets.models import Status, Ticket
from tests.sla.conftest import (  # noqa: F401 (fixtures shared with the SLA tests)
    _fresh_version_caches,
    calendar,
    make_policy,
    travel,
)

RUNNING = (ClockState.RUNNING, ClockState.BREACHED_RUNNING)


def stored(ticket):
    return Ticket.objects.values_list("sla_due_at", flat=True).get(pk=ticket.pk)


def computed(ticket):
    clocks = SlaClock.objects.filter(ticket_id=ticket.pk, state__in=RUNNING)
    return clocks.aggregate(due=Min("due_at"))["due"]


@pytest.fixture
def policy(make_policy, travel):  # noqa: F811
    travel("2026-03-02 09:00")  # a Monday, inside working hours
    return make_policy(
        targets=[
            {"kind": "first_response", "amount": 1, "unit": "hours"},
            {"kind": "resolution", "amount": 40, "unit": "hours"},
        ]
    )


def test_follows_the_clocks_through_the_ticket_lifecycle(policy, requester, agent, service):
    ticket = actions.open_ticket(
        actor=requester, requester=requester, title="VPN", description="Down.", service=service
    )
    first = computed(ticket)
    assert first is not None and stored(ticket) == first
    actions.add_reply(ticket, actor=agent, body="On it.")  # first response met
    ticket.refresh_from_db()
    assert computed(ticket) is not None and computed(ticket) > first
    assert stored(ticket) == computed(ticket)
    waiting = Status.objects.get(key="waiting_customer")
    actions.change_status(ticket, actor=agent, status=waiting)
    ticket.refresh_from_db()
    assert stored(ticket) == computed(ticket)
    actions.change_priority(ticket, actor=agent, impact=1, urgency=1)  # new due times
    ticket.refresh_from_db()
    assert stored(ticket) == computed(ticket)
    actions.change_status(ticket, actor=agent, status=Status.objects.get(key="open"))
    ticket.refresh_from_db()
    assert stored(ticket) == computed(ticket) is not None
    actions.change_status(ticket, actor=agent, status=Status.objects.get(key="resolved"))
    assert stored(ticket) is None


def test_bulk_writes_and_deletes_of_clocks_are_followed(policy, requester, service):
    ticket = actions.open_ticket(
        actor=requester, requester=requester, title="VPN", description="Down.", service=service
    )
    earlier = computed(ticket) - timedelta(hours=5)
    SlaClock.objects.filter(ticket_id=ticket.pk, kind="resolution").update(due_at=earlier)
    assert stored(ticket) == earlier
    SlaClock.objects.filter(ticket_id=ticket.pk, kind="resolution").update(
        state=ClockState.BREACHED_RUNNING
    )
    assert stored(ticket) == earlier  # breached but still running: still counts
    SlaClock.objects.filter(ticket_id=ticket.pk, kind="resolution").delete()
    assert stored(ticket) == computed(ticket) is not None  # the first-response clock
    SlaClock.objects.filter(ticket_id=ticket.pk).update(warnings_fired=1)  # no due change
    assert stored(ticket) == computed(ticket)
    SlaClock.objects.filter(ticket_id=ticket.pk).delete()
    assert stored(ticket) is None


def test_a_stale_copy_saved_whole_cannot_overwrite_it(policy, requester, service):
    ticket = actions.open_ticket(
        actor=requester, requester=requester, title="VPN", description="Down.", service=service
    )
    stale = Ticket.objects.get(pk=ticket.pk)
    SlaClock.objects.filter(ticket_id=ticket.pk).delete()  # e.g. another request stops them
    assert stored(ticket) is None and stale.sla_due_at is not None
    stale.title = "VPN (edited)"
    stale.save()  # every column, the old due time included
    assert stored(ticket) is None
    assert Ticket.objects.get(pk=ticket.pk).title == "VPN (edited)"


def test_install_repairs_missing_triggers_and_wrong_values(policy, requester, service):
    ticket = actions.open_ticket(
        actor=requester, requester=requester, title="VPN", description="Down.", service=service
    )
    due = computed(ticket)
    sla_due.uninstall(connection)
    SlaClock.objects.filter(ticket_id=ticket.pk).update(due_at=due + timedelta(hours=1))
    assert stored(ticket) == due  # nothing keeps it while the triggers are gone
    assert sla_due.install(connection) is True
    assert stored(ticket) == due + timedelta(hours=1)
    assert sla_due.install(connection) is False  # already complete: nothing to do


@pytest.mark.django_db(transaction=True)
def test_sqlite_table_rebuilds_keep_it_maintained(policy, requester, service):
    """A later migration that rebuilds ``tickets_ticket`` or ``sla_slaclock`` on SQLite must
    neither fail on the triggers nor leave the column unmaintained: the triggers are lifted
    before migrations (pre_migrate) and put back after them (post_migrate)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite rebuilds tables for most schema changes; PostgreSQL alters them")
    from django.db import models

    from okno.search.apps import _repair_index
    from okno.tickets.apps import _lift_sla_due, _repair_sla_due

    def rebuild(model, name, *, back=False):
        """Widen (or, ``back``, restore) a column: a full table rebuild on SQLite."""
        old = model._meta.get_field(name)
        wide = models.CharField(max_length=old.max_length + 1)
        wide.set_attributes_from_name(name)
        wide.model = model
        _lift_sla_due(sender=None, using="default")
        with connection.schema_editor() as editor:
            editor.alter_field(model, *((wide, old) if back else (old, wide)))
        _repair_sla_due(sender=None, using="default")
        _repair_index(sender=None, using="default")  # the search triggers on tickets_ticket

    for model, name in ((Ticket, "title"), (SlaClock, "kind")):
        rebuild(model, name)
    try:
        ticket = actions.open_ticket(
            actor=requester, requester=requester, title="VPN", description="Down.", service=service
        )
        assert stored(ticket) == computed(ticket) is not None
        SlaClock.objects.filter(ticket_id=ticket.pk).delete()
        assert stored(ticket) is None
    finally:
        for model, name in ((Ticket, "title"), (SlaClock, "kind")):
            rebuild(model, name, back=True)


def test_a_new_ticket_is_written_with_its_value(policy, requester, service):
    """open_ticket writes the ticket, its clocks and sla_due_at together; the clocks' insert
    trigger then finds nothing to change."""
    ticket = actions.open_ticket(actor=requester, title="t", description="d", service=service)
    assert ticket.sla_due_at is not None
    assert stored(ticket) == computed(ticket) == ticket.sla_due_at


def test_the_bulk_setting_is_the_search_deferral():
    from okno.search import schema

    assert sla_due.BULK_SETTING == schema.DEFERRED_SETTING
