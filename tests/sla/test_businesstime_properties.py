"""Property tests: the analytic engine against a naive minute-stepping reference.

The reference marks each working UTC minute in a bytearray (windows mapped from local wall-clock
with fold=0, as SLA.md says; breaks removed per date) and answers by stepping minute by minute.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okno.sla.businesstime import WEEKDAYS, Calendar

MINUTE = 60
DAYS = 21  # the region where starts, ends and due times must lie
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Europe/Moscow", "Australia/Lord_Howe"]
# Region starts near DST transitions (both directions, both hemispheres) and a new year.
FIRST_DAYS = [date(2024, 3, 4), date(2024, 10, 22), date(2026, 3, 24), date(2025, 3, 30)]
FIRST_DAYS += [date(2025, 12, 24), date(2026, 10, 19), date(2024, 9, 28)]

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


def hhmm(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# Window boundaries anywhere, with extra weight on the DST hours (01:00-03:30) and midnight.
boundaries = st.one_of(st.integers(0, 1440), st.sampled_from([0, 60, 90, 120, 150, 180, 210, 1440]))
windows = st.lists(boundaries, max_size=6, unique=True).map(
    lambda cuts: [(a, b) for a, b in zip(sorted(cuts)[::2], sorted(cuts)[1::2], strict=False)]
)


@st.composite
def calendars(draw):
    """A random calendar spec (minute windows) with a 21-day region near a DST change."""
    first = draw(st.sampled_from(FIRST_DAYS)) + timedelta(days=draw(st.integers(0, 7)))
    offsets = st.integers(-1, DAYS)
    spec = {
        "zone": draw(st.sampled_from(ZONES)),
        "first": first,
        "hours": {day: draw(windows) for day in WEEKDAYS},
        "holidays": {first + timedelta(days=k) for k in draw(st.lists(offsets, max_size=3))},
        "shifts": {
            first + timedelta(days=k): draw(windows) for k in draw(st.lists(offsets, max_size=3))
        },
        "breaks": {
            first + timedelta(days=k): draw(windows) for k in draw(st.lists(offsets, max_size=3))
        },
    }
    if draw(st.booleans()):
        spec["hours"]["mon"] = [(0, 1440)] if draw(st.booleans()) else [(480, 1020)]
    return spec


def engine(spec):
    def fmt(spans):
        return [[hhmm(a), hhmm(b)] for a, b in spans]

    return Calendar(
        spec["zone"],
        {day: fmt(spans) for day, spans in spec["hours"].items()},
        holidays=spec["holidays"],
        shifts={day: fmt(spans) for day, spans in spec["shifts"].items()},
        breaks={day: fmt(spans) for day, spans in spec["breaks"].items()},
    )


class Reference:
    """Working minutes as a bytearray indexed from ``base`` (UTC midnight of the region start)."""

    def __init__(self, spec):
        zone = ZoneInfo(spec["zone"])
        self.base = datetime.combine(spec["first"], datetime.min.time(), tzinfo=UTC)
        self.size = (DAYS + 2) * 1440
        self.work = bytearray(self.size)
        for k in range(-2, DAYS + 3):
            day = spec["first"] + timedelta(days=k)
            if day in spec["holidays"]:
                continue
            spans = spec["shifts"].get(day, spec["hours"][WEEKDAYS[day.weekday()]])
            minutes = set()
            for a, b in spans:
                minutes.update(range(self.index(day, a, zone), self.index(day, b, zone)))
            for a, b in spec["breaks"].get(day, []):
                minutes.difference_update(range(self.index(day, a, zone), self.index(day, b, zone)))
            for m in minutes:
                if 0 <= m < self.size:
                    self.work[m] = 1

    def index(self, day, minute, zone):
        wall = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)
        moment = wall.replace(tzinfo=zone)  # fold=0: gap moves forward, overlap takes the first
        return int((moment - self.base).total_seconds()) // 60

    def at(self, minute):
        return self.base + timedelta(minutes=minute)

    def effective(self, pauses):
        eff = bytearray(self.work)
        for a, b in pauses:
            end = self.size if b is None else min(b, self.size)
            eff[a:end] = bytes(max(0, end - a))
        return eff

    def elapsed(self, a, b, pauses=()):
        return self.effective(pauses)[a:b].count(1)

    def window_ends(self, start, stop, pauses):
        """Minutes at which counting time stops (a working run ends) in ``(start, stop]``."""
        eff = self.effective(pauses)
        return [m + 1 for m in range(start, stop) if eff[m] and not eff[m + 1]]

    def due(self, start, target, pauses=()):
        eff = self.effective(pauses)
        count = 0
        for m in range(start, self.size):
            if eff[m]:
                if target == 0:
                    return m
                count += 1
                if count == target:
                    return m + 1
        return None


region_minutes = st.integers(1440, (DAYS + 1) * 1440)
pause_lists = st.lists(
    st.tuples(region_minutes, st.one_of(st.none(), st.integers(0, 3000))), max_size=3
).map(lambda ps: [(a, None if n is None else a + n) for a, n in ps])


def as_pauses(ref, pauses):
    return [(ref.at(a), None if b is None else ref.at(b)) for a, b in pauses]


@SETTINGS
@given(calendars(), region_minutes, st.integers(0, 10**6), pause_lists, st.booleans())
def test_due_matches_minute_stepping_reference(spec, start, draw_target, pauses, at_window_end):
    ref = Reference(spec)
    available = ref.elapsed(start, (DAYS + 1) * 1440, pauses)
    target = draw_target % (available + 1)
    ends = ref.window_ends(start, (DAYS + 1) * 1440, pauses)
    if at_window_end and ends:  # the end-of-window rule: due is 17:00, not the next morning
        target = ref.elapsed(start, ends[draw_target % len(ends)], pauses)
    expected = ref.due(start, target, pauses)
    if target == 0 and expected is None:
        return  # the first working instant lies beyond the reference region
    got = engine(spec).due(ref.at(start), target * MINUTE, as_pauses(ref, pauses))
    assert got == ref.at(expected)


@SETTINGS
@given(calendars(), region_minutes, st.integers(0, 1440), pause_lists)
def test_open_pause_before_the_target_is_reached_leaves_no_due_time(spec, start, extra, pauses):
    ref = Reference(spec)
    pauses = [*pauses, (start + extra, None)]
    reachable = ref.elapsed(start, (DAYS + 2) * 1440, pauses)
    got = engine(spec).due(ref.at(start), (reachable + 1) * MINUTE, as_pauses(ref, pauses))
    assert got is None


@SETTINGS
@given(calendars(), region_minutes, region_minutes, pause_lists)
def test_elapsed_matches_minute_stepping_reference(spec, a, b, pauses):
    ref = Reference(spec)
    expected = ref.elapsed(a, b, pauses) * MINUTE
    assert engine(spec).elapsed(ref.at(a), ref.at(b), as_pauses(ref, pauses)) == expected


instants = st.datetimes(
    min_value=datetime(2023, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
draws = st.integers(0, 10**9)
relative_pauses = st.lists(st.tuples(st.integers(-3000, 60_000), st.integers(0, 3000)), max_size=3)


def weekly_calendar(spec):
    """The engine calendar, or None when it has no weekly hours (working time would run out)."""
    calendar = engine(spec)
    return calendar if calendar.hours and any(calendar.hours) else None


def bounded(spec, draw):
    """A target of at most about eight weeks of the calendar's working time (in seconds)."""
    weekly = sum(b - a for spans in spec["hours"].values() for a, b in spans) * MINUTE
    return draw % (8 * weekly + 1)


@SETTINGS
@given(calendars(), instants, draws, relative_pauses)
def test_due_and_elapsed_are_inverse(spec, start, draw, offsets):
    calendar = weekly_calendar(spec)
    if calendar is None:
        return
    target = bounded(spec, draw)
    pauses = [(start + timedelta(minutes=a), start + timedelta(minutes=a + n)) for a, n in offsets]
    due = calendar.due(start, target, pauses)
    assert calendar.elapsed(start, due, pauses) == target
    if target:
        assert calendar.elapsed(start, due - timedelta(microseconds=1), pauses) < target
    else:
        assert calendar.next_working_instant(due) == due


@SETTINGS
@given(calendars(), instants, st.integers(0, 60 * 86400))
def test_due_of_elapsed_never_passes_the_end(spec, a, span):
    calendar = engine(spec)
    b = a + timedelta(seconds=span)
    spent = calendar.elapsed(a, b)
    if spent:
        due = calendar.due(a, spent)
        assert due <= b
        assert calendar.elapsed(due, b) == 0


@SETTINGS
@given(calendars(), instants, draws, draws)
def test_due_is_monotone_in_duration(spec, start, d1, d2):
    calendar = weekly_calendar(spec)
    if calendar is None:
        return
    t1, t2 = sorted((bounded(spec, d1), bounded(spec, d2)))
    assert calendar.due(start, t1) <= calendar.due(start, t2)


@SETTINGS
@given(calendars(), instants, st.integers(0, 10 * 86400 * 10**6), draws)
def test_due_is_monotone_in_start(spec, start, later_us, draw):
    calendar = weekly_calendar(spec)
    if calendar is None:
        return
    later = start + timedelta(microseconds=later_us)
    target = bounded(spec, draw)
    assert calendar.due(start, target) <= calendar.due(later, target)


@SETTINGS
@given(calendars(), instants, draws, st.lists(instants, max_size=4), st.integers(0, 60 * 86400))
def test_pauses_outside_working_time_change_nothing(spec, start, draw, pause_starts, span):
    calendar = weekly_calendar(spec)
    if calendar is None:
        return
    target = bounded(spec, draw)
    end = start + timedelta(seconds=span)
    pauses = [(p, calendar.next_working_instant(p)) for p in pause_starts]
    assert all(calendar.elapsed(p, q) == 0 for p, q in pauses)
    assert calendar.due(start, target, pauses) == calendar.due(start, target)
    assert calendar.elapsed(start, end, pauses) == calendar.elapsed(start, end)


@SETTINGS
@given(calendars(), instants, draws, relative_pauses)
def test_explain_counts_exactly_the_target(spec, start, draw, offsets):
    calendar = weekly_calendar(spec)
    if calendar is None:
        return
    target = bounded(spec, draw)
    pauses = [(start + timedelta(minutes=a), start + timedelta(minutes=a + n)) for a, n in offsets]
    explanation = calendar.explain(start, target, pauses)
    assert explanation.due == calendar.due(start, target, pauses)
    counted = sum(w.seconds for w in explanation.windows)
    assert counted == pytest.approx(target, abs=1e-6)  # windows hold µs fractions as floats
    windows_total = sum(calendar.elapsed(w.start, w.end) for w in explanation.windows)
    subtracted = sum(p.seconds for p in explanation.pauses)
    assert windows_total - counted == pytest.approx(subtracted, abs=1e-6)
    assert not any(calendar.is_working_day(d.day) for d in explanation.skipped)
