"""``{% csat_rating_url ticket %}`` for emails; ``{% csat_box ticket %}`` for the portal."""

from __future__ import annotations

from typing import Any

from django import template

from okno.tickets.models import StatusCategory

from ..forms import RatingForm
from ..links import rating_path, rating_url
from ..models import Rating

register = template.Library()


@register.simple_tag
def csat_rating_url(ticket: Any) -> str:
    return rating_url(ticket)


@register.inclusion_tag("csat/_box.html", takes_context=True)
def csat_box(context: Any, ticket: Any) -> dict[str, Any]:
    user = context.get("user")
    done = ticket.status_category in (StatusCategory.RESOLVED, StatusCategory.CLOSED)
    if user is None or user.pk != ticket.requester_id or not done:
        return {"show": False}
    existing = Rating.objects.filter(ticket=ticket, reopen_count=ticket.reopen_count).first()
    initial = {"score": existing.score, "comment": existing.comment} if existing else {}
    return {
        "show": True,
        "ticket": ticket,
        "existing": existing,
        "form": RatingForm(initial=initial, auto_id="csat_%s"),
        "action": rating_path(ticket),
        "csrf_token": context.get("csrf_token"),
    }
