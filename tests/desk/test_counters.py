"""The sidebar counters (index-only, desk.views.builtin_counts) equal the views' definitions
read the straightforward way: one aggregate over the viewer's tickets with an SLA clock
``EXISTS`` per ticket (what the desk did before the counters were rebuilt for 5M tickets)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from okno.accounts.queries import agent_team_ids, visible_tickets
from okno.desk.views import BREACHING_WINDOW, RECENTLY_RESOLVED_DAYS, builtin_counts
from okno.sla.models import ClockState, SlaClock
from okno.tickets import actions
from okno.tickets.models import ACTIVE_CATEGORIES, Status, StatusCategory, Ticket
from tests.sla.conftest import (  # noqa: F401 (fixtures shared with the SLA tests)
    _fresh_version_caches,
    calendar,
    make_policy,
    travel,
)

from ..conftest import make_user


def reference_counts(user) -> dict[str, int]:
    team_ids = agent_team_ids(user)
    now = timezone.now()
    since = now - timedelta(days=RECENTLY_RESOLVED_DAYS)
    active = Q(status_category__in=ACTIVE_CATEGORIES)
    ours = Q(team_id__in=team_ids) | Q(assignee=user)
    due_soon = Exists(
        SlaClock.objects.filter(
            ticket_id=OuterRef("pk"),
            state__in=(ClockState.RUNNING, ClockState.BREACHED_RUNNING),
            due_at__lte=now + BREACHING_WINDOW,
        )
    )
    waiting = StatusCategory.WAITING
    return visible_tickets(user).aggregate(
        mine=Count("pk", filter=active & Q(assignee=user)),
        for_me=Count("pk", filter=Q(assignee=user, status_category__in=("new", "open"))),
        unassigned=Count("pk", filter=active & Q(team_id__in=team_ids, assignee__isnull=True)),
        breaching=Count("pk", filter=active & ours & Q(due_soon)),
        team=Count("pk", filter=active & Q(team_id__in=team_ids)),
        waiting=Count("pk", filter=Q(status_category=waiting) & ours),
        resolved=Count(
            "pk",
            filter=Q(status_category=StatusCategory.RESOLVED, resolved_at__gte=since) & ours,
        ),
    )


@pytest.fixture
def desk(make_policy, travel, agent, lead, specialist, requester, service, l1, l2):  # noqa: F811
    """Tickets of Alice's team and of another, some assigned to her across teams, with SLA
    clocks due soon, later, paused, overdue or stopped, resolved lately or long ago."""
    travel("2026-03-02 09:00")  # a Monday, inside working hours
    make_policy(
        targets=[
            {"kind": "first_response", "amount": 1, "unit": "hours"},
            {"kind": "resolution", "amount": 40, "unit": "hours"},
        ]
    )

    def ticket(title, **fields):
        return actions.open_ticket(
            actor=requester, requester=requester, title=title, description="…", **fields
        )

    waiting = Status.objects.get(key="waiting_customer")
    resolved = Status.objects.get(key="resolved")
    answered = ticket("Answered, resolution later", service=service)
    actions.add_reply(answered, actor=agent, body="On it.")
    actions.assign_ticket(answered, actor=agent, assignee=lead)
    ticket("New, first response due soon", service=service)
    mine = ticket("Mine", service=service)
    actions.assign_ticket(mine, actor=agent, assignee=agent)
    paused = ticket("Waiting on Rita", service=service)
    actions.add_reply(paused, actor=agent, body="Which printer?", status=waiting)
    done = ticket("Resolved lately", service=service)
    actions.change_status(done, actor=agent, status=resolved)
    old = ticket("Resolved long ago", service=service)
    actions.change_status(old, actor=agent, status=resolved)
    Ticket.objects.filter(pk=old.pk).update(resolved_at=timezone.now() - timedelta(days=10))
    elsewhere = [ticket(f"Infrastructure {n}", service=service) for n in range(5)]
    for t in elsewhere:
        actions.assign_ticket(t, actor=None, team=l2)
    actions.assign_ticket(elsewhere[0], actor=specialist, assignee=specialist)
    # Alice's tickets outside her team (and without a team): counted through the assignee
    Ticket.objects.filter(pk=elsewhere[1].pk).update(assignee=agent)
    actions.change_status(elsewhere[2], actor=None, status=waiting)
    Ticket.objects.filter(pk=elsewhere[2].pk).update(assignee=agent)
    actions.change_status(elsewhere[3], actor=None, status=resolved)
    Ticket.objects.filter(pk=elsewhere[3].pk).update(assignee=agent)
    Ticket.objects.filter(pk=elsewhere[4].pk).update(team=None, assignee=agent)
    return travel


def test_counters_equal_the_views_definitions_over_time(desk, agent, lead, specialist, l1, l2):
    manager = make_user("mia@okno.test", "manager", teams=[l2], name="Mia Manager")
    both = make_user("bo@okno.test", "agent", teams=[l1, l2], name="Bo Both")
    nobody = make_user("ned@okno.test", "agent", name="Ned No-team")
    seen = set()
    for moment in ("2026-03-02 09:00", "2026-03-02 09:30", "2026-03-04 15:00", "2026-03-20 12:00"):
        desk(moment)  # clocks fall due, then overdue; the resolved ones age out of the window
        for user in (agent, lead, specialist, manager, both, nobody):
            expected = reference_counts(user)
            assert builtin_counts(user) == expected, (moment, user.email)
            seen.update(key for key, n in expected.items() if n)
    assert seen == {"mine", "for_me", "unassigned", "breaching", "team", "waiting", "resolved"}
