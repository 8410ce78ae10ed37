"""Queue score (weights, AHP, breakdown, breached first) and the read functions for the UI."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from okno.priority import scoring
from okno.priority.models import ScoreSettings, TicketScore
from okno.sla import queries
from okno.sla.score import save_score_settings
from okno.sla.sweep import sweep
from okno.tickets import actions
from okno.tickets.models import Status, Ticket

from .conftest import berlin

pytestmark = pytest.mark.django_db


def open_for(requester, service, **extra):
    return actions.open_ticket(
        actor=requester, title="Slow CRM", description="Minutes per page.", service=service, **extra
    )


def test_every_ticket_gets_a_score_with_each_factors_contribution(
    policy, requester, service, travel
):
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    stored = TicketScore.objects.get(ticket=ticket)
    assert [f["name"] for f in stored.factors] == list(scoring.FACTORS)
    assert sum(f["contribution"] for f in stored.factors) == pytest.approx(stored.total)
    assert Ticket.objects.get(pk=ticket.pk).score == pytest.approx(stored.total)


def test_higher_priority_and_vip_customers_score_higher(
    policy, requester, outsider, acme, service, travel
):
    travel("2026-03-02 09:00")
    acme.vip = True
    acme.save()
    vip = open_for(requester, service)
    normal = open_for(outsider, service)
    urgent = open_for(outsider, service, impact=1, urgency=1)
    scores = {t: Ticket.objects.get(pk=t.pk).score for t in (vip, normal, urgent)}
    assert scores[vip] > scores[normal]
    assert scores[urgent] > scores[normal]
    tier = next(f for f in vip.score_breakdown.factors if f["name"] == "tier")
    assert tier["value"] == 1.0


def test_breached_tickets_sort_first(make_policy, requester, service, travel):
    make_policy(
        targets=[
            {"kind": "resolution", "amount": 1, "unit": "hours"},
            {"kind": "resolution", "priority": 5, "amount": 40, "unit": "hours"},
        ]
    )
    travel("2026-03-02 09:00")
    low = open_for(requester, service, impact=3, urgency=3)  # priority 5, long target
    travel("2026-03-02 09:30")
    high = open_for(requester, service, impact=1, urgency=1)
    travel("2026-03-02 10:05")  # `low` is not breached, `high` (1 h) is not yet either
    sweep()
    travel("2026-03-02 10:45")
    sweep()  # `high` breached at 10:30
    order = list(Ticket.objects.order_by("-score").values_list("pk", flat=True))
    assert order[0] == high.pk
    assert Ticket.objects.get(pk=high.pk).score > 100 > Ticket.objects.get(pk=low.pk).score


def test_time_to_breach_raises_the_score_as_the_clock_runs(policy, requester, service, travel):
    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    fresh = Ticket.objects.get(pk=ticket.pk).score
    travel("2026-03-03 12:00")
    actions.refresh_sla(ticket, actor=None)
    assert Ticket.objects.get(pk=ticket.pk).score > fresh


def test_weights_set_directly_are_normalized(admin):
    settings = save_score_settings(actor=admin, weights={"priority": 3, "age": 1})
    assert settings.weights["priority"] == pytest.approx(0.75)
    assert settings.mode == ScoreSettings.Mode.DIRECT
    with pytest.raises(ValidationError) as error:
        save_score_settings(actor=admin, weights={"colour": 1})
    assert "weights" in error.value.message_dict


def test_weights_from_pairwise_comparisons_need_a_consistency_ratio_below_0_1(admin):
    n = len(scoring.FACTORS)
    consistent = [[1.0] * n for _ in range(n)]
    for j in range(1, n):
        consistent[0][j], consistent[j][0] = 3.0, 1 / 3
    settings = save_score_settings(actor=admin, ahp_matrix=consistent)
    assert settings.mode == ScoreSettings.Mode.AHP
    assert settings.consistency_ratio < 0.1
    assert settings.weights["priority"] > settings.weights["age"]
    contradictory = [row[:] for row in consistent]
    contradictory[1][2], contradictory[2][1] = 9.0, 1 / 9
    contradictory[2][3], contradictory[3][2] = 9.0, 1 / 9
    contradictory[1][3], contradictory[3][1] = 1 / 9, 9.0
    with pytest.raises(ValidationError) as error:
        save_score_settings(actor=admin, ahp_matrix=contradictory)
    assert "consistency ratio" in str(error.value.message_dict["ahp_matrix"])
    assert ScoreSettings.current().ahp_matrix == consistent  # nothing half-saved


def test_clocks_for_a_page_of_tickets_take_one_query(
    policy, requester, service, travel, django_assert_num_queries
):
    travel("2026-03-02 09:00")
    tickets = [open_for(requester, service) for _ in range(5)]
    travel("2026-03-02 12:30")
    with django_assert_num_queries(1):
        page = queries.clocks_for_tickets(tickets)
    views = page[tickets[0].pk]
    assert [v.kind for v in views] == ["first_response", "resolution"]
    first = views[0]
    assert first.level == "warning"  # 3.5 of 4 h used
    assert first.remaining_seconds == 1800
    assert queries.headline(views) == first


def test_explain_shows_counted_windows_pauses_and_skipped_holidays(
    calendar, policy, requester, agent, service, travel
):
    from okno.sla.actions import apply_calendar_edit, save_calendar

    calendar.holidays = ["2026-03-03"]
    apply_calendar_edit(save_calendar(calendar, actor=None).pk)
    travel("2026-03-02 16:00")
    ticket = open_for(requester, service)
    actions.change_status(ticket, actor=agent, status=Status.objects.get(key="waiting_customer"))
    travel("2026-03-04 09:00")
    actions.change_status(ticket, actor=agent, status=Status.objects.get(key="open"))
    result = queries.explain(ticket)
    assert result.policy == "Standard"
    assert result.calendars[0]["name"] == "Berlin office"
    resolution = next(c for c in result.clocks if c.clock.kind == "resolution")
    detail = resolution.explanation
    assert detail.due == berlin("2026-03-05 16:00")  # 8 h Wednesday + 8 h Thursday
    assert [s.reason for s in detail.skipped][:1] == ["holiday"]
    assert detail.pauses[0].seconds == 3600 + 3600  # Monday 16-17 and Wednesday 08-09
    assert result.score["factors"][0]["name"] == "priority"


def test_compliance_shares_met_targets(policy, requester, agent, service, travel):
    travel("2026-03-02 09:00")
    quick = open_for(requester, service)
    slow = open_for(requester, service)
    travel("2026-03-02 10:00")
    actions.add_reply(quick, actor=agent, body="Done.")
    travel("2026-03-02 14:00")
    actions.add_reply(slow, actor=agent, body="Sorry for the wait.")
    rows = {r["kind"]: r for r in queries.compliance()}
    first = rows["first_response"]
    assert (first["group"], first["total"], first["met"], first["breached"]) == (
        "Printing",
        2,
        1,
        1,
    )
    assert first["share_met"] == 0.5


def test_the_rescoring_job_refreshes_active_tickets(policy, requester, service, travel):
    from okno.sla.tasks import rescore_open_tickets

    travel("2026-03-02 09:00")
    ticket = open_for(requester, service)
    before = Ticket.objects.get(pk=ticket.pk).score
    travel("2026-03-03 15:00")
    assert rescore_open_tickets.call() == 1
    assert Ticket.objects.get(pk=ticket.pk).score > before


def test_policies_overview_feeds_the_sla_document(policy, service, django_assert_max_num_queries):
    policy.services.add(service)
    with django_assert_max_num_queries(5):
        (overview,) = queries.policies_overview()
    assert overview.name == "Standard"
    assert overview.conditions["services"] == ["Printing"]
    assert overview.calendar["timezone"] == "Europe/Berlin"
    assert {t["kind"] for t in overview.targets} == {
        "first_response",
        "next_response",
        "resolution",
    }
