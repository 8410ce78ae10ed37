"""SLA fixtures: an 8x5 Berlin calendar, a default policy, and frozen-time helpers."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

WEEK = {day: [["08:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def berlin(text: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture(autouse=True)
def _fresh_version_caches():
    """Rolled-back tests reuse ids; the per-process version caches must not leak across."""
    from okno.sla.clocks import clear_caches

    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def travel():
    """``travel("2026-03-02 09:00")`` moves the clock there (Berlin time) and keeps it still."""
    travellers = []

    def go(text: str):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(berlin(text), tick=False)
        traveller.start()
        travellers.append(traveller)
        return berlin(text)

    yield go
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def calendar(db):
    from okno.sla.actions import save_calendar
    from okno.sla.models import Calendar

    cal = Calendar(name="Berlin office", timezone="Europe/Berlin", hours=WEEK)
    save_calendar(cal, actor=None)
    return cal


@pytest.fixture
def make_policy(db, calendar):
    from okno.sla.actions import publish_policy
    from okno.sla.models import EscalationRule, SlaPolicy, SlaTarget

    def make(
        name="Standard",
        *,
        order=100,
        targets=None,
        escalations=(),
        calendar_source="calendar",
        cal=calendar,
        **conditions,
    ):
        services = conditions.pop("services", [])
        organizations = conditions.pop("organizations", [])
        policy = SlaPolicy.objects.create(
            name=name, order=order, calendar=cal, calendar_source=calendar_source, **conditions
        )
        policy.services.set(services)
        policy.organizations.set(organizations)
        if targets is None:
            targets = [
                {"kind": "first_response", "amount": 4, "unit": "hours"},
                {"kind": "next_response", "amount": 8, "unit": "hours"},
                {
                    "kind": "resolution",
                    "amount": 16,
                    "unit": "hours",
                    "pause_categories": ["waiting"],
                },
            ]
        for target in targets:
            SlaTarget.objects.create(policy=policy, **target)
        for rule in escalations:
            EscalationRule.objects.create(policy=policy, **rule)
        publish_policy(policy, actor=None)
        return policy

    return make


@pytest.fixture
def policy(make_policy):
    return make_policy()


def clocks_of(ticket):
    from okno.sla.models import SlaClock

    return {(c.kind, c.cycle): c for c in SlaClock.objects.filter(ticket_id=ticket.pk)}


def clock(ticket, kind="resolution", cycle=None):
    from okno.sla.models import SlaClock

    rows = SlaClock.objects.filter(ticket_id=ticket.pk, kind=kind).order_by("-cycle")
    if cycle is not None:
        rows = rows.filter(cycle=cycle)
    return rows.first()
