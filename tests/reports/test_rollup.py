"""Folding the event log into daily rollups: exact figures, idempotence, rebuild = incremental."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from okno.reports import rollup
from okno.reports.models import COUNTERS, BacklogSnapshot, CsatDaily, DailyRollup, RollupState
from okno.reports.queries import median_seconds
from okno.tickets.models import TicketEvent

from .conftest import ZONE

D3, D4, D5 = date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5)


def table() -> dict[tuple, dict[str, float]]:
    rows = DailyRollup.objects.values("day", "team_id", "service_id", "priority", "assignee_id")
    return {
        (r["day"], r["team_id"], r["service_id"], r["priority"], r["assignee_id"]): {
            c: r[c] for c in COUNTERS
        }
        for r in rows.values(
            "day", "team_id", "service_id", "priority", "assignee_id", *COUNTERS
        ).order_by()
    }


def per_day() -> dict[date, Counter]:
    out: dict[date, Counter] = {}
    for (day, *_key), counters in table().items():
        out.setdefault(day, Counter()).update({k: v for k, v in counters.items() if v})
    return out


def csat_rows() -> set[tuple]:
    return set(
        CsatDaily.objects.values_list(
            "day", "team_id", "agent_id", "ratings", "score_sum", "satisfied", "unhappy"
        )
    )


def test_fold_counts_each_figure_on_its_local_day(history, l1, l2, agent):
    report = rollup.fold()
    assert report.events > 0 and not report.skipped
    days = per_day()
    assert set(days) == {D3, D4, D5}  # T1's 22:30 UTC creation is 03-03 in Moscow
    d3 = days[D3]
    assert d3["created"] == 2 and d3["responses"] == 2 and d3["resolved"] == 2
    assert d3["response_seconds"] == pytest.approx(20 * 60 + 2 * 3600, abs=1)
    assert d3["resolution_seconds"] == pytest.approx(2.5 * 3600 + 6 * 3600, abs=1)
    assert (d3["sla_response_met"], d3["sla_response_breached"]) == (1, 1)
    assert (d3["sla_resolution_met"], d3["sla_resolution_breached"]) == (1, 1)
    assert d3["response_b1"] == 1 and d3["response_b2"] == 1  # 20 min, 2 h
    d4 = days[D4]
    assert (d4["created"], d4["reopened"], d4["resolved"]) == (1, 1, 1)
    assert d4["resolution_seconds"] == pytest.approx(26 * 3600, abs=1)
    assert d4["sla_resolution_breached"] == 1 and not d4["sla_resolution_met"]
    d5 = days[D5]
    assert (d5["created"], d5["resolved"], d5["closed"]) == (1, 1, 1)
    assert d5["sla_resolution_met"] == 1 and not d5["sla_response_met"]
    # dimensions: T4 is l2's, unassigned; T1/T2 are l1's
    assert {k[1] for k in table() if k[0] == D5} == {l2.pk}
    assert all(k[1] == l1.pk for k in table() if k[0] == D3)
    # the re-rating replaced the score: one rating of 2 on 03-03 (02:00 UTC = 05:00 MSK)
    assert csat_rows() == {(D3, l1.pk, agent.pk, 1, 2, 0, 1)}
    # backlog: T3 only
    assert list(BacklogSnapshot.objects.values_list("team_id", "tickets")) == [(l1.pk, 1)]


def reference_from_events() -> dict[date, Counter]:
    """The same figures computed directly from the log, one event at a time."""
    zone = ZoneInfo(ZONE)
    out: dict[date, Counter] = {}
    for event in TicketEvent.objects.select_related("ticket").order_by("pk"):
        day = event.created_at.astimezone(zone).date()
        took = (event.created_at - event.ticket.created_at).total_seconds()
        c = out.setdefault(day, Counter())
        if event.kind == "created":
            c["created"] += 1
        elif event.kind == "reopened":
            c["reopened"] += 1
        elif event.kind == "first_response":
            c["responses"] += 1
            c["response_seconds"] += took
        elif event.kind == "status_changed":
            new, old = event.data["new_category"], event.data["old_category"]
            if new in ("resolved", "closed") and old in ("new", "open", "waiting"):
                c["resolved"] += 1
                c["resolution_seconds"] += took
            if new == "closed":
                c["closed"] += 1
    return {d: +c for d, c in out.items() if +c}


def test_fold_matches_a_direct_computation_from_the_log(history):
    rollup.fold()
    names = ("created", "reopened", "responses", "resolved", "closed")
    folded = {d: Counter({k: c[k] for k in names if c[k]}) for d, c in per_day().items()}
    reference = reference_from_events()
    assert folded == {d: Counter({k: c[k] for k in names if c[k]}) for d, c in reference.items()}
    for day, c in reference.items():
        for name in ("response_seconds", "resolution_seconds"):
            assert per_day()[day][name] == pytest.approx(c[name], abs=1)


def test_folding_twice_changes_nothing(history):
    rollup.fold()
    before = (table(), csat_rows())
    again = rollup.fold()
    assert again.events == 0
    assert (table(), csat_rows()) == before


def test_events_younger_than_the_lag_wait_for_the_next_run(history, requester, service):
    from okno.tickets.actions import open_ticket

    rollup.fold()
    history.go("2026-03-05 12:00")
    open_ticket(actor=requester, title="Fresh", description="Just now.", service=service)
    history.go("2026-03-05 12:01")
    assert rollup.fold().events == 0
    assert per_day()[D5]["created"] == 1
    history.go("2026-03-05 12:03")
    assert rollup.fold().events > 0
    assert per_day()[D5]["created"] == 2


def test_folding_in_small_batches_equals_one_batch(history):
    rollup.fold(batch=3)
    small = table()
    call_command("okno_reports", "rebuild")
    assert table() == small


def test_rebuild_equals_incremental_and_keeps_the_watermark(history, requester, service):
    from okno.tickets.actions import open_ticket

    rollup.fold(batch=2)
    incremental, ratings = table(), csat_rows()
    watermark = RollupState.objects.get().event_watermark
    DailyRollup.objects.update(created=99)  # damage; the rebuild repairs
    result = rollup.rebuild()
    assert table() == incremental and csat_rows() == ratings
    assert result.watermark == watermark
    # a partial rebuild recomputes from its day on, the days before stay as they are
    DailyRollup.objects.filter(day=D3).update(created=7)
    DailyRollup.objects.filter(day=D5).update(created=7)
    call_command("okno_reports", "rebuild", "--since", "2026-03-04")
    assert per_day()[D3]["created"] == 7 * DailyRollup.objects.filter(day=D3).count()
    assert per_day()[D5]["created"] == 1
    # events after a rebuild are folded once by the next run
    history.go("2026-03-05 13:00")
    open_ticket(actor=requester, title="Later", description="After.", service=service)
    history.go("2026-03-05 14:00")
    rollup.fold()
    assert per_day()[D5]["created"] == 2


def test_rebuild_since_rejects_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("okno_reports", "rebuild", "--since", "March")


def test_backlog_is_refreshed_when_due(history, agent):
    from okno.tickets import actions
    from okno.tickets.models import StatusCategory

    rollup.fold()
    actions.change_status(
        history.tickets["T3"],
        actor=agent,
        status=actions.default_status(StatusCategory.RESOLVED),
    )
    assert rollup.fold().backlog is False  # counted less than BACKLOG_EVERY ago
    history.go("2026-03-05 12:10")
    assert rollup.fold().backlog is True
    assert not BacklogSnapshot.objects.filter(tickets__gt=0).exists()


def test_median_is_estimated_inside_its_bucket():
    assert median_seconds([0] * 8) is None
    assert median_seconds([2, 0, 0, 0, 0, 0, 0, 0]) == pytest.approx(450)  # half of 15 min
    assert median_seconds([0, 1, 1, 0, 0, 0, 0, 0]) == pytest.approx(3600)
    assert median_seconds([0, 0, 0, 0, 0, 0, 0, 5]) == 7 * 86400  # open bucket: lower edge


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_concurrent_folds_count_every_event_once(requester, service, agent):
    from okno.tickets.actions import open_ticket

    for n in range(30):
        open_ticket(actor=requester, title=f"Load {n}", description="x", service=service)
    later = timezone.now() + timedelta(minutes=5)
    barrier, errors = threading.Barrier(4), []

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(5):
                rollup.fold(now=later, batch=7)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    barrier.wait()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r.created for r in DailyRollup.objects.all()) == 30
    assert RollupState.objects.get().event_watermark == TicketEvent.objects.latest("pk").pk
