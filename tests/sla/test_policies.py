"""Policies (first match, fallback, versions, calendar source), calendar edits, recompute."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from okno.sla.actions import apply_calendar_edit, publish_policy, save_calendar
from okno.sla.models import Calendar, CalendarVersion, SlaClock, SlaPolicyVersion, SlaTarget
from okno.tickets import actions

from .conftest import WEEK, berlin, clock, clocks_of

pytestmark = pytest.mark.django_db


def open_for(requester, service=None, **extra):
    return actions.open_ticket(
        actor=requester, title="Mail down", description="Since 9.", service=service, **extra
    )


def test_the_first_matching_policy_wins_and_a_policy_without_conditions_is_the_fallback(
    make_policy, requester, outsider, acme, service, travel
):
    travel("2026-03-02 09:00")
    make_policy("Fallback", order=100)
    make_policy(
        "Acme printing",
        order=10,
        services=[service],
        organizations=[acme],
        targets=[{"kind": "resolution", "amount": 1, "unit": "hours"}],
    )
    make_policy("Changes", order=5, ticket_types=["change"])
    acme_ticket = open_for(requester, service)
    other = open_for(outsider, service)
    assert acme_ticket.sla.policy_version.policy.name == "Acme printing"
    assert other.sla.policy_version.policy.name == "Fallback"
    change = open_for(requester, service, type="change")
    assert change.sla.policy_version.policy.name == "Changes"


def test_conditions_on_priority_and_channel(make_policy, requester, travel):
    travel("2026-03-02 09:00")
    make_policy("Fallback", order=100)
    make_policy("Urgent email", order=1, priorities=[1], channels=["email"])
    urgent = open_for(requester, impact=1, urgency=1, channel="email")
    normal = open_for(requester, channel="email")
    assert urgent.sla.policy_version.policy.name == "Urgent email"
    assert normal.sla.policy_version.policy.name == "Fallback"


def test_policy_edits_apply_to_new_clocks_until_open_clocks_are_recomputed(
    policy, requester, service, travel
):
    travel("2026-03-02 09:00")
    before = open_for(requester, service)
    SlaTarget.objects.filter(policy=policy, kind="resolution").update(amount=8)
    publish_policy(policy, actor=None)
    assert SlaPolicyVersion.objects.filter(policy=policy).count() == 2
    after = open_for(requester, service)
    assert clock(before).due_at == berlin("2026-03-03 16:00")  # pinned: 16 h
    assert clock(after).due_at == berlin("2026-03-02 17:00")  # new version: 8 h
    call_command("okno_sla", "recompute", "--open", "--latest", stdout=io.StringIO())
    assert clock(before).due_at == berlin("2026-03-02 17:00")
    assert clock(before).policy_version.version == 2


def test_publishing_an_unchanged_policy_makes_no_new_version(policy):
    assert publish_policy(policy, actor=None).version == 1
    assert SlaPolicyVersion.objects.filter(policy=policy).count() == 1


def test_the_policy_chooses_the_calendar_source(make_policy, requester, service, l1, travel):
    team_calendar = Calendar(name="L1 shifts", timezone="Europe/Berlin", hours={"mon": []})
    save_calendar(team_calendar, actor=None)
    l1.calendar = team_calendar
    l1.save()
    make_policy(
        calendar_source="team", targets=[{"kind": "resolution", "amount": 1, "unit": "hours"}]
    )
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    assert clock(ticket).calendar_version.calendar == team_calendar
    assert clock(ticket).due_at is None  # that calendar never works: no due time


def test_a_team_without_a_calendar_falls_back_to_the_policy_calendar_then_24x7(
    make_policy, requester, service, travel
):
    make_policy(
        calendar_source="team", targets=[{"kind": "resolution", "amount": 1, "unit": "hours"}]
    )
    make_policy(
        "Round the clock",
        order=1,
        calendar_source="none",
        ticket_types=["problem"],
        targets=[{"kind": "resolution", "amount": 1, "unit": "hours"}],
    )
    travel("2026-03-06 21:00")
    office = open_for(requester, service)
    always = open_for(requester, service, type="problem")
    assert clock(office).calendar_version.calendar.name == "Berlin office"
    assert clock(always).calendar_version is None
    assert clock(always).due_at == berlin("2026-03-06 22:00")


def test_calendar_edits_recompute_only_the_future_part_of_open_clocks(
    calendar, policy, requester, agent, service, travel, django_capture_on_commit_callbacks
):
    travel("2026-03-02 09:00")  # Monday
    ticket = open_for(requester, service)
    done = open_for(requester, service)
    actions.change_status(
        done,
        actor=agent,
        status=__import__("okno.tickets.models", fromlist=["Status"]).Status.objects.get(
            key="resolved"
        ),
    )
    assert clock(ticket).due_at == berlin("2026-03-03 16:00")
    travel("2026-03-02 12:00")
    calendar.holidays = ["2026-03-03", "2026-03-02"]  # today's past hours still count as worked
    version = save_calendar(calendar, actor=None)
    assert version.version == 2
    assert apply_calendar_edit(version.pk) == 1  # only the open ticket
    resolution = clock(ticket)
    assert resolution.calendar_version == version
    # 3 h used Monday morning under v1; 13 h left from Wednesday 08:00 -> Thursday 12:00.
    assert resolution.due_at == berlin("2026-03-05 12:00")
    assert clock(done).calendar_version.version == 1
    assert apply_calendar_edit(version.pk) == 0  # idempotent
    out = io.StringIO()
    call_command("okno_sla", "recompute", "--all", "--check", stdout=out)
    assert "0 field(s) differ" in out.getvalue()


def test_bad_calendars_are_refused_with_the_field_named(db):
    calendar = Calendar(name="Broken", timezone="Mars/Olympus", hours=WEEK)
    with pytest.raises(ValidationError) as error:
        save_calendar(calendar, actor=None)
    assert "timezone" in error.value.message_dict
    calendar = Calendar(name="Broken", timezone="UTC", hours={"mon": [["17:00", "08:00"]]})
    with pytest.raises(ValidationError) as error:
        save_calendar(calendar, actor=None)
    assert "hours" in error.value.message_dict
    assert not Calendar.objects.exists()
    assert not CalendarVersion.objects.exists()


def test_recompute_reproduces_stored_clocks_on_the_demo_data(db, settings, tmp_path):
    from okno.ops.demo import create_demo

    settings.DATA_DIR = tmp_path  # the demo writes its logins file there
    create_demo(tickets=16, seed=3)
    assert SlaClock.objects.count() > 16
    assert SlaClock.objects.filter(state="met").exists()
    out = io.StringIO()
    call_command("okno_sla", "recompute", "--all", "--check", stdout=out)
    assert "16 ticket(s), 0 field(s) differ" in out.getvalue()
    before = list(SlaClock.objects.order_by("pk").values())
    call_command("okno_sla", "recompute", "--all", stdout=io.StringIO())
    after = list(SlaClock.objects.order_by("pk").values())
    for row in before + after:
        row.pop("updated_at")
    assert before == after


def test_recompute_rebuilds_a_clock_that_was_tampered_with(policy, requester, service, travel):
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    SlaClock.objects.filter(ticket=ticket).update(due_at=None, used_seconds=42)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("okno_sla", "recompute", str(ticket.pk), "--check", stdout=out)
    assert "due_at" in out.getvalue()
    call_command("okno_sla", "recompute", str(ticket.pk), stdout=io.StringIO())
    assert clock(ticket).due_at == berlin("2026-03-03 16:00")
    assert set(clocks_of(ticket)) == {("first_response", 1), ("resolution", 1)}


def test_a_reclassified_ticket_keeps_its_policy_until_open_clocks_are_recomputed(
    make_policy, requester, agent, service, travel
):
    from okno.catalog.models import Service

    network = Service.objects.create(name="Network", owner_team=service.owner_team)
    make_policy("Fallback", order=100)
    make_policy(
        "Network",
        order=1,
        services=[network],
        targets=[{"kind": "resolution", "amount": 2, "unit": "hours"}],
    )
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    actions.update_ticket(ticket, actor=agent, service=network)
    assert clock(ticket).policy_version.policy.name == "Fallback"
    call_command("okno_sla", "recompute", "--open", "--latest", stdout=io.StringIO())
    assert clock(ticket).policy_version.policy.name == "Network"
    assert clock(ticket).due_at == berlin("2026-03-02 11:00")
