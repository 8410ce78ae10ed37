"""SLA badges and the ticket page's SLA panel.

``{% sla_clocks_for rows as sla %}`` reads the clocks of a whole page of tickets in ONE query
(the tickets were already scoped by ``accounts.queries``); ``{% sla_badge sla ticket %}`` then
renders one ticket's badge without touching the database. ``{% sla_ticket_clocks ticket as c %}``
is the one-ticket variant (also one query) used by the ticket page; the "explain" part of the
panel is loaded on demand from ``sla:explain`` so the page itself pays nothing for it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from okno.sla.queries import BREACHED, PAUSED, ClockView, clocks_for_tickets, headline

register = template.Library()


@register.simple_tag
def sla_clocks_for(rows: Any) -> dict[int, list[ClockView]]:
    """Clock views per ticket id for a page of tickets (one query; none for an empty page)."""
    tickets = list(rows or [])
    if not tickets:
        return {}
    return clocks_for_tickets(tickets)


@register.simple_tag
def sla_ticket_clocks(ticket: Any) -> list[ClockView]:
    """Every clock of one ticket (all cycles), for the ticket page: one query per request
    (the badge and the panel share it through an attribute on the ticket object)."""
    cached = getattr(ticket, "_sla_clock_views", None)
    if cached is None:
        cached = clocks_for_tickets([ticket], latest_only=False).get(ticket.pk, [])
        ticket._sla_clock_views = cached
    return cached


def human_seconds(seconds: float | None) -> str:
    """Business time as a short text: ``2h 05m``, ``3d 4h`` (days of 24 h), ``45m``."""
    if seconds is None:
        return ""
    total = int(abs(seconds)) // 60
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = _("%(d)dd %(h)dh") % {"d": days, "h": hours}
    elif hours:
        text = _("%(h)dh %(m)02dm") % {"h": hours, "m": minutes}
    else:
        text = _("%(m)dm") % {"m": minutes}
    return text


register.filter("sla_duration", human_seconds)


@register.simple_tag
def sla_badge(sla: Any, ticket: Any) -> str:
    """The headline clock of ``ticket`` from ``sla`` (a dict from ``sla_clocks_for`` or the
    list from ``sla_ticket_clocks``)."""
    views = sla.get(getattr(ticket, "pk", ticket), []) if isinstance(sla, dict) else list(sla or [])
    return badge_html(headline(views))


def badge_html(clock: ClockView | None) -> str:
    """The badge markup, built in Python: the queue shows one per row, and a sub-template per
    row was a third of the queue page's rendering time."""
    if clock is None:
        return ""
    title = str(clock.label)
    if clock.due_at:
        due = date_format(timezone.localtime(clock.due_at), "DATETIME_FORMAT")
        title += " — " + gettext("due %(due)s") % {"due": due}
    left = human_seconds(clock.remaining_seconds)
    if clock.level == BREACHED:
        text = gettext("%(t)s overdue") % {"t": left}
    elif clock.level == PAUSED:
        text = gettext("paused, %(t)s left") % {"t": left}
    else:
        text = gettext("%(t)s left") % {"t": left}
    return format_html(
        '<span class="pill sla-badge sla-{0}" data-sla-level="{0}" title="{1}">{2}</span>',
        clock.level,
        title,
        text,
    )


@register.filter
def sla_local(moment: datetime | None) -> datetime | None:
    """A stored instant in the viewer's zone (the zone the middleware activated)."""
    return None if moment is None else timezone.localtime(moment)


@register.filter
def sla_state(state: str) -> str:
    from okno.sla.models import ClockState

    try:
        return str(ClockState(state).label)
    except ValueError:
        return state
