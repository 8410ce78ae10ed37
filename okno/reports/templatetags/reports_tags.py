"""Formatting for the dashboard: durations in the largest sensible units, counts, percents."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """``5400`` → "1 h 30 min"; empty for no value (the template shows a dash)."""
    if seconds is None:
        return ""
    minutes = max(0, round(seconds / 60))
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    days, hours = divmod(hours, 24)
    return _("%(d)d d %(h)d h") % {"d": days, "h": hours}


@register.filter
def num(value: float | None) -> str:
    """A count with the locale's grouping (cheaper than ``floatformat:"0g"`` in big tables)."""
    return "–" if value is None else number_format(int(value), 0, force_grouping=True)


@register.filter
def pct(value: float | None) -> str:
    """A percentage with one decimal in the locale's format, or a dash."""
    return "–" if value is None else f"{number_format(value, 1)}%"
