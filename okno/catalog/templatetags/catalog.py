"""``{% request_answers ticket %}``: the request form's answers, for the desk's ticket page."""

from __future__ import annotations

from typing import Any

from django import template

from ..forms import answer_rows

register = template.Library()


@register.inclusion_tag("catalog/_answers_panel.html")
def request_answers(ticket: Any) -> dict[str, Any]:
    return {"answers": answer_rows(ticket)}
