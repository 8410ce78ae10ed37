"""``{% redbutton_reports ticket as reports %}`` for the diagnostics panel include."""

from __future__ import annotations

from typing import Any

from django import template

from okno.redbutton.queries import diagnostics_for

register = template.Library()


@register.simple_tag
def redbutton_reports(ticket: Any) -> list[Any]:
    return diagnostics_for(ticket)
