"""The desk sidebar for any page that extends ``desk/layout.html`` (SLA, Red Button pages…):
desk views pass it in their context; other pages get it here, from the 30-second cache."""

from __future__ import annotations

from typing import Any

from django import template

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
