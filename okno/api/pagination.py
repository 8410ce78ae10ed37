"""Keyset pages by id, newest first, for the API's simple lists (notifications, ratings)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .errors import invalid


def newest_first(
    rows: QuerySet[Any], cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """One page of ``rows`` below the id in ``cursor``, and the cursor of the next page."""
    if cursor:
        if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 18:
            raise invalid({"cursor": [_("Not a cursor from this list.")]})
        rows = rows.filter(pk__lt=int(cursor))
    page = list(rows.order_by("-id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, (str(page[-1].pk) if more else None)
