"""``/api/v1/ratings`` and ``/api/v1/tickets/{id}/rating``: satisfaction for programs.

Reading follows the CSAT report's scope (``csat.queries.visible_ratings``: managers see every
rating, agents their teams' and their own; requesters none); rating goes through
``csat.actions.rate_ticket`` with the portal's and the email link's rules.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from okno.accounts.models import User
from okno.accounts.queries import get_ticket_for
from okno.api.errors import error_responses, invalid
from okno.api.pagination import newest_first

from . import actions
from .queries import visible_ratings

router = Router(tags=["satisfaction"])
MAX_ID = 2**63 - 1  # the largest id a database column holds

READ_ERRORS = error_responses(400, 401, 403, 429)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 429)


class RatingOut(Schema):
    id: int
    ticket_id: int
    resolution: int = Field(description="0 for the first resolution, 1 after one reopen, …")
    score: int = Field(description="1 (very unhappy) … 5 (very happy)")
    comment: str
    requester_id: int
    agent_id: int | None = Field(description="Who had the ticket when it was rated")
    team_id: int | None
    service_id: int | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_resolution(obj: Any) -> int:
        return int(obj.reopen_count)


class RatingPage(Schema):
    items: list[RatingOut]
    next_cursor: str | None = Field(None, description="Pass back as `cursor` for older ones")


class RatingParams(Schema):
    since: date | None = Field(None, description="From this day (inclusive, UTC)")
    until: date | None = Field(None, description="Up to this day (inclusive, UTC)")
    team: int | None = Field(None, ge=1, le=MAX_ID)
    service: int | None = Field(None, ge=1, le=MAX_ID)
    agent: int | None = Field(None, ge=1, le=MAX_ID)
    score: int | None = Field(None, ge=1, le=5)
    cursor: str | None = Field(None, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=200)


class RateIn(Schema):
    score: int = Field(description="1 (very unhappy) … 5 (very happy)")
    comment: str = ""


def _day(value: date) -> datetime:
    return datetime.combine(value, time.min, tzinfo=UTC)


@router.get("/ratings", response={200: RatingPage, **READ_ERRORS}, summary="List ratings")
def ratings_list(request: HttpRequest, params: Query[RatingParams]) -> Any:
    """Newest first; empty for requesters (they see their own rating on the ticket)."""
    user: User = request.auth  # type: ignore[attr-defined]
    rows = visible_ratings(user)
    if params.since and params.until and params.since > params.until:
        raise invalid({"since": [_("The start is after the end.")]})
    if params.since:
        rows = rows.filter(created_at__gte=_day(params.since))
    if params.until:
        rows = rows.filter(created_at__lt=_day(params.until) + timedelta(days=1))
    for field in ("team", "service", "agent", "score"):
        value = getattr(params, field)
        if value is not None:
            rows = rows.filter(**{f"{field}_id" if field != "score" else field: value})
    page, next_cursor = newest_first(rows, params.cursor, params.limit)
    return {"items": page, "next_cursor": next_cursor}


@router.post(
    "/tickets/{int:ticket_id}/rating",
    response={200: RatingOut, 201: RatingOut, **WRITE_ERRORS},
    summary="Rate a resolved ticket",
)
def tickets_rate(request: HttpRequest, ticket_id: int, payload: RateIn) -> Any:
    """The requester rates the current resolution (201), or changes that rating (200)."""
    user: User = request.auth  # type: ignore[attr-defined]
    ticket = get_ticket_for(user, ticket_id)
    before = ticket.ratings.filter(reopen_count=ticket.reopen_count).exists()
    rating = actions.rate_ticket(ticket, actor=user, score=payload.score, comment=payload.comment)
    return Status(200 if before else 201, rating)
