"""Calendars as plain data (dict / JSON file) and SLA durations as text; pure Python, no Django.

The format, shared by the CLI, fixtures and the database's JSON column::

    {"timezone": "Europe/Berlin",
     "hours": {"mon": [["08:00", "17:00"]], ..., "sun": []},
     "holidays": ["2026-01-01"],
     "shifts": {"2026-02-21": [["09:00", "15:00"]]},
     "breaks": {"2026-03-05": [["12:00", "13:00"]]}}

A missing ``hours`` means 24x7. Every error is a :class:`CalendarError` naming the field.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from okno.sla.businesstime import WEEKDAYS, Calendar, CalendarError, format_clock

__all__ = [
    "Duration",
    "calendar_from_dict",
    "calendar_to_dict",
    "load_calendar",
    "parse_duration",
]

_KEYS = ("timezone", "hours", "holidays", "shifts", "breaks", "version")
_DURATION_RE = re.compile(r"(\d+(?:\.\d+)?)([smh])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


def calendar_from_dict(data: object) -> Calendar:
    """Build a validated :class:`Calendar` from the JSON-shaped mapping described above."""
    if not isinstance(data, Mapping):
        raise CalendarError("calendar", "expected a JSON object")
    for key in data:
        if key not in _KEYS:
            raise CalendarError(str(key), f"unknown field, expected one of {', '.join(_KEYS)}")
    timezone = data.get("timezone", "UTC")
    if not isinstance(timezone, str):
        raise CalendarError("timezone", f"expected an IANA zone name, got {timezone!r}")
    holidays = data.get("holidays", [])
    if not isinstance(holidays, list):
        raise CalendarError("holidays", "expected a list of YYYY-MM-DD dates")
    for k, day in enumerate(holidays):
        if not isinstance(day, str):
            raise CalendarError(f"holidays[{k}]", f"expected a YYYY-MM-DD string, got {day!r}")
    version = data.get("version", 0)
    if not isinstance(version, int) or isinstance(version, bool):
        raise CalendarError("version", f"expected an integer, got {version!r}")
    return Calendar(
        timezone,
        _mapping(data, "hours"),
        holidays=holidays,
        shifts=_mapping(data, "shifts"),
        breaks=_mapping(data, "breaks"),
        version=version,
    )


def _mapping(data: Mapping[str, Any], field: str) -> Mapping[str, Any] | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise CalendarError(field, "expected a JSON object")
    return value


def load_calendar(path: str | os.PathLike[str]) -> Calendar:
    """Read a calendar JSON file; unreadable files and bad JSON are reported as field ``file``."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise CalendarError("file", f"cannot read {os.fspath(path)}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise CalendarError("file", f"bad JSON at line {exc.lineno}: {exc.msg}") from None
    return calendar_from_dict(data)


def calendar_to_dict(calendar: Calendar) -> dict[str, Any]:
    """The inverse of :func:`calendar_from_dict` (windows normalized: sorted, touching merged)."""

    def spans(windows: tuple[tuple[int, int], ...]) -> list[list[str]]:
        return [[format_clock(start), format_clock(end)] for start, end in windows]

    out: dict[str, Any] = {"timezone": calendar.timezone}
    if calendar.hours is not None:
        out["hours"] = {name: spans(calendar.hours[i]) for i, name in enumerate(WEEKDAYS)}
    out["holidays"] = sorted(day.isoformat() for day in calendar.holidays)
    out["shifts"] = {day.isoformat(): spans(w) for day, w in sorted(calendar.shifts.items())}
    out["breaks"] = {day.isoformat(): spans(w) for day, w in sorted(calendar.breaks.items())}
    if calendar.version:
        out["version"] = calendar.version
    return out


@dataclass(frozen=True)
class Duration:
    """An SLA target: business seconds, or business days (a distinct unit, see SLA.md)."""

    value: int | float
    unit: Literal["seconds", "business_days"]

    @property
    def is_business_days(self) -> bool:
        return self.unit == "business_days"


def parse_duration(text: str, field: str = "duration") -> Duration:
    """Parse ``"3600"`` (seconds), ``"90m"``, ``"4h"``, ``"1h30m"``, ``"45s"`` or ``"3d"``.

    ``d`` means business days (next working day, same local time), never 24 hours, so it
    cannot be mixed with the other units and must be a whole number.
    """
    raw = text.strip().lower().replace(" ", "")
    if not raw:
        raise CalendarError(field, "empty duration")
    if raw.isdigit():
        return Duration(int(raw), "seconds")
    if raw.endswith("d"):
        if not raw[:-1].isdigit():
            raise CalendarError(field, f"bad duration {text!r}: business days must be whole")
        return Duration(int(raw[:-1]), "business_days")
    parts = _DURATION_RE.findall(raw)
    if not parts or "".join(number + unit for number, unit in parts) != raw:
        raise CalendarError(field, f"bad duration {text!r}, expected e.g. 3600, 90m, 4h, 3d")
    total = sum((float(number) * _UNIT_SECONDS[unit] for number, unit in parts), 0.0)
    return Duration(int(total) if total.is_integer() else total, "seconds")
