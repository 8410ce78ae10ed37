"""Keeping the daily rollups: the periodic incremental fold and the full (or partial) rebuild.

The fold reads the append-only event log past a watermark (an event id) and adds what it finds
to the rollups, in the same transaction that moves the watermark, under a lock on the single
``RollupState`` row: two workers never fold the same events, and a crash folds nothing twice.
Events younger than ``LAG`` wait for the next run, because an id is taken at insert time and a
transaction still open with a lower id would otherwise be skipped for ever (docs/reports.md).
"""

from __future__ import annotations

import logging
import time as clock
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from okno.tickets.models import TicketEvent

from . import sql
from .models import CsatDaily, DailyRollup, RollupState

logger = logging.getLogger("okno.reports")

LAG = timedelta(minutes=2)  # far longer than any ticket action's transaction
BATCH = 20_000  # event ids per transaction
MAX_BATCHES = 25  # per run, so a run after a bulk import stays bounded
BACKLOG_EVERY = timedelta(minutes=5)


def reporting_zone() -> str:
    """The zone whose calendar days the rollups use (``OKNO_TIME_ZONE`` unless set apart)."""
    return str(getattr(settings, "REPORTS_TIME_ZONE", "") or settings.DEFAULT_USER_TIME_ZONE)


def local_day(instant: datetime, zone: str) -> date:
    return instant.astimezone(ZoneInfo(zone)).date()


def day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))


@dataclass
class FoldReport:
    events: int = 0  # event ids covered (watermark moved by)
    batches: int = 0
    rating_days: int = 0
    backlog: bool = False
    skipped: bool = False  # another worker holds the lock


def _state(*, wait: bool) -> RollupState | None:
    """Lock the state row inside the caller's transaction (``None``: someone else has it)."""
    RollupState.objects.get_or_create(pk=1, defaults={"zone": reporting_zone()})
    rows = RollupState.objects.filter(pk=1)
    if connection.vendor == "postgresql" and not wait:
        return rows.select_for_update(skip_locked=True).first()
    # SQLite: every transaction here is BEGIN IMMEDIATE (settings), which serializes writers.
    return rows.select_for_update().first()


def _upper_bound(watermark: int, cutoff: datetime, batch: int) -> int:
    """The highest id to fold now: at most ``batch`` ids on, and before the first recent event."""
    nxt = TicketEvent.objects.filter(pk__gt=watermark).aggregate(n=Min("pk"))["n"]
    if nxt is None:
        return watermark
    window = TicketEvent.objects.filter(pk__gte=nxt, pk__lt=nxt + batch)
    recent = window.filter(created_at__gte=cutoff).aggregate(n=Min("pk"))["n"]
    if recent is not None:
        return recent - 1 if recent > nxt else watermark
    return int(window.aggregate(n=Max("pk"))["n"])


def _fold_range(low: int, high: int, zone: str) -> int:
    """Fold events (low, high]; re-count the rating days those events touched."""
    sql.fold_events("e.id > %s AND e.id <= %s", [low, high], zone)
    days = sql.rated_days(low, high, zone)
    if days:
        CsatDaily.objects.filter(day__in=days).delete()
        for day in days:
            start = day_start(date.fromisoformat(day), zone)
            end = day_start(date.fromisoformat(day) + timedelta(days=1), zone)
            where = "r.created_at >= %s AND r.created_at < %s"
            sql.fold_ratings(where, [start, end], zone, add=False)
    return len(days)


def fold(
    *,
    lag: timedelta = LAG,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
    now: datetime | None = None,
) -> FoldReport:
    """Fold what the event log gained since the last run; refresh the backlog when it is due."""
    now = now or timezone.now()
    report = FoldReport()
    for _ in range(max_batches):
        with transaction.atomic():
            state = _state(wait=False)
            if state is None:
                report.skipped = True
                return report
            low = state.event_watermark
            high = _upper_bound(low, now - lag, batch)
            if high <= low:
                break
            report.rating_days += _fold_range(low, high, state.zone)
            state.event_watermark, state.folded_at = high, timezone.now()
            state.save(update_fields=["event_watermark", "folded_at"])
            report.events += high - low
            report.batches += 1
    with transaction.atomic():
        state = _state(wait=False)
        if state is None:
            report.skipped = True
        elif state.backlog_at is None or state.backlog_at <= now - BACKLOG_EVERY:
            refresh_backlog(state, now)
            report.backlog = True
    return report


def refresh_backlog(state: RollupState, now: datetime) -> None:
    """Count the active tickets now (caller holds the state lock)."""
    sql.snapshot_backlog(local_day(now, state.zone).isoformat())
    state.backlog_at = now
    state.save(update_fields=["backlog_at"])


@dataclass
class RebuildReport:
    rows: int
    rating_rows: int
    watermark: int
    seconds: float


def rebuild(*, since: date | None = None, lag: timedelta = LAG) -> RebuildReport:
    """Recompute the rollups from the event log and the ratings, from ``since`` (a reporting
    day) or from the beginning, in one transaction (readers keep the old rows until it commits).

    A full rebuild also adopts the current reporting zone and takes a fresh watermark; a
    partial one keeps both, so the periodic fold carries on exactly where it was.
    """
    started = clock.monotonic()
    now = timezone.now()
    with transaction.atomic():
        state = _state(wait=True)
        assert state is not None
        zone = state.zone
        rollups, ratings = DailyRollup.objects.all(), CsatDaily.objects.all()
        event_where, rating_where = "e.id <= %s", "1 = 1"
        if since is None:
            zone = state.zone = reporting_zone()
            recent = TicketEvent.objects.filter(created_at__gte=now - lag).aggregate(n=Min("pk"))
            if recent["n"] is not None:
                state.event_watermark = recent["n"] - 1
            else:
                state.event_watermark = TicketEvent.objects.aggregate(n=Max("pk"))["n"] or 0
            params: list[object] = [state.event_watermark]
            rating_params: list[object] = []
        else:
            start = day_start(since, zone)
            rollups, ratings = rollups.filter(day__gte=since), ratings.filter(day__gte=since)
            event_where += " AND e.created_at >= %s"
            rating_where = "r.created_at >= %s"
            params, rating_params = [state.event_watermark, start], [start]
        rollups.delete()
        ratings.delete()
        sql.fold_events(event_where, params, zone, add=False)
        sql.fold_ratings(rating_where, rating_params, zone, add=False)
        refresh_backlog(state, now)
        state.rebuilt_at = timezone.now()
        state.save()
    if connection.vendor == "postgresql":
        # The replaced rows are dead tuples the dashboard's index scan would still visit.
        verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            for table in ("reports_dailyrollup", "reports_csatdaily", "reports_backlogsnapshot"):
                cursor.execute(f"{verb} {table}")
    return RebuildReport(
        rows=DailyRollup.objects.count(),
        rating_rows=CsatDaily.objects.count(),
        watermark=state.event_watermark,
        seconds=clock.monotonic() - started,
    )
