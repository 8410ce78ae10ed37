"""``/api/v1/tags``: the tag vocabulary with ticket counts, for agents (autocomplete, reports).

Tagging tickets is on the ticket routes (``PATCH /tickets/{id}`` with ``tags``,
``POST``/``DELETE /tickets/{id}/tags``) so every ticket write stays scoped by ticket.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from okno.api.errors import ApiError, error_responses

from .queries import tags_with_counts

router = Router(tags=["tags"])


class TagOut(Schema):
    id: int
    name: str
    color: str = Field(description="#rrggbb, or empty")
    ticket_count: int = Field(description="Tickets carrying the tag (all tickets, any state)")


class TagList(Schema):
    items: list[TagOut]


class TagListParams(Schema):
    q: str = Field("", max_length=50, description="Names starting with this (any case)")
    limit: int = Field(100, ge=1, le=500, description="Page size, 1…500")
    offset: int = Field(0, ge=0, le=100_000, description="Tags to skip (by name order)")


@router.get(
    "/tags",
    response={200: TagList, **error_responses(400, 401, 403, 429)},
    summary="List tags",
)
def tags_list(request: HttpRequest, params: Query[TagListParams]) -> Any:
    """Tags by name, each with the number of tickets carrying it. Agents only: tags are
    internal classification, requesters get 403."""
    user = request.auth  # type: ignore[attr-defined]
    if not user.is_agent:
        raise ApiError(403, _("Only agents may list tags."))
    return {"items": tags_with_counts(params.q, limit=params.limit, offset=params.offset)}
