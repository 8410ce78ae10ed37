"""Throughput of ``Calendar.due`` on an 8x5 calendar with holidays (SLA.md: be fast).

Mon-Fri 08:00-17:00 Europe/Moscow with two years of Russian holidays (from the ``holidays``
package when importable), random starts over those two years, targets from one business minute
to 30 business days (30 x 9 h).
"""

import random
import time
from datetime import UTC, date, datetime, timedelta

from okno.sla.businesstime import Calendar

YEARS = (2026, 2027)
CALLS = 20_000
FALLBACK_HOLIDAYS = [
    "2026-01-01", "2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08",
    "2026-01-09", "2026-02-23", "2026-03-09", "2026-05-01", "2026-05-11", "2026-06-12",
    "2026-11-04", "2026-12-31", "2027-01-01", "2027-01-04", "2027-01-05", "2027-01-06",
    "2027-01-07", "2027-01-08", "2027-02-23", "2027-03-08", "2027-05-03", "2027-05-10",
    "2027-06-14", "2027-11-04",
]  # fmt: skip


def _holidays() -> list[date | str]:
    try:
        import holidays
    except ImportError:
        return list(FALLBACK_HOLIDAYS)
    return list(holidays.country_holidays("RU", years=YEARS))


def _calendar() -> Calendar:
    week = {day: [["08:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    return Calendar("Europe/Moscow", week, holidays=_holidays())


def run() -> list[tuple[str, float, str]]:
    calendar = _calendar()
    rng = random.Random(42)
    origin = datetime(YEARS[0], 1, 1, tzinfo=UTC)
    span = int((datetime(YEARS[-1] + 1, 1, 1, tzinfo=UTC) - origin).total_seconds())
    starts = [origin + timedelta(seconds=rng.randrange(span)) for _ in range(CALLS)]
    targets = [rng.randint(60, 30 * 9 * 3600) for _ in range(CALLS)]
    pairs = list(zip(starts, targets, strict=True))
    due = calendar.due
    for start, target in pairs:  # warm-up: expands and caches the years once
        due(start, target)
    calls = 0
    began = time.perf_counter()
    elapsed = 0.0
    while elapsed < 1.5:
        for start, target in pairs:
            due(start, target)
        calls += len(pairs)
        elapsed = time.perf_counter() - began
    return [("sla_due_per_s", calls / elapsed, "/s")]


if __name__ == "__main__":
    for name, value, unit in run():
        print(f"BENCH {name} {value:.0f} {unit}")
