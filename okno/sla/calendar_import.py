"""Holidays and shifted days from iCalendar (.ics) and CSV files; pure Python, no Django.

Both parsers return :class:`DayEntry` rows that ``sla.calendar_actions.import_days`` applies to
a calendar. Every error is an :class:`ImportFileError` naming the line (and field) at fault, and
a file with any error is rejected whole, so nothing is half-imported.

CSV: a header ``date,kind,hours`` (any order, extra columns ignored), one day per line:

- ``holiday``: the date is not worked (``hours`` empty);
- ``short``: a shortened day; ``hours`` is the windows worked (``09:00-15:00`` or
  ``09:00-12:00 13:00-15:00``) or a number of hours (``7``, ``6.5``) cut from the start of
  the weekday's usual hours;
- ``working``: a transferred working day (a Saturday, say); ``hours`` as for ``short``, or
  empty for the calendar's Monday hours.

iCalendar: every ``VEVENT``. An all-day event (``DTSTART;VALUE=DATE``) marks each date from
``DTSTART`` up to, not including, ``DTEND`` as a holiday; an event with times marks its date as
a shortened day worked from its start to its end, in the times as written (the calendar's zone).
``CATEGORIES`` or ``X-OKNO-KIND`` set to ``holiday``, ``short`` or ``working`` overrides the
guess.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

Kind = Literal["holiday", "short", "working"]
KINDS: tuple[Kind, ...] = ("holiday", "short", "working")
Window = tuple[str, str]

_WINDOW_RE = re.compile(r"^([0-2]?\d):([0-5]\d)\s*[-–]\s*([0-2]?\d):([0-5]\d)$")
_ALIASES: dict[str, Kind] = {
    "holiday": "holiday",
    "holidays": "holiday",
    "off": "holiday",
    "short": "short",
    "shortened": "short",
    "pre-holiday": "short",
    "working": "working",
    "workday": "working",
    "work": "working",
}
MAX_LINES = 5000
MAX_SPAN_DAYS = 366


class ImportFileError(ValueError):
    """A bad import file; ``line`` is 1-based (0 when the whole file is at fault)."""

    def __init__(self, line: int, field: str, message: str) -> None:
        self.line = line
        self.field = field
        self.message = message
        where = f"line {line}" if line else "file"
        super().__init__(f"{where}, {field}: {message}" if field else f"{where}: {message}")


@dataclass(frozen=True)
class DayEntry:
    """One imported date. ``windows`` or ``hours`` (a duration in hours) say what is worked."""

    day: date
    kind: Kind
    windows: tuple[Window, ...] = ()
    hours: float | None = None
    name: str = ""


def _minutes(hh: str, mm: str) -> int:
    return int(hh) * 60 + int(mm)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_windows(text: str, line: int, field: str = "hours") -> tuple[Window, ...]:
    """``"09:00-12:00 13:00-15:00"`` (space, comma or semicolon separated) → windows."""
    parts = [p for p in re.split(r"[\s,;]+(?=\d)", text.strip()) if p.strip()]
    out: list[Window] = []
    last_end = -1
    for part in parts:
        match = _WINDOW_RE.match(part.strip())
        if match is None:
            raise ImportFileError(line, field, f"expected HH:MM-HH:MM, got {part.strip()!r}")
        start = _minutes(match.group(1), match.group(2))
        end = _minutes(match.group(3), match.group(4))
        if start >= 24 * 60 or end > 24 * 60:
            raise ImportFileError(line, field, f"{part.strip()!r} is outside 00:00-24:00")
        if end <= start:
            raise ImportFileError(line, field, f"{part.strip()!r} ends before it starts")
        if start < last_end:
            raise ImportFileError(line, field, f"{part.strip()!r} overlaps the previous window")
        last_end = end
        out.append((_clock(start), _clock(end)))
    return tuple(out)


FIRST_YEAR, LAST_YEAR = 1900, 2200


def _plausible(day: date, line: int, field: str) -> date:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ImportFileError(line, field, f"{day} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return day


def _parse_day(text: str, line: int) -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ImportFileError(line, "date", f"expected YYYY-MM-DD, got {text.strip()!r}") from None
    return _plausible(day, line, "date")


def _parse_kind(text: str, line: int) -> Kind:
    kind = _ALIASES.get(text.strip().lower())
    if kind is None:
        raise ImportFileError(
            line, "kind", f"expected one of {', '.join(KINDS)}, got {text.strip()!r}"
        )
    return kind


def _parse_hours(text: str, kind: Kind, line: int) -> tuple[tuple[Window, ...], float | None]:
    text = text.strip()
    if kind == "holiday":
        if text:
            raise ImportFileError(line, "hours", "a holiday has no hours; leave it empty")
        return (), None
    if not text:
        if kind == "short":
            raise ImportFileError(line, "hours", "a shortened day needs its hours")
        return (), None
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        hours = float(text.replace(",", "."))
        if not 0 < hours <= 24:
            raise ImportFileError(line, "hours", f"expected 0 < hours <= 24, got {text!r}")
        return (), hours
    return parse_windows(text, line), None


def parse_csv(text: str) -> list[DayEntry]:
    """Parse a ``date,kind,hours`` CSV file (comma or semicolon separated)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ImportFileError(0, "", "the file is empty")
    try:
        return _parse_csv(text)
    except csv.Error as exc:
        raise ImportFileError(0, "", f"not a CSV file ({exc})") from None


def _parse_csv(text: str) -> list[DayEntry]:
    sample = text.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    out: list[DayEntry] = []
    seen: dict[date, int] = {}
    for row in reader:
        line = reader.line_num
        if line > MAX_LINES:
            raise ImportFileError(line, "", f"too many lines (at most {MAX_LINES})")
        if not any(cell.strip() for cell in row) or row[0].strip().startswith("#"):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            missing = [c for c in ("date", "kind") if c not in header]
            if missing:
                raise ImportFileError(
                    line, missing[0], "missing column; the header must be date,kind,hours"
                )
            continue
        cells = dict(zip(header, row, strict=False))
        day = _parse_day(cells.get("date", ""), line)
        kind = _parse_kind(cells.get("kind", ""), line)
        windows, hours = _parse_hours(cells.get("hours", "") or "", kind, line)
        if day in seen:
            raise ImportFileError(line, "date", f"{day} is already on line {seen[day]}")
        seen[day] = line
        out.append(DayEntry(day, kind, windows, hours, (cells.get("name") or "").strip()))
    if header is None:
        raise ImportFileError(0, "", "the file is empty")
    return out


# --- iCalendar --------------------------------------------------------------------------------


def _unfold(text: str) -> list[tuple[int, str]]:
    """Content lines with their first physical line number (RFC 5545 §3.1 folding)."""
    out: list[tuple[int, str]] = []
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if raw[:1] in (" ", "\t") and out:
            first, value = out[-1]
            out[-1] = (first, value + raw[1:])
        elif raw.strip():
            out.append((number, raw))
    return out


def _ics_value(line: str) -> tuple[str, dict[str, str], str]:
    head, sep, value = line.partition(":")
    if not sep:
        raise ValueError("expected NAME:VALUE")
    name, *params = head.split(";")
    parsed = {}
    for param in params:
        key, _eq, val = param.partition("=")
        parsed[key.upper()] = val
    return name.upper(), parsed, value


def _ics_moment(value: str, params: dict[str, str], line: int, field: str) -> date | datetime:
    value = value.strip()
    moment: date | datetime
    try:
        if params.get("VALUE", "").upper() == "DATE" or re.fullmatch(r"\d{8}", value):
            moment = datetime.strptime(value, "%Y%m%d").date()  # noqa: DTZ007 - a date only
        else:
            moment = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")  # noqa: DTZ007
    except ValueError:
        raise ImportFileError(
            line, field, f"expected YYYYMMDD or YYYYMMDDTHHMMSS, got {value!r}"
        ) from None
    _plausible(moment if not isinstance(moment, datetime) else moment.date(), line, field)
    return moment


def parse_ics(text: str) -> list[DayEntry]:
    """Parse the ``VEVENT`` components of an iCalendar file (see the module docstring)."""
    lines = _unfold(text.lstrip("\ufeff"))
    if not lines or lines[0][1].strip().upper() != "BEGIN:VCALENDAR":
        raise ImportFileError(lines[0][0] if lines else 0, "", "not an iCalendar file")
    out: list[DayEntry] = []
    seen: dict[date, int] = {}
    event: dict[str, tuple[int, dict[str, str], str]] | None = None
    begin_line = 0
    for number, raw in lines:
        try:
            name, params, value = _ics_value(raw)
        except ValueError:
            raise ImportFileError(number, "", f"expected NAME:VALUE, got {raw[:40]!r}") from None
        if name == "BEGIN" and value.strip().upper() == "VEVENT":
            event, begin_line = {}, number
        elif name == "END" and value.strip().upper() == "VEVENT":
            if event is None:
                raise ImportFileError(number, "END", "END:VEVENT without BEGIN:VEVENT")
            for entry in _event_days(event, begin_line):
                if entry.day in seen:
                    raise ImportFileError(
                        begin_line, "DTSTART", f"{entry.day} is already on line {seen[entry.day]}"
                    )
                seen[entry.day] = begin_line
                out.append(entry)
            event = None
        elif event is not None and name not in event:
            event[name] = (number, params, value)
    if event is not None:
        raise ImportFileError(begin_line, "VEVENT", "BEGIN:VEVENT is never closed")
    return out


def _event_days(
    event: dict[str, tuple[int, dict[str, str], str]], begin_line: int
) -> list[DayEntry]:
    if "DTSTART" not in event:
        raise ImportFileError(begin_line, "DTSTART", "the event has no start")
    line, params, value = event["DTSTART"]
    start = _ics_moment(value, params, line, "DTSTART")
    end: date | datetime | None = None
    if "DTEND" in event:
        eline, eparams, evalue = event["DTEND"]
        end = _ics_moment(evalue, eparams, eline, "DTEND")
        if type(end) is not type(start):
            raise ImportFileError(eline, "DTEND", "DTSTART and DTEND must both be dates or times")
        if end < start:
            raise ImportFileError(eline, "DTEND", "the event ends before it starts")
    summary = event.get("SUMMARY", (0, {}, ""))[2].strip()
    forced: Kind | None = None
    for key in ("X-OKNO-KIND", "CATEGORIES"):
        if key in event:
            kline, _params, kvalue = event[key]
            for word in kvalue.split(","):
                kind = _ALIASES.get(word.strip().lower())
                if kind is not None:
                    forced = kind
                    break
            else:
                if key == "X-OKNO-KIND":
                    raise ImportFileError(
                        kline, key, f"expected one of {', '.join(KINDS)}, got {kvalue.strip()!r}"
                    )
            if forced is not None:
                break
    if isinstance(start, datetime):
        assert end is None or isinstance(end, datetime)
        if end is None or (end.date() != start.date() and end != _midnight_after(start)):
            raise ImportFileError(
                line, "DTEND", "a timed event must end on the day it starts (or at midnight)"
            )
        to = "24:00" if end.date() != start.date() else f"{end:%H:%M}"
        if to != "24:00" and end.time() <= start.time():
            raise ImportFileError(line, "DTEND", "the event ends before it starts")
        kind = forced or "short"
        if kind == "holiday":
            return [DayEntry(start.date(), "holiday", name=summary)]
        return [DayEntry(start.date(), kind, ((f"{start:%H:%M}", to),), name=summary)]
    last = start if end is None or end == start else end - timedelta(days=1)
    if (last - start).days >= MAX_SPAN_DAYS:
        raise ImportFileError(line, "DTEND", f"an event may span at most {MAX_SPAN_DAYS} days")
    kind = forced or "holiday"
    days = [start + timedelta(days=n) for n in range((last - start).days + 1)]
    return [DayEntry(d, kind, name=summary) for d in days]


def _midnight_after(moment: datetime) -> datetime:
    return datetime.combine(moment.date() + timedelta(days=1), datetime.min.time())


def first_hours(windows: Sequence[Window], hours: float) -> tuple[Window, ...]:
    """The first ``hours`` of ``windows`` (a shortened day cut from the usual day's start)."""
    left = round(hours * 60)
    out: list[Window] = []
    for start, end in windows:
        if left <= 0:
            break
        a = _minutes(*start.split(":"))
        b = _minutes(*end.split(":"))
        take = min(b - a, left)
        out.append((start, _clock(a + take)))
        left -= take
    return tuple(out)
