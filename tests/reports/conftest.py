"""A small desk history across days and a time-zone boundary, written through the real actions.

Reporting zone Europe/Moscow (UTC+3), 24x7 SLA: first response 1 h, resolution 4 h.
  T1 (l1) created 2026-03-02 22:30 UTC = 03-03 01:30 MSK, answered after 20 min, resolved
     after 2.5 h (both met), rated 4 and then re-rated 2.
  T2 (l1) created 03-03 09:00 UTC, answered after 2 h, resolved after 6 h (both breached),
     reopened 03-04 10:00 UTC and resolved again at 11:00 (breached, 26 h after creation).
  T3 (l1) created 03-04 20:00 UTC = 23:00 MSK, assigned, still open (the backlog).
  T4 (l2) created 03-04 21:30 UTC = 03-05 00:30 MSK, closed straight from new 30 min later.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from okno.catalog.models import Service
from okno.tickets import actions
from okno.tickets.models import StatusCategory

ZONE = "Europe/Moscow"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def status(category: str):
    return actions.default_status(category)


@pytest.fixture(autouse=True)
def _reporting_zone(settings):
    settings.REPORTS_TIME_ZONE = ZONE


@pytest.fixture(autouse=True)
def _fresh_sla_caches():
    from okno.sla.clocks import clear_caches

    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def policy(db):
    from okno.sla.actions import publish_policy
    from okno.sla.models import SlaPolicy, SlaTarget

    policy = SlaPolicy.objects.create(name="24x7", calendar_source="none")
    SlaTarget.objects.create(policy=policy, kind="first_response", amount=1, unit="hours")
    SlaTarget.objects.create(policy=policy, kind="resolution", amount=4, unit="hours")
    publish_policy(policy, actor=None)
    return policy


class History:
    """Moves the clock and runs the scenario's actions; ``tickets`` by name."""

    def __init__(self) -> None:
        self.tickets: dict[str, object] = {}
        self._travel: time_machine.travel | None = None

    def go(self, text: str) -> None:
        if self._travel is not None:
            self._travel.stop()
        self._travel = time_machine.travel(at(text), tick=False)
        self._travel.start()

    def stop(self) -> None:
        if self._travel is not None:
            self._travel.stop()
            self._travel = None


@pytest.fixture
def history(policy, requester, agent, specialist, service, l2):
    from okno.csat.actions import rate_ticket

    h = History()
    network = Service.objects.create(name="Network", owner_team=l2)

    def new(name: str, when: str, svc: Service) -> None:
        h.go(when)
        h.tickets[name] = actions.open_ticket(
            actor=requester, title=f"{name} broken", description="Please help.", service=svc
        )

    new("T1", "2026-03-02 22:30", service)
    h.go("2026-03-02 22:35")
    actions.assign_ticket(h.tickets["T1"], actor=agent, assignee=agent)
    h.go("2026-03-02 22:50")
    actions.add_reply(h.tickets["T1"], actor=agent, body="Looking.")
    h.go("2026-03-03 01:00")
    actions.change_status(h.tickets["T1"], actor=agent, status=status(StatusCategory.RESOLVED))
    h.go("2026-03-03 02:00")
    rate_ticket(h.tickets["T1"], actor=requester, score=4)

    new("T2", "2026-03-03 09:00", service)
    h.go("2026-03-03 11:00")
    actions.add_reply(h.tickets["T2"], actor=agent, body="On it.")
    h.go("2026-03-03 15:00")
    actions.change_status(h.tickets["T2"], actor=agent, status=status(StatusCategory.RESOLVED))
    h.go("2026-03-04 10:00")
    actions.reopen_ticket(h.tickets["T2"], actor=requester, reason="Still broken")
    h.go("2026-03-04 11:00")
    actions.change_status(h.tickets["T2"], actor=agent, status=status(StatusCategory.RESOLVED))

    new("T3", "2026-03-04 20:00", service)
    actions.assign_ticket(h.tickets["T3"], actor=agent, assignee=agent)

    new("T4", "2026-03-04 21:30", network)
    h.go("2026-03-04 22:00")
    actions.change_status(h.tickets["T4"], actor=specialist, status=status(StatusCategory.CLOSED))
    h.go("2026-03-05 08:00")
    rate_ticket(h.tickets["T1"], actor=requester, score=2)  # changes the same rating
    h.go("2026-03-05 12:00")  # "now": every event is older than the fold's lag
    yield h
    h.stop()
