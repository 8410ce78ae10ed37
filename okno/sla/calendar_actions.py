"""Every write of the calendar editor (desk ``/sla/calendars/``): one transaction each.

Each function locks the calendar row, changes one thing and saves through
``sla.actions.save_calendar``, which validates the whole calendar (a bad edit raises
``ValidationError`` and nothing is saved), bumps the version, stores the snapshot clocks pin and,
on commit, queues the engine's ``apply_calendar_edit`` task that recomputes the future part of
the open clocks in batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.sla.actions import save_calendar
from okno.sla.businesstime import WEEKDAYS
from okno.sla.calendar_import import DayEntry, first_hours
from okno.sla.models import Calendar, CalendarVersion

Windows = Sequence[Sequence[str]]
MAX_SEED_YEARS = 10


def _locked(calendar: Calendar) -> Calendar:
    return Calendar.objects.select_for_update().get(pk=calendar.pk)


def _windows(windows: Windows) -> list[list[str]]:
    return [[str(a), str(b)] for a, b in windows]


@transaction.atomic
def create_calendar(*, name: str, timezone: str, actor: User | None) -> Calendar:
    """A new calendar, Monday to Friday 09:00-17:00 until edited."""
    if Calendar.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A calendar with this name already exists.")})
    calendar = Calendar(
        name=name,
        timezone=timezone,
        hours={d: ([["09:00", "17:00"]] if d not in ("sat", "sun") else []) for d in WEEKDAYS},
    )
    save_calendar(calendar, actor=actor)
    return calendar


@transaction.atomic
def set_weekly_hours(
    calendar: Calendar,
    hours: Mapping[str, Windows] | None,
    *,
    timezone: str | None = None,
    actor: User | None,
) -> CalendarVersion:
    """Replace the weekly grid (``None`` or all days empty = 24x7) and optionally the zone."""
    cal = _locked(calendar)
    grid = {d: _windows((hours or {}).get(d, [])) for d in WEEKDAYS}
    cal.hours = grid if any(grid.values()) else {}
    if timezone is not None:
        cal.timezone = timezone
    return save_calendar(cal, actor=actor)


@transaction.atomic
def add_holidays(calendar: Calendar, days: Iterable[date], *, actor: User | None) -> int:
    """Add whole non-working dates; returns how many were new."""
    cal = _locked(calendar)
    current = set(cal.holidays or [])
    new = {d.isoformat() for d in days} - current
    cal.holidays = sorted(current | new)
    save_calendar(cal, actor=actor)
    return len(new)


@transaction.atomic
def remove_holiday(calendar: Calendar, day: date, *, actor: User | None) -> CalendarVersion:
    cal = _locked(calendar)
    cal.holidays = [d for d in cal.holidays or [] if d != day.isoformat()]
    return save_calendar(cal, actor=actor)


@transaction.atomic
def set_shift(
    calendar: Calendar, day: date, windows: Windows, *, actor: User | None
) -> CalendarVersion:
    """Hours for one date that replace the weekday's (a shortened or transferred working day)."""
    cal = _locked(calendar)
    if not windows:
        raise ValidationError({"shifts": _("A shifted day needs at least one window.")})
    cal.shifts = {**(cal.shifts or {}), day.isoformat(): _windows(windows)}
    return save_calendar(cal, actor=actor)


@transaction.atomic
def remove_shift(calendar: Calendar, day: date, *, actor: User | None) -> CalendarVersion:
    cal = _locked(calendar)
    cal.shifts = {k: v for k, v in (cal.shifts or {}).items() if k != day.isoformat()}
    return save_calendar(cal, actor=actor)


@transaction.atomic
def set_break(
    calendar: Calendar, day: date, windows: Windows, *, actor: User | None
) -> CalendarVersion:
    """Intervals removed from one date's working time (a company meeting, say)."""
    cal = _locked(calendar)
    if not windows:
        raise ValidationError({"breaks": _("A break needs at least one window.")})
    cal.breaks = {**(cal.breaks or {}), day.isoformat(): _windows(windows)}
    return save_calendar(cal, actor=actor)


@transaction.atomic
def remove_break(calendar: Calendar, day: date, *, actor: User | None) -> CalendarVersion:
    cal = _locked(calendar)
    cal.breaks = {k: v for k, v in (cal.breaks or {}).items() if k != day.isoformat()}
    return save_calendar(cal, actor=actor)


COMMON_COUNTRIES = ("RU", "UA", "KZ", "BY", "US", "DE", "GB", "PL")


def supported_countries() -> list[str]:
    """Two-letter codes the ``holidays`` package knows, the common ones first."""
    import holidays

    known = {c for c in holidays.list_supported_countries() if len(c) == 2}
    common = [c for c in COMMON_COUNTRIES if c in known]
    return common + sorted(known - set(common))


def country_holidays(country: str, years: Sequence[int]) -> dict[date, str]:
    """Public holidays of ``country`` (ISO code) for ``years``, from the ``holidays`` package."""
    import holidays

    code = country.strip().upper()
    if code not in holidays.list_supported_countries():
        raise ValidationError({"country": _("Unknown country code: %s") % country})
    if not years or len(set(years)) > MAX_SEED_YEARS:
        raise ValidationError({"years": _("Choose 1 to %d years.") % MAX_SEED_YEARS})
    if any(not 1900 <= y <= 2200 for y in years):
        raise ValidationError({"years": _("Years must be between 1900 and 2200.")})
    found = holidays.country_holidays(code, years=sorted(set(years)))
    return dict(sorted(found.items()))


@transaction.atomic
def seed_holidays(
    calendar: Calendar, country: str, years: Sequence[int], *, actor: User | None
) -> int:
    """Add a country's public holidays for some years; returns how many dates were new."""
    found = country_holidays(country, years)
    cal = _locked(calendar)
    cal.country = country.strip().upper()
    current = set(cal.holidays or [])
    new = {d.isoformat() for d in found} - current
    cal.holidays = sorted(current | new)
    save_calendar(cal, actor=actor)
    return len(new)


def _usual_windows(cal: Calendar, entry: DayEntry) -> list[list[str]]:
    hours = cal.hours or {}
    if not hours:
        return [["00:00", "24:00"]]
    usual = hours.get(WEEKDAYS[entry.day.weekday()]) or []
    if not usual and entry.kind == "working":
        usual = next((hours[d] for d in WEEKDAYS if hours.get(d)), [])
    return [list(w) for w in usual]


@transaction.atomic
def import_days(calendar: Calendar, entries: Sequence[DayEntry], *, actor: User | None) -> int:
    """Apply parsed ``.ics``/CSV rows: holidays, shortened and working days; one version."""
    cal = _locked(calendar)
    holidays = set(cal.holidays or [])
    shifts: dict[str, Any] = dict(cal.shifts or {})
    for entry in entries:
        key = entry.day.isoformat()
        if entry.kind == "holiday":
            holidays.add(key)
            shifts.pop(key, None)
            continue
        if entry.windows:
            windows = [list(w) for w in entry.windows]
        else:
            usual = _usual_windows(cal, entry)
            if entry.hours is not None:
                pairs = [(str(a), str(b)) for a, b in usual]
                windows = [list(w) for w in first_hours(pairs, entry.hours)]
            else:
                windows = usual
        if not windows:
            raise ValidationError(
                {"file": _("%s: no usual hours to shorten; give the windows.") % key}
            )
        holidays.discard(key)
        shifts[key] = windows
    cal.holidays = sorted(holidays)
    cal.shifts = dict(sorted(shifts.items()))
    save_calendar(cal, actor=actor)
    return len(entries)
