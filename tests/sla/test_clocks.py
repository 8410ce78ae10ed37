"""SLA.md "Behaviour", one spec at a time, through the real ticket actions.

Calendar: Europe/Berlin, Mon-Fri 08:00-17:00; 2026-03-02 is a Monday (UTC+1).
Default policy: first response 4 h, next response 8 h, resolution 16 h (paused while waiting).
"""

from __future__ import annotations

import pytest

from okno.tickets import actions
from okno.tickets.models import Status

from .conftest import berlin, clock, clocks_of

pytestmark = pytest.mark.django_db


def status(key):
    return Status.objects.get(key=key)


def open_for(requester, service, **extra):
    return actions.open_ticket(
        actor=requester, title="Printer jams", description="Tray 2.", service=service, **extra
    )


def test_clocks_start_when_the_ticket_is_opened(policy, requester, service, travel):
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    rows = clocks_of(ticket)
    assert set(rows) == {("first_response", 1), ("resolution", 1)}
    assert rows["first_response", 1].due_at == berlin("2026-03-02 13:00")
    assert rows["resolution", 1].due_at == berlin("2026-03-03 16:00")
    assert rows["resolution", 1].state == "running"
    assert rows["resolution", 1].policy_version.policy == policy
    assert rows["resolution", 1].calendar_version.calendar.name == "Berlin office"


def test_created_outside_hours_counts_from_the_next_working_instant(
    policy, requester, service, travel
):
    travel("2026-03-06 21:00")  # Friday evening
    ticket = open_for(requester, service)
    first = clock(ticket, "first_response")
    assert first.started_at == berlin("2026-03-06 21:00")
    assert first.due_at == berlin("2026-03-09 12:00")  # Monday 08:00 + 4 h
    travel("2026-03-09 09:30")
    actions.refresh_sla(ticket, actor=None)
    first.refresh_from_db()
    assert first.measured_at == berlin("2026-03-09 09:30") or first.used_seconds == 0


def test_first_response_is_met_by_a_public_agent_reply_not_a_note(
    policy, requester, agent, service, travel
):
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    travel("2026-03-02 10:00")
    actions.add_note(ticket, actor=agent, body="Looking at the logs.")
    assert clock(ticket, "first_response").state == "running"
    travel("2026-03-02 10:30")
    actions.add_reply(ticket, actor=agent, body="On it.")
    first = clock(ticket, "first_response")
    assert first.state == "met"
    assert first.met_at == berlin("2026-03-02 10:30")
    assert first.used_seconds == 5400


def test_an_automatic_message_is_neither_a_response_nor_a_request(
    policy, requester, agent, service, travel
):
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    actions.add_reply(ticket, actor=None, body="We received your request.")
    assert clock(ticket, "first_response").state == "running"
    assert clock(ticket, "next_response") is None


def test_next_response_starts_after_each_requester_message_and_ends_at_the_agent_reply(
    policy, requester, agent, service, travel
):
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    actions.add_reply(ticket, actor=agent, body="Which printer?")
    travel("2026-03-02 11:00")
    actions.add_reply(ticket, actor=requester, body="The one on floor 3.")
    travel("2026-03-02 11:30")
    actions.add_reply(ticket, actor=requester, body="Also floor 4.")  # same cycle
    nxt = clock(ticket, "next_response")
    assert (nxt.cycle, nxt.state, nxt.started_at) == (1, "running", berlin("2026-03-02 11:00"))
    assert nxt.due_at == berlin("2026-03-03 10:00")  # 6 h Monday + 2 h Tuesday
    travel("2026-03-02 14:00")
    actions.add_reply(ticket, actor=agent, body="Replaced the roller.")
    assert clock(ticket, "next_response", 1).state == "met"
    travel("2026-03-02 15:00")
    actions.add_reply(ticket, actor=requester, body="Thanks, works.")
    assert clock(ticket, "next_response").cycle == 2


def test_resolution_pauses_while_waiting_but_first_response_does_not(
    policy, requester, agent, service, travel
):
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    travel("2026-03-02 10:00")
    actions.change_status(ticket, actor=agent, status=status("waiting_customer"))
    resolution = clock(ticket)
    assert resolution.state == "paused"
    assert resolution.due_at is None  # held until the pause ends
    assert clock(ticket, "first_response").state == "running"
    travel("2026-03-02 12:00")
    actions.change_status(ticket, actor=agent, status=status("open"))
    resolution = clock(ticket)
    assert resolution.state == "running"
    assert resolution.due_at == berlin("2026-03-04 09:00")  # 6 h Mon + 9 h Tue + 1 h
    assert resolution.paused_seconds == 7200


def test_a_pause_extends_the_due_time_only_by_its_working_overlap(
    policy, requester, agent, service, travel
):
    travel("2026-03-02 16:00")
    ticket = open_for(requester, service)
    actions.change_status(ticket, actor=agent, status=status("waiting_customer"))
    travel("2026-03-03 09:00")  # paused 16:00 Mon to 09:00 Tue: 2 working hours
    actions.change_status(ticket, actor=agent, status=status("open"))
    resolution = clock(ticket)
    assert resolution.paused_seconds == 7200
    # 16 h from Mon 16:00 = Wed 14:00; plus 2 paused working hours = Wed 16:00.
    assert resolution.due_at == berlin("2026-03-04 16:00")


def test_reopen_keeps_first_response_met_and_resolution_continues_from_its_used_time(
    policy, requester, agent, service, travel
):
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    actions.add_reply(ticket, actor=agent, body="Fixed.")
    travel("2026-03-02 11:00")
    actions.change_status(ticket, actor=agent, status=status("resolved"))
    assert clock(ticket).state == "met"
    assert clock(ticket).used_seconds == 7200
    travel("2026-03-03 08:00")
    actions.reopen_ticket(ticket, actor=requester, reason="Jams again.")
    first, resolution = clock(ticket, "first_response"), clock(ticket)
    assert first.state == "met"
    assert (resolution.cycle, resolution.state, resolution.used_seconds) == (1, "running", 7200)
    # 14 h left from Tue 08:00: Tue 9 h + Wed 5 h -> Wed 13:00.
    assert resolution.due_at == berlin("2026-03-04 13:00")


def test_reopen_with_a_restart_policy_starts_a_new_resolution_cycle(
    make_policy, requester, agent, service, travel
):
    make_policy(
        targets=[
            {"kind": "first_response", "amount": 4, "unit": "hours"},
            {"kind": "resolution", "amount": 16, "unit": "hours", "reopen": "restart"},
        ]
    )
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    travel("2026-03-02 11:00")
    actions.change_status(ticket, actor=agent, status=status("resolved"))
    travel("2026-03-03 08:00")
    actions.reopen_ticket(ticket, actor=agent)
    assert clock(ticket, "resolution", 1).state == "met"
    second = clock(ticket, "resolution", 2)
    assert (second.state, second.started_at) == ("running", berlin("2026-03-03 08:00"))
    assert second.due_at == berlin("2026-03-04 15:00")


def test_priority_change_switches_to_the_new_targets_keeping_the_start(
    make_policy, requester, agent, service, travel
):
    make_policy(
        targets=[
            {"kind": "resolution", "amount": 16, "unit": "hours"},
            {"kind": "resolution", "priority": 1, "amount": 4, "unit": "hours"},
        ]
    )
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    assert clock(ticket).due_at == berlin("2026-03-03 16:00")
    travel("2026-03-02 10:00")
    actions.change_priority(ticket, actor=agent, impact=1, urgency=1)
    resolution = clock(ticket)
    assert (resolution.priority, resolution.started_at) == (1, berlin("2026-03-02 09:00"))
    assert resolution.due_at == berlin("2026-03-02 13:00")


def test_priority_change_after_a_breach_keeps_the_breach_in_history(
    make_policy, requester, agent, service, travel
):
    make_policy(
        targets=[
            {"kind": "resolution", "amount": 2, "unit": "hours"},
            {"kind": "resolution", "priority": 5, "amount": 40, "unit": "hours"},
        ]
    )
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    travel("2026-03-02 12:00")  # breached at 11:00
    actions.change_priority(ticket, actor=agent, impact=3, urgency=3)
    resolution = clock(ticket)
    assert resolution.priority == 5
    assert resolution.breached_at == berlin("2026-03-02 11:00")
    assert resolution.state == "breached_running"
    assert resolution.due_at == berlin("2026-03-06 13:00")  # 8+9+9+9+5 h


def test_merge_cancels_the_merged_tickets_clocks_and_the_target_keeps_its_own(
    policy, requester, agent, service, travel
):
    travel("2026-03-02 09:00")
    source = open_for(requester, service)
    target = open_for(requester, service)
    travel("2026-03-02 10:00")
    actions.merge_tickets(source, target, actor=agent)
    assert {c.state for c in clocks_of(source).values()} == {"cancelled"}
    assert {c.state for c in clocks_of(target).values()} == {"running"}


def test_business_days_are_their_own_unit(make_policy, requester, service, travel):
    make_policy(targets=[{"kind": "resolution", "amount": 3, "unit": "days"}])
    travel("2026-03-05 16:30")  # Thursday
    ticket = open_for(requester, service)
    assert clock(ticket).due_at == berlin("2026-03-10 16:30")  # Tuesday, same local minute


def test_a_ticket_no_policy_matches_has_no_clocks(make_policy, requester, service, travel):
    make_policy(ticket_types=["change"])
    ticket = open_for(requester, service)
    assert clocks_of(ticket) == {}


def test_a_new_tickets_rows_written_together_are_what_a_recompute_gives(
    policy, requester, service, travel
):
    """open_ticket computes the pin, clocks and score before writing anything (one round
    trip); they must equal what refreshing the stored ticket from its log writes."""
    from okno.priority.models import TicketScore
    from okno.sla.clocks import differences
    from okno.sla.models import TicketSla
    from okno.sla.score import refresh
    from okno.tickets.models import Ticket, TicketEvent

    travel("2026-03-02 09:00")
    ticket = open_for(requester, service, impact=1, urgency=1)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert differences(stored) == []  # every clock exactly as the replay of the log
    assert TicketSla.objects.get(ticket=stored).policy_version.policy == policy
    event = TicketEvent.objects.get(ticket=stored)
    assert event.created_at == stored.created_at == ticket.first_article.created_at
    score = TicketScore.objects.get(ticket=stored)
    assert stored.score == ticket.score and score.total > 0
    assert refresh(stored, now=stored.created_at) == pytest.approx(stored.score)
    assert set(clocks_of(stored)) == {("first_response", 1), ("resolution", 1)}
