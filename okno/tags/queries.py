"""Reads of tags: the tags of a page of tickets (one query), suggestions, counts.

Tags are internal classification: only agents see them. Callers pass tickets the viewer may
already see (``accounts.queries``); nothing here widens a scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from okno.tickets.models import Ticket

from .models import Tag, TicketTag, tag_key

SUGGEST_LIMIT = 500


def tag_links_prefetch() -> Prefetch:
    """Prefetch for ``ticket.tag_links`` with the tags joined, in name order."""
    return Prefetch(
        "tag_links", queryset=TicketTag.objects.select_related("tag").order_by("tag__key")
    )


def with_tags(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.prefetch_related(tag_links_prefetch())


def prefetch_tags(rows: Sequence[Ticket]) -> None:
    """One query for the tags of already-fetched rows (a queue page)."""
    from django.db.models import prefetch_related_objects

    if rows:
        prefetch_related_objects(list(rows), tag_links_prefetch())


class TagChip(NamedTuple):
    name: str
    color: str


def tag_chips(ticket_ids: Iterable[int]) -> dict[int, list[TagChip]]:
    """The tags of a page of tickets (one query, no model instances), in name order."""
    ids = list(ticket_ids)
    chips: dict[int, list[TagChip]] = {}
    if not ids:
        return chips
    rows = (
        TicketTag.objects.filter(ticket_id__in=ids)
        .order_by("tag__key")
        .values_list("ticket_id", "tag__name", "tag__color")
    )
    for ticket_id, name, color in rows:
        chips.setdefault(ticket_id, []).append(TagChip(name, color))
    return chips


def tags_of(ticket: Ticket) -> list[Tag]:
    """The ticket's tags: from the prefetch when there is one, else one query."""
    cache = getattr(ticket, "_prefetched_objects_cache", {})
    if "tag_links" in cache:
        return [link.tag for link in cache["tag_links"]]
    return list(Tag.objects.filter(ticket_links__ticket=ticket).order_by("key"))


def tag_names(ticket: Ticket) -> list[str]:
    return [tag.name for tag in tags_of(ticket)]


def tickets_tagged(key_or_name: str) -> Any:
    """Ids of tickets carrying the tag, as a subquery (uses the (tag, ticket) index)."""
    return TicketTag.objects.filter(tag__key=tag_key(key_or_name)).values("ticket_id")


def suggestions(prefix: str = "", limit: int = SUGGEST_LIMIT) -> list[Tag]:
    """Existing tags for autocomplete, by name, optionally starting with ``prefix``."""
    tags = Tag.objects.all()
    if prefix.strip():
        tags = tags.filter(key__startswith=tag_key(prefix))
    return list(tags.order_by("key")[:limit])


def tags_with_counts(prefix: str = "", limit: int = 100, offset: int = 0) -> list[Tag]:
    """A page of tags, each with ``ticket_count`` over all tickets (counted per tag on the
    (tag, ticket) index for this page only, never a GROUP BY over every link)."""
    count = (
        TicketTag.objects.filter(tag_id=OuterRef("pk"))
        .order_by()
        .values("tag_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    tags = Tag.objects.all()
    if prefix.strip():
        tags = tags.filter(key__startswith=tag_key(prefix))
    return list(
        tags.order_by("key").annotate(ticket_count=Coalesce(Subquery(count), 0))[
            offset : offset + limit
        ]
    )
