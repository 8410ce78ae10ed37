"""SLA state over the API: a ticket's clocks and its queue-score breakdown (agents)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from okno.accounts.queries import can_work_on, get_ticket_for
from okno.api.errors import ApiError, error_responses

from .queries import clocks_for_tickets

router = Router(tags=["sla"])


class ClockOut(Schema):
    kind: str
    label: str
    cycle: int
    state: str
    level: str
    due_at: datetime | None
    remaining_seconds: float | None
    used_seconds: float
    target_seconds: float
    percent_used: float
    met_at: datetime | None
    breached_at: datetime | None
    paused_since: datetime | None


class ScoreFactorOut(Schema):
    name: str
    value: float
    weight: float
    contribution: float


class ScoreOut(Schema):
    total: float
    breached: bool
    factors: list[ScoreFactorOut]


class TicketSlaOut(Schema):
    ticket: int
    clocks: list[ClockOut]
    score: ScoreOut | None


@router.get(
    "/tickets/{int:ticket_id}/sla",
    response={200: TicketSlaOut, **error_responses(401, 403, 404, 429)},
    summary="SLA clocks of a ticket",
)
def tickets_sla(request: HttpRequest, ticket_id: int) -> Any:
    """Every SLA clock of the ticket (first response, next responses, resolution…) with its
    state, due instant, business time used and left, and the queue score with each factor's
    contribution. For agents who can work on the ticket; others get 403 (or 404 when they
    cannot see it at all)."""
    user = request.auth
    ticket = get_ticket_for(user, ticket_id)  # type: ignore[arg-type]
    if not can_work_on(user, ticket):  # type: ignore[arg-type]
        raise ApiError(403, _("Only agents of the ticket's team can see its SLA clocks."))
    views = clocks_for_tickets([ticket], latest_only=False).get(ticket.pk, [])
    breakdown = getattr(ticket, "score_breakdown", None)
    score = None
    if breakdown is not None:
        score = {
            "total": breakdown.total,
            "breached": breakdown.breached,
            "factors": breakdown.factors,
        }
    return {"ticket": ticket.pk, "clocks": views, "score": score}
