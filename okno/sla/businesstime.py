"""Business-time arithmetic: pure Python, no Django.

A :class:`Calendar` describes working time as local wall-clock windows (weekly hours, date shifts,
breaks, holidays) in an IANA time zone. It is expanded lazily, a range of local years at a time,
into sorted UTC working intervals with prefix sums of their lengths, so every question is two
binary searches instead of a walk over minutes:

- ``B(a, b) = |[a, b) ∩ W|`` is ``P(b) - P(a)`` where ``P`` is the working time before an instant;
- the due time for a target ``T`` is the instant whose position is ``P(start) + T``.

All instants are handled internally as integer microseconds since the Unix epoch (exact, unlike
float seconds), and returned as aware UTC datetimes; callers convert to the zone they display.

Local-time rules (SLA.md): a wall-clock time in a spring-forward gap moves forward by the gap, an
ambiguous fall-back time takes its first occurrence (``fold=0``, which gives exactly both rules);
elapsed time is always real seconds.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "WEEKDAYS",
    "Calendar",
    "CalendarError",
    "CountedWindow",
    "Explanation",
    "NoWorkingTimeError",
    "Pause",
    "SkippedDate",
    "SubtractedPause",
    "format_clock",
    "parse_clock",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_SECONDS = 86_400
_US = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FOREVER = 1 << 62  # an open-ended pause ends here (beyond datetime's range)
_LAST_YEAR = 9998  # the last local year expanded; datetime ends in 9999
_NEAR_YEARS = 10  # a cached range this close to a new instant is widened, not replaced
_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")

Span = tuple[int, int]
"""A local window in seconds since local midnight, ``[start, end)``, ``end`` up to 86400."""
DaySpans = tuple[Span, ...]
Pause = tuple[datetime, datetime | None]
"""A pause interval; ``end=None`` means still paused (open-ended)."""
Number = int | float
DatedWindows = Mapping[date, Sequence[object]] | Mapping[str, Sequence[object]]
"""Windows per date, keyed by ``date`` or ``YYYY-MM-DD``."""

_FULL_DAY: DaySpans = ((0, DAY_SECONDS),)


class CalendarError(ValueError):
    """An invalid calendar definition; ``field`` names where (``hours.mon[1]``, ``timezone``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NoWorkingTimeError(ValueError):
    """The calendar has too little working time left to ever reach the target."""


# --- parsing and validation -------------------------------------------------------------------


def parse_clock(value: object, field: str) -> int:
    """Parse ``HH:MM[:SS]`` (``24:00`` allowed) or a ``time`` into seconds since midnight."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise CalendarError(field, "a window time must be a local wall-clock time")
        return value.hour * 3600 + value.minute * 60 + value.second
    if not isinstance(value, str):
        raise CalendarError(field, f"expected a time like '08:00', got {value!r}")
    match = _CLOCK_RE.match(value.strip())
    if match is None:
        raise CalendarError(field, f"bad time {value!r}, expected HH:MM")
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if minutes > 59 or seconds > 59 or total > DAY_SECONDS:
        raise CalendarError(field, f"bad time {value!r}, must be between 00:00 and 24:00")
    return total


def format_clock(seconds: int) -> str:
    """Format seconds since midnight as ``HH:MM`` (``HH:MM:SS`` when seconds are present)."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _parse_spans(raw: object, field: str) -> DaySpans:
    """Validate one day's windows: each ``[start, end]`` with end after start, none overlapping.

    Touching windows (09-12, 12-17) are merged; the result is sorted.
    """
    if not isinstance(raw, list | tuple):
        raise CalendarError(field, "expected a list of [start, end] windows")
    indexed: list[tuple[int, int, int]] = []
    for k, item in enumerate(raw):
        where = f"{field}[{k}]"
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise CalendarError(where, "expected a [start, end] pair")
        start = parse_clock(item[0], where)
        end = parse_clock(item[1], where)
        if start == DAY_SECONDS:
            raise CalendarError(where, "a window cannot start at 24:00")
        if end <= start:
            raise CalendarError(
                where,
                f"end {format_clock(end)} is not after start {format_clock(start)} "
                "(write an overnight shift as two windows)",
            )
        indexed.append((start, end, k))
    indexed.sort()
    merged: list[Span] = []
    prev_k = -1
    for start, end, k in indexed:
        if merged and start < merged[-1][1]:
            raise CalendarError(f"{field}[{k}]", f"overlaps {field}[{prev_k}]")
        if merged and start == merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
        prev_k = k
    return tuple(merged)


def _parse_date(value: object, field: str) -> date:
    if isinstance(value, datetime):
        raise CalendarError(field, "expected a date, got a datetime")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CalendarError(field, f"bad date {value!r}, expected YYYY-MM-DD")


def _parse_dated_spans(raw: DatedWindows | None, field: str) -> dict[date, DaySpans]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise CalendarError(field, "expected a mapping of date -> windows")
    out: dict[date, DaySpans] = {}
    for key, spans in raw.items():
        day = _parse_date(key, f"{field}.{key}")
        if day in out:
            raise CalendarError(f"{field}.{key}", "date given twice")
        out[day] = _parse_spans(spans, f"{field}.{day.isoformat()}")
    return out


def _subtract(spans: Sequence[Span], cuts: Sequence[Span]) -> DaySpans:
    """Remove ``cuts`` (sorted by start) from each of ``spans``."""
    out: list[Span] = []
    for start, end in spans:
        cursor = start
        for cut_start, cut_end in cuts:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                out.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
        if cursor < end:
            out.append((cursor, end))
    return tuple(out)


# --- time conversion --------------------------------------------------------------------------


def _to_us(moment: datetime) -> int:
    """An aware datetime as exact integer microseconds since the epoch."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass a timezone-aware datetime")
    delta = moment - _EPOCH
    return (delta.days * DAY_SECONDS + delta.seconds) * _US + delta.microseconds


def _from_us(us: int) -> datetime:
    return _EPOCH + timedelta(0, 0, us)


def _seconds(us: int) -> Number:
    """Microseconds as seconds: an int when whole, else a float."""
    whole, rest = divmod(us, _US)
    return whole if rest == 0 else us / _US


def _duration_us(seconds: Number) -> int:
    if type(seconds) is int:
        us = seconds * _US
    elif isinstance(seconds, int | float):
        us = round(seconds * _US)
    else:
        raise TypeError(f"business seconds must be a number, got {seconds!r}")
    if us < 0:
        raise ValueError(f"business seconds must not be negative, got {seconds!r}")
    return us


def _local_us(day: date, second: int, zone: ZoneInfo) -> int:
    """A local wall-clock time as epoch microseconds (fold=0: gap moves forward, overlap first)."""
    if second >= DAY_SECONDS:
        day += timedelta(days=second // DAY_SECONDS)
        second %= DAY_SECONDS
    local = datetime(
        day.year, day.month, day.day, second // 3600, second // 60 % 60, second % 60, tzinfo=zone
    )
    return _to_us(local)


def _map_spans(day: date, spans: DaySpans, zone: ZoneInfo) -> list[Span]:
    """A date's local windows as sorted epoch-µs intervals; windows lost in a DST gap drop out."""
    mapped = [(_local_us(day, s, zone), _local_us(day, e, zone)) for s, e in spans]
    return sorted((s, e) for s, e in mapped if e > s)


# --- expansion --------------------------------------------------------------------------------


class _Expansion:
    """UTC working intervals for local years ``[ylo, yhi]`` with prefix sums.

    ``cum[i]`` is the working time before ``starts[i]``; ``cumend[i]`` the working time up to
    ``ends[i]``. Positions are relative to the first interval; only their differences matter.
    """

    __slots__ = ("cum", "cumend", "ends", "hi", "lo", "n", "starts", "total", "yhi", "ylo")

    def __init__(self, ylo: int, yhi: int, lo: int, hi: int, starts: list[int], ends: list[int]):
        self.ylo = ylo
        self.yhi = yhi
        self.lo = lo
        self.hi = hi
        self.starts = starts
        self.ends = ends
        self.n = len(starts)
        self.cumend = list(accumulate(e - s for s, e in zip(starts, ends, strict=True)))
        self.cum = [0, *self.cumend[:-1]] if starts else []
        self.total = self.cumend[-1] if starts else 0

    def position(self, us: int) -> int:
        """Working time before ``us`` (which must lie in ``[lo, hi)``)."""
        i = bisect_right(self.ends, us)
        if i == self.n:
            return self.total
        start = self.starts[i]
        return self.cum[i] + (us - start if us > start else 0)


def _utc_year(us: int) -> int:
    return (_EPOCH + timedelta(0, us // _US)).year


# --- explain ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountedWindow:
    """A working window (local times) and the seconds it contributed after pauses."""

    start: datetime
    end: datetime
    seconds: Number


@dataclass(frozen=True)
class SubtractedPause:
    """A pause (local times, ``end=None`` = still paused) and the working seconds it removed."""

    start: datetime
    end: datetime | None
    seconds: Number


@dataclass(frozen=True)
class SkippedDate:
    """A local date with no working time between start and due, and why."""

    day: date
    reason: str


@dataclass(frozen=True)
class Explanation:
    """Why a clock is due when it is: counted windows, subtracted pauses, skipped dates.

    ``due`` is None when an open-ended pause holds the clock; the lists then run up to that pause.
    """

    start: datetime
    due: datetime | None
    target_seconds: Number
    windows: tuple[CountedWindow, ...]
    pauses: tuple[SubtractedPause, ...]
    skipped: tuple[SkippedDate, ...]


# --- the calendar -----------------------------------------------------------------------------


class Calendar:
    """Working time in one IANA zone; immutable, hashable, caching its own UTC expansion.

    ``hours`` maps weekday names (``mon`` … ``sun``) to windows ``[["08:00", "17:00"], …]``; a
    missing weekday is a day off; ``hours=None`` means 24x7. ``shifts`` replace a date's hours
    (an empty list makes it a day off, a Saturday entry makes it a working day); ``breaks`` remove
    windows on a date; ``holidays`` are whole dates off and win over a shift on the same date.
    Overnight shifts are two windows (Mon 22:00-24:00, Tue 00:00-06:00) and merge into one.
    ``version`` is carried for cache keys and audit (it is bumped on every edit by the caller).
    The expansion cache is only ever replaced whole, so an instance may be shared by threads.
    """

    __slots__ = (
        "_breaks",
        "_exp",
        "_holidays",
        "_hours",
        "_key",
        "_last_work_year",
        "_shifts",
        "_timezone",
        "_version",
        "_zone",
    )

    def __init__(
        self,
        timezone: str = "UTC",
        hours: Mapping[str, Sequence[object]] | None = None,
        *,
        holidays: Iterable[date | str] = (),
        shifts: DatedWindows | None = None,
        breaks: DatedWindows | None = None,
        version: int = 0,
    ) -> None:
        self._timezone = timezone
        self._zone = _parse_zone(timezone)
        self._hours = _parse_hours(hours)
        self._holidays = frozenset(
            _parse_date(day, f"holidays[{k}]") for k, day in enumerate(holidays)
        )
        self._shifts = _parse_dated_spans(shifts, "shifts")
        self._breaks = _parse_dated_spans(breaks, "breaks")
        self._version = version
        self._exp: _Expansion | None = None
        weekly_works = self._hours is None or any(self._hours)
        shift_years = [day.year for day, spans in self._shifts.items() if spans]
        # Without weekly hours, working time ends with the last shift: stop growing after it.
        self._last_work_year = None if weekly_works else max(shift_years, default=0)
        self._key = (
            timezone,
            self._hours,
            self._holidays,
            tuple(sorted(self._shifts.items())),
            tuple(sorted(self._breaks.items())),
            version,
        )

    @classmethod
    def always(cls, timezone: str = "UTC") -> Calendar:
        """A 24x7 calendar ("no calendar" in SLA.md)."""
        return cls(timezone, None)

    # read-only views

    @property
    def timezone(self) -> str:
        return self._timezone

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    @property
    def hours(self) -> tuple[DaySpans, ...] | None:
        """Weekly windows Monday..Sunday in seconds since midnight; None means 24x7."""
        return self._hours

    @property
    def holidays(self) -> frozenset[date]:
        return self._holidays

    @property
    def shifts(self) -> Mapping[date, DaySpans]:
        return MappingProxyType(self._shifts)

    @property
    def breaks(self) -> Mapping[date, DaySpans]:
        return MappingProxyType(self._breaks)

    @property
    def version(self) -> int:
        return self._version

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Calendar) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def __repr__(self) -> str:
        kind = "24x7" if self._hours is None else "weekly"
        return f"<Calendar {self._timezone} {kind} v{self._version}>"

    def _plain_spans(self, day: date) -> DaySpans:
        """A date's local windows after holidays and shifts, before breaks."""
        if day in self._holidays:
            return ()
        spans = self._shifts.get(day)
        if spans is None:
            return _FULL_DAY if self._hours is None else self._hours[day.weekday()]
        return spans

    def day_spans(self, day: date) -> DaySpans:
        """The local working windows of one date after holidays, shifts and breaks."""
        spans = self._plain_spans(day)
        cuts = self._breaks.get(day)
        return _subtract(spans, cuts) if cuts and spans else spans

    def is_working_day(self, day: date) -> bool:
        return bool(self.day_spans(day))

    # expansion cache

    def _build(self, ylo: int, yhi: int) -> _Expansion:
        """Map every local window of the years to UTC, then sort and merge.

        Breaks are subtracted after mapping (per date), and intervals are sorted before merging,
        because around a spring-forward gap the wall-clock-to-UTC mapping is not monotone: a
        window at 02:30 moves to 03:30 and may then lie after a window that starts at 03:00.
        """
        zone = self._zone
        mapped: list[tuple[int, int]] = []
        day = date(ylo, 1, 1)
        stop = date(yhi + 1, 1, 1)
        one = timedelta(days=1)
        while day < stop:
            spans = self._plain_spans(day)
            if spans:
                utc = _map_spans(day, spans, zone)
                cuts = self._breaks.get(day)
                mapped.extend(_subtract(utc, _map_spans(day, cuts, zone)) if cuts else utc)
            day += one
        mapped.sort()
        starts: list[int] = []
        ends: list[int] = []
        for s, e in mapped:
            if ends and s <= ends[-1]:
                if e > ends[-1]:
                    ends[-1] = e  # overnight windows meet at midnight
            else:
                starts.append(s)
                ends.append(e)
        lo = _local_us(date(ylo, 1, 1), 0, zone)
        hi = _local_us(stop, 0, zone)
        return _Expansion(ylo, yhi, lo, hi, starts, ends)

    def _covering(self, *moments: int) -> _Expansion:
        """An expansion whose range contains every given instant (built and cached if needed).

        A nearby range is widened to include the instants; a distant one is replaced, so one
        stray date decades away does not make every later rebuild expand all the years between.
        """
        exp = self._exp
        if exp is not None and all(exp.lo <= m < exp.hi for m in moments):
            return exp
        years = [_utc_year(m) for m in moments]
        ylo, yhi = min(years) - 1, max(years) + 1
        if exp is not None and ylo - _NEAR_YEARS <= exp.yhi and yhi + _NEAR_YEARS >= exp.ylo:
            ylo, yhi = min(ylo, exp.ylo), max(yhi, exp.yhi)
        if ylo < 1 or yhi > _LAST_YEAR:
            raise ValueError(f"instant outside the supported years 2..{_LAST_YEAR - 1}")
        exp = self._build(ylo, yhi)
        self._exp = exp
        return exp

    def _grow(self, exp: _Expansion) -> _Expansion:
        """Extend the range forward (doubling) because a target lies beyond it."""
        if self._last_work_year is not None and exp.yhi > self._last_work_year:
            raise NoWorkingTimeError("the calendar has no working time left to reach the target")
        if exp.yhi >= _LAST_YEAR:
            raise NoWorkingTimeError(f"the target lies beyond the year {_LAST_YEAR}")
        current = self._exp
        if current is not None and current.yhi > exp.yhi and current.ylo <= exp.ylo:
            return current  # another caller already grew it
        yhi = min(exp.yhi + max(2, exp.yhi - exp.ylo + 1), _LAST_YEAR)
        grown = self._build(exp.ylo, yhi)
        self._exp = grown
        return grown

    # core arithmetic on epoch microseconds

    def _due_us(self, start: int, target: int) -> int:
        """The first instant at or after ``start`` with ``target`` µs of working time before it.

        Searching from the interval that holds (or follows) ``start`` makes a zero target give
        the first working instant, and a target ending exactly on a window's end give that end.
        """
        exp = self._exp
        if exp is None or start < exp.lo or start >= exp.hi:
            exp = self._covering(start)
        while True:
            i = bisect_right(exp.ends, start)
            if i < exp.n:
                first = exp.starts[i]
                goal = exp.cum[i] + (start - first if start > first else 0) + target
                j = bisect_left(exp.cumend, goal, i)
                if j < exp.n:
                    return exp.starts[j] + (goal - exp.cum[j])
            exp = self._grow(exp)

    def _business_us(self, start: int, end: int) -> int:
        """``B(start, end)``: working microseconds in ``[start, end)``."""
        if end <= start:
            return 0
        exp = self._covering(start, end)
        return exp.position(end) - exp.position(start)

    def _due_paused(self, start: int, target: int, pauses: list[tuple[int, int]]) -> int | None:
        """Due time when paused working time does not count; None if an open pause holds it."""
        if target == 0:
            moment = self._due_us(start, 0)
            for p_start, p_end in pauses:
                if p_end <= moment:
                    continue
                if p_start > moment:
                    break
                if p_end == _FOREVER:
                    return None
                moment = self._due_us(p_end, 0)
            return moment
        cursor, left = start, target
        for p_start, p_end in pauses:
            if p_end <= cursor:
                continue
            if p_start > cursor:
                # Reached before this pause begins iff that much working time lies before it;
                # asking this way never searches past the pause (where a calendar with finite
                # working time could run out although an open pause would hold the clock).
                available = self._business_us(cursor, p_start)
                if available >= left:
                    return self._due_us(cursor, left)
                left -= available
            if p_end == _FOREVER:
                return None
            cursor = p_end
        return self._due_us(cursor, left)

    def _elapsed_us(self, start: int, end: int, pauses: list[tuple[int, int]]) -> int:
        total = self._business_us(start, end)
        for p_start, p_end in pauses:
            if p_start >= end:
                break
            total -= self._business_us(max(p_start, start), min(p_end, end))
        return total

    # public API

    def due(
        self, start: datetime, business_seconds: Number, pauses: Sequence[Pause] = ()
    ) -> datetime | None:
        """``D = min{t ≥ start : B(start, t) − B_P(start, t) ≥ T}`` as an aware UTC datetime.

        A zero target gives the first working (unpaused) instant at or after ``start``. Returns
        None only when an open-ended pause begins before the target is reached: the clock is
        held and has no due time until the pause ends.
        """
        s = _to_us(start)
        target = _duration_us(business_seconds)
        if not pauses:
            return _from_us(self._due_us(s, target))
        result = self._due_paused(s, target, _merge_pauses(pauses))
        return None if result is None else _from_us(result)

    def elapsed(self, start: datetime, end: datetime, pauses: Sequence[Pause] = ()) -> Number:
        """Business seconds in ``[start, end)`` minus their overlap with pauses (0 if end ≤ start).

        An int when whole, else a float.
        """
        s, e = _to_us(start), _to_us(end)
        return _seconds(self._elapsed_us(s, e, _merge_pauses(pauses) if pauses else []))

    def next_working_instant(self, moment: datetime) -> datetime:
        """``moment`` itself if it is working time, else the start of the next working window."""
        return _from_us(self._due_us(_to_us(moment), 0))

    def add_business_days(
        self, start: datetime, days: int, pauses: Sequence[Pause] = ()
    ) -> datetime | None:
        """Business days as their own unit: the ``days``-th next working day, same local time.

        The clock first moves to the next working instant (as a clock started outside hours
        does); the result is that local wall-clock time on the ``days``-th working date after it.
        When that time is not working on the target date (a shortened shift, a break, the
        evening of a day with earlier hours) the result moves to the next working instant.
        With pauses, the business seconds between start and that instant are the target, and
        pauses extend it by their working overlap as for :meth:`due`.
        """
        if days < 0:
            raise ValueError(f"business days must not be negative, got {days}")
        s = _to_us(start)
        first = self._due_us(s, 0)
        result = first
        if days:
            local = _from_us(first).astimezone(self._zone)
            day = local.date()
            for _ in range(days):
                day = self._next_working_date(day)
            wall = datetime.combine(day, local.time(), tzinfo=self._zone)
            result = self._due_us(_to_us(wall), 0)
        if not pauses:
            return _from_us(result)
        paused = self._due_paused(s, self._business_us(s, result), _merge_pauses(pauses))
        return None if paused is None else _from_us(paused)

    def _next_working_date(self, day: date) -> date:
        last = self._last_work_year
        one = timedelta(days=1)
        day += one
        while not self.day_spans(day):
            if last is not None and day.year > last:
                raise NoWorkingTimeError("the calendar has no working days left")
            day += one
        return day

    def explain(
        self, start: datetime, business_seconds: Number, pauses: Sequence[Pause] = ()
    ) -> Explanation:
        """The working windows counted, pauses subtracted and dates skipped up to the due time."""
        s = _to_us(start)
        target = _duration_us(business_seconds)
        merged = _merge_pauses(pauses) if pauses else []
        due_us = self._due_paused(s, target, merged)
        horizon = due_us
        if horizon is None:  # held by an open pause: explain up to where it began
            horizon = max(s, next(p for p, e in merged if e == _FOREVER))
        zone = self._zone
        exp = self._covering(s, horizon)
        windows: list[CountedWindow] = []
        i = bisect_right(exp.ends, s)
        while i < exp.n and exp.starts[i] < horizon:
            w_start, w_end = max(exp.starts[i], s), min(exp.ends[i], horizon)
            counted = self._elapsed_us(w_start, w_end, merged)
            windows.append(
                CountedWindow(_local(w_start, zone), _local(w_end, zone), _seconds(counted))
            )
            i += 1
        subtracted = [
            SubtractedPause(
                _local(p_start, zone),
                None if p_end == _FOREVER else _local(p_end, zone),
                _seconds(self._business_us(max(p_start, s), min(p_end, horizon))),
            )
            for p_start, p_end in merged
            if p_end > s and (p_start < horizon or (due_us is None and p_end == _FOREVER))
        ]
        return Explanation(
            start=_local(s, zone),
            due=None if due_us is None else _local(due_us, zone),
            target_seconds=_seconds(target),
            windows=tuple(windows),
            pauses=tuple(subtracted),
            skipped=tuple(self._skipped(_local(s, zone).date(), _local(horizon, zone).date())),
        )

    def _skipped(self, first: date, last: date) -> list[SkippedDate]:
        out: list[SkippedDate] = []
        day = first
        while day <= last:
            if day in self._holidays:
                out.append(SkippedDate(day, "holiday"))
            elif not self.day_spans(day):
                if day in self._shifts and not self._shifts[day]:
                    reason = "day off (shift)"
                elif day in self._breaks:
                    reason = "breaks cover the day"
                else:
                    reason = f"no hours on {WEEKDAYS[day.weekday()]}"
                out.append(SkippedDate(day, reason))
            day += timedelta(days=1)
        return out


def _local(us: int, zone: ZoneInfo) -> datetime:
    return _from_us(us).astimezone(zone)


def _parse_zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise CalendarError("timezone", f"expected an IANA zone name, got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError("timezone", f"unknown time zone {name!r}") from None


def _parse_hours(hours: Mapping[str, Sequence[object]] | None) -> tuple[DaySpans, ...] | None:
    if hours is None:
        return None
    if not isinstance(hours, Mapping):
        raise CalendarError("hours", "expected a mapping of weekday -> windows")
    for key in hours:
        if key not in WEEKDAYS:
            raise CalendarError(
                f"hours.{key}", f"unknown weekday, use one of {', '.join(WEEKDAYS)}"
            )
    return tuple(_parse_spans(hours.get(name, ()), f"hours.{name}") for name in WEEKDAYS)


def _merge_pauses(pauses: Sequence[Pause]) -> list[tuple[int, int]]:
    """Pauses as sorted, disjoint epoch-µs intervals; an open end becomes ``_FOREVER``."""
    spans: list[tuple[int, int]] = []
    for k, pause in enumerate(pauses):
        p_start, p_end = pause
        s = _to_us(p_start)
        e = _FOREVER if p_end is None else _to_us(p_end)
        if e < s:
            raise ValueError(f"pauses[{k}]: end {p_end} is before start {p_start}")
        if e > s:
            spans.append((s, e))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged
