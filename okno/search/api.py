"""``GET /api/v1/search``: the search page's results for programs.

The same ``search()`` as ``/search/``: the same permission scope (tickets the caller may see,
internal notes only where they can work on the ticket, KB articles by visibility), the same
ranking, one hit per ticket. Snippets are safe HTML (escaped text, ``<mark>`` around matches).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from okno.api.errors import error_responses, invalid
from okno.tickets.filters import STATE_CHOICES
from okno.tickets.models import TicketType

from .backends import MAX_LIMIT, search, ticket_url

router = Router(tags=["search"])

KINDS = {"all": ("tickets", "articles", "kb"), "tickets": ("tickets", "articles"), "kb": ("kb",)}


class SearchParams(Schema):
    q: str | None = Field(None, description="Words in any form, a ticket number or an e-mail")
    kind: str | None = Field(None, description="all (default), tickets (with replies) or kb")
    limit: str | None = Field(None, description=f"Results per page, 1…{MAX_LIMIT} (default 20)")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page")
    state: str | None = Field(None, description="Tickets: active, new, open, … or all (default)")
    team: str | None = Field(None, description="Tickets: team id (agents only)")
    service: str | None = Field(None, description="Tickets: service id")
    type: str | None = Field(None, description="Tickets: incident, service_request, …")


class SearchHitOut(Schema):
    type: str = Field(description="`ticket` or `kb`")
    id: int
    title: str
    snippet: str = Field(description="Safe HTML: escaped text with <mark> around the matches")
    source: str = Field(description="Where it matched: title, reply, note or article")
    url: str = Field(description="The page of the ticket or article for the caller")


class SearchOut(Schema):
    query: str
    items: list[SearchHitOut]
    exact_ticket: int | None = Field(
        None, description="The ticket id when the text is the number of a ticket you may see"
    )
    next_cursor: str | None = Field(None, description="Pass back as `cursor` for more results")


def _params(params: SearchParams, is_agent: bool) -> tuple[tuple[str, ...], int, dict[str, str]]:
    errors: dict[str, list[str]] = {}
    kind = (params.kind or "all").strip()
    if kind not in KINDS:
        errors["kind"] = [_("Use “all”, “tickets” or “kb”.")]
    raw_limit = (params.limit or "20").strip()
    limit = int(raw_limit) if raw_limit.isdigit() else 0
    if not 1 <= limit <= MAX_LIMIT:
        errors["limit"] = [_("Between 1 and %(max)d.") % {"max": MAX_LIMIT}]
    filters = {
        "state": (params.state or "all").strip(),
        "team": (params.team or "").strip() if is_agent else "",
        "service": (params.service or "").strip(),
        "type": (params.type or "").strip(),
    }
    if filters["state"] not in STATE_CHOICES:
        errors["state"] = [_("Unknown state.")]
    for name in ("team", "service"):
        if filters[name] and not filters[name].isdigit():
            errors[name] = [_("Must be a whole number.")]
    if filters["type"] and filters["type"] not in TicketType.values:
        errors["type"] = [_("Unknown ticket type.")]
    if errors:
        raise invalid(errors)
    return KINDS.get(kind, KINDS["all"]), limit, filters


@router.get(
    "/search",
    response={200: SearchOut, **error_responses(400, 401, 429)},
    summary="Search tickets, replies and the knowledge base",
)
def search_list(request: HttpRequest, params: Query[SearchParams]) -> Any:
    """Ranked hits for `q` among what the caller may see, best first; one hit per ticket.

    Tickets, their public replies (internal notes only for agents who can work on the ticket)
    and KB articles. An empty `q` gives no hits. On PostgreSQL only the newest 100 matches per
    kind are ranked, so `next_cursor` ends after them: add words or filters to go further.
    """
    user = request.auth  # type: ignore[attr-defined]
    kinds, limit, filters = _params(params, user.is_agent)
    results = search(
        user, params.q or "", kinds=kinds, filters=filters, limit=limit, cursor=params.cursor or ""
    )
    items = []
    for hit in results.hits:
        if hit.ticket is not None:
            url = ticket_url(user, hit.ticket)
        else:
            url = reverse("kb:article", args=[hit.article.category.slug, hit.article.slug])
        items.append(
            {
                "type": hit.kind,
                "id": hit.pk,
                "title": hit.title,
                "snippet": hit.snippet,
                "source": hit.source,
                "url": url,
            }
        )
    return {
        "query": results.query,
        "items": items,
        "exact_ticket": results.exact_ticket.pk if results.exact_ticket else None,
        "next_cursor": results.next_cursor or None,
    }
