"""The desk sidebar for any page that extends ``desk/layout.html`` (SLA, Red Button pages…):
desk views pass it in their context; other pages get it here, from the 30-second cache."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag(takes_context=True)
def desk_sidebar(context: Any) -> dict[str, Any]:
    sidebar = context.get("sidebar")
    if sidebar:
        return sidebar
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_agent", False):
        return {"builtin": [], "saved": [], "available": True}
    from okno.desk.views import sidebar_counters

    return sidebar_counters(user)


@register.simple_tag
def options(choices: Any, selected: Any = None, blank: str | None = None) -> SafeString:
    """``<option>`` elements for ``(value, label)`` pairs, the one equal to ``selected`` (as
    text) marked; ``blank`` adds a first empty-valued option with that label. Built in Python:
    the queue's filter and bulk bars list every agent twice, and a template loop per option
    was a large part of the page."""
    from okno.desk.reference import OptionList

    if isinstance(choices, OptionList):  # pre-rendered and memoized by the view
        return choices.render(selected, blank)
    chosen = "" if selected is None else str(selected)
    mark = SafeString(" selected")
    first = format_html('<option value="">{}</option>', blank) if blank is not None else ""
    return format_html(
        "{}{}",
        first,
        format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (value, mark if chosen and str(value) == chosen else "", label)
                for value, label in choices
            ),
        ),
    )


@register.simple_tag(takes_context=True)
def timeline_entries(context: Any, entries: Any, ticket: Any) -> SafeString:
    """The ticket page's timeline entries, rendered in Python (``desk.timeline``)."""
    from okno.desk.timeline import render_entries

    return render_entries(context, entries, ticket)
