"""Warnings and breaches: found by index, fired exactly once, escalated through ticket actions."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from okno.sla import sweep as sweep_module
from okno.sla.sweep import due_clocks, sweep
from okno.tickets import actions
from okno.tickets.models import Ticket, TicketEvent

from .conftest import berlin, clock

FIRST_ONLY = [{"kind": "first_response", "amount": 4, "unit": "hours", "warn_percents": [75]}]


def sla_events(ticket, kind=None):
    kinds = [kind] if kind else ["sla_warning", "sla_breached"]
    return list(TicketEvent.objects.filter(ticket=ticket, kind__in=kinds).order_by("id"))


def open_for(requester, service, title="VPN drops"):
    return actions.open_ticket(
        actor=requester, title=title, description="Every ten minutes.", service=service
    )


@pytest.fixture
def followups(monkeypatch):
    calls = []
    monkeypatch.setattr(
        sweep_module, "enqueue_ticket_followup", lambda pk, event: calls.append((pk, event))
    )
    return calls


@pytest.mark.django_db
def test_a_warning_fires_once_when_the_threshold_is_reached(
    make_policy, requester, service, travel, followups
):
    make_policy(targets=FIRST_ONLY)
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    assert clock(ticket, "first_response").next_check_at == berlin("2026-03-02 12:00")
    travel("2026-03-02 11:59")
    assert sweep() == 0
    travel("2026-03-02 12:00")
    assert sweep() == 1
    assert sweep() == 0
    (warning,) = sla_events(ticket)
    assert (warning.kind, warning.field, warning.new) == ("sla_warning", "first_response", 75)
    assert followups == [(ticket.pk, "sla_warning")]
    assert clock(ticket, "first_response").next_check_at == berlin("2026-03-02 13:00")


@pytest.mark.django_db
def test_a_breach_fires_once_and_the_clock_shows_it(
    make_policy, requester, service, travel, followups
):
    make_policy(targets=FIRST_ONLY)
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    travel("2026-03-02 13:05")  # the sweep was down: warning and breach both due
    assert sweep() == 2
    assert sweep() == 0
    assert [e.kind for e in sla_events(ticket)] == ["sla_warning", "sla_breached"]
    first = clock(ticket, "first_response")
    assert (first.state, first.breached_at, first.breach_fired) == (
        "breached_running",
        berlin("2026-03-02 13:00"),
        True,
    )
    assert first.next_check_at is None
    assert Ticket.objects.get(pk=ticket.pk).score >= 100  # breached tickets sort first


@pytest.mark.django_db
def test_recompute_never_fires_again(make_policy, requester, service, travel, followups):
    from django.core.management import call_command

    make_policy(targets=FIRST_ONLY)
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    travel("2026-03-02 14:00")
    assert sweep() == 2
    call_command("okno_sla", "recompute", "--all")
    call_command("okno_sla", "recompute", "--open", "--latest")
    assert sweep() == 0
    assert len(sla_events(ticket)) == 2


@pytest.mark.django_db
def test_a_crash_between_claim_and_action_fires_exactly_once(
    make_policy, requester, service, travel, monkeypatch
):
    make_policy(targets=FIRST_ONLY)
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    travel("2026-03-02 12:30")

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed after the claim")

    monkeypatch.setattr(sweep_module, "enqueue_ticket_followup", crash)
    assert sweep() == 0  # claimed, then crashed: the claim rolled back with the event
    assert clock(ticket, "first_response").warnings_fired == 0
    assert sla_events(ticket) == []
    monkeypatch.setattr(sweep_module, "enqueue_ticket_followup", lambda *a: None)
    assert sweep() == 1
    assert sweep() == 0
    assert [e.kind for e in sla_events(ticket)] == ["sla_warning"]


@pytest.mark.django_db
def test_a_met_target_never_warns(make_policy, requester, agent, service, travel, followups):
    make_policy(targets=FIRST_ONLY)
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    travel("2026-03-02 10:00")
    actions.add_reply(ticket, actor=agent, body="Looking.")
    assert clock(ticket, "first_response").next_check_at is None
    travel("2026-03-03 10:00")
    assert sweep() == 0


@pytest.mark.django_db
def test_a_paused_clock_is_not_swept(make_policy, requester, agent, service, travel, followups):
    from okno.tickets.models import Status

    make_policy(
        targets=[
            {"kind": "resolution", "amount": 2, "unit": "hours", "pause_categories": ["waiting"]}
        ]
    )
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    actions.change_status(ticket, actor=agent, status=Status.objects.get(key="waiting_customer"))
    travel("2026-03-05 09:00")
    assert sweep() == 0
    assert due_clocks(berlin("2026-03-09 09:00")) == []


@pytest.mark.django_db
def test_priority_change_after_breach_fires_no_second_breach(
    make_policy, requester, agent, service, travel, followups
):
    make_policy(
        targets=[
            {"kind": "resolution", "amount": 2, "unit": "hours"},
            {"kind": "resolution", "priority": 1, "amount": 1, "unit": "hours"},
        ]
    )
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    travel("2026-03-02 12:00")
    assert sweep() == 2
    actions.change_priority(ticket, actor=agent, impact=1, urgency=1)
    travel("2026-03-02 15:00")
    assert sweep() == 0
    assert [e.kind for e in sla_events(ticket)] == ["sla_warning", "sla_breached"]


# --- escalation actions --------------------------------------------------------------------------


@pytest.mark.django_db
def test_breach_notifies_assignee_team_lead_and_manager_by_email(
    make_policy,
    requester,
    agent,
    lead,
    service,
    travel,
    run_tasks,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    from tests.conftest import make_user

    manager = make_user("mia@okno.test", "manager", name="Mia Manager")
    make_policy(
        targets=FIRST_ONLY,
        escalations=[
            {
                "trigger": "breach",
                "action": "notify",
                "notify": ["assignee", "team_lead", "manager"],
            }
        ],
    )
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    actions.assign_ticket(ticket, actor=agent, assignee=agent)
    travel("2026-03-02 13:30")
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == 2
    run_tasks()
    sent = sorted(m.to[0] for m in mailoutbox if "SLA" in m.subject)
    assert sent == sorted([agent.email, lead.email, manager.email])
    assert all(f"[#{ticket.pk}]" in m.subject for m in mailoutbox if "SLA" in m.subject)


@pytest.mark.django_db
def test_breach_reassigns_to_a_team(make_policy, requester, agent, service, l2, travel, followups):
    make_policy(
        targets=FIRST_ONLY,
        escalations=[{"trigger": "breach", "action": "reassign", "team": l2}],
    )
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    travel("2026-03-02 13:30")
    sweep()
    ticket.refresh_from_db()
    assert ticket.team == l2
    assert TicketEvent.objects.filter(ticket=ticket, kind="team_changed", actor=None).exists()


@pytest.mark.django_db
def test_warning_moves_the_ticket_to_the_next_support_line(
    make_policy, requester, agent, service, l1, l2, travel, followups
):
    make_policy(
        targets=FIRST_ONLY,
        escalations=[{"trigger": "warning", "percent": 75, "action": "next_line"}],
    )
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    assert ticket.team == l1
    travel("2026-03-02 12:10")
    assert sweep() == 1
    ticket.refresh_from_db()
    assert ticket.team == l2


@pytest.mark.django_db
def test_breach_raises_the_priority_with_a_reason(
    make_policy, requester, service, travel, followups
):
    make_policy(
        targets=FIRST_ONLY,
        escalations=[{"trigger": "breach", "action": "raise_priority"}],
    )
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    assert ticket.priority == 3
    travel("2026-03-02 13:30")
    sweep()
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.priority_overridden) == (2, True)
    change = TicketEvent.objects.get(ticket=ticket, kind="priority_changed")
    assert "first_response" in change.data["reason"]
    assert len(sla_events(ticket, "sla_breached")) == 1


# --- the index and concurrency ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sweep_query_uses_the_pending_index(policy, requester, service):
    open_for(requester, service)
    sql, params = (
        __import__("okno.sla.models", fromlist=["SlaClock"])
        .SlaClock.objects.filter(next_check_at__lte=berlin("2026-03-02 12:00"))
        .order_by("next_check_at")
        .values_list("pk", "ticket_id")[:500]
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "sla_clock_pending" in plan
    assert "Seq Scan" not in plan and "SCAN sla_slaclock" not in plan.replace(
        "USING INDEX", "USING_INDEX"
    ).replace("SCAN sla_slaclock USING_INDEX", "")


@pytest.mark.django_db(transaction=True)
def test_two_workers_fire_each_clock_exactly_once(
    reference_data, make_policy, requester, service, travel
):
    make_policy(targets=FIRST_ONLY)
    travel("2026-03-02 09:00")
    tickets = [open_for(requester, service, title=f"Outage {n}") for n in range(12)]
    travel("2026-03-02 13:30")
    results, errors = [], []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            results.append(sweep())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 24  # one warning and one breach per ticket, whoever fired them
    for ticket in tickets:
        assert [e.kind for e in sla_events(ticket)] == ["sla_warning", "sla_breached"]
