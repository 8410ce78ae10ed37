"""``{% notification_bell %}`` for the top bar; ``{% notifications_ticket_panel ticket %}``."""

from __future__ import annotations

from typing import Any

from django import template

from ..panel import panel_context
from ..views import unread_count

register = template.Library()


@register.inclusion_tag("notifications/bell.html", takes_context=True)
def notification_bell(context: Any) -> dict[str, Any]:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"hidden": True}
    return {"unread": unread_count(user)}


@register.inclusion_tag("notifications/_ticket_panel.html", takes_context=True)
def notifications_ticket_panel(context: Any, ticket: Any) -> dict[str, Any]:
    user = context.get("user")
    if user is None or not user.is_authenticated or not user.is_agent:
        return {"hidden": True}
    data = panel_context(user, ticket)
    data["csrf_token"] = context.get("csrf_token")
    data["request"] = context.get("request")
    return data
