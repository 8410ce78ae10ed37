"""One filter definition for ticket lists, shared by the agent queue and ``/api/v1/tickets``.

Pagination is by keyset (a cursor holding the last row's sort value and id), so page 500 of a
million-ticket queue costs the same as page 1 and rows never repeat or vanish between pages.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .models import ACTIVE_CATEGORIES, StatusCategory, Ticket, TicketType

MAX_FILTER_TAGS = 5

# sort key -> (model field, descending)
SORTS: dict[str, tuple[str, bool]] = {
    "score": ("score", True),
    "newest": ("created_at", True),
    "oldest": ("created_at", False),
    "updated": ("updated_at", True),
    "priority": ("priority", False),
}
SORT_LABELS = {
    "score": _("Queue order"),
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "updated": _("Recently updated"),
    "priority": _("Priority"),
}
STATE_CHOICES = {
    "active": _("All open"),
    "new": _("New"),
    "open": _("Open"),
    "waiting": _("Waiting"),
    "resolved": _("Resolved"),
    "closed": _("Closed"),
    "all": _("Any state"),
}


class FilterError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class TicketFilter:
    state: str = "active"
    status: str = ""  # a status key, narrower than state
    team: int | None = None
    assignee: str = ""  # "me", "none", or a user id
    priority: int | None = None
    type: str = ""
    service: int | None = None
    organization: int | None = None
    requester: int | None = None
    q: str = ""
    tags: list[str] = field(default_factory=list)  # ``tag=vpn,urgent``: tickets with all of them
    sort: str = "score"
    cursor: str = ""
    limit: int = 50
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(
        cls, params: Any, *, default_limit: int = 50, max_limit: int = 200
    ) -> TicketFilter:
        """Parse query parameters leniently for the UI; errors are collected per field."""
        flt = cls(limit=default_limit)
        get = params.get

        def as_int(name: str) -> int | None:
            raw = (get(name) or "").strip()
            if not raw:
                return None
            try:
                return int(raw)
            except ValueError:
                flt.errors[name] = str(_("Must be a whole number."))
                return None

        flt.state = (get("state") or "active").strip()
        if flt.state not in STATE_CHOICES:
            flt.errors["state"] = str(_("Unknown state."))
            flt.state = "active"
        flt.status = (get("status") or "").strip()
        flt.team = as_int("team")
        flt.assignee = (get("assignee") or "").strip()
        if flt.assignee not in ("", "me", "none") and not flt.assignee.isdigit():
            flt.errors["assignee"] = str(_("Use “me”, “none” or a user id."))
            flt.assignee = ""
        flt.priority = as_int("priority")
        flt.type = (get("type") or "").strip()
        if flt.type and flt.type not in TicketType.values:
            flt.errors["type"] = str(_("Unknown ticket type."))
            flt.type = ""
        flt.service = as_int("service")
        flt.organization = as_int("organization")
        flt.requester = as_int("requester")
        flt.q = (get("q") or "").strip()[:200]
        flt.tags = _parse_tags(get("tag") or "", flt.errors)
        flt.sort = (get("sort") or "score").strip()
        if flt.sort not in SORTS:
            flt.errors["sort"] = str(_("Unknown sort order."))
            flt.sort = "score"
        flt.cursor = (get("cursor") or "").strip()
        limit = as_int("limit")
        if limit is not None:
            if not 1 <= limit <= max_limit:
                flt.errors["limit"] = str(_("Between 1 and %(max)d.") % {"max": max_limit})
            else:
                flt.limit = limit
        return flt

    def apply(self, tickets: QuerySet[Ticket], *, user: Any = None) -> QuerySet[Ticket]:
        """Narrow an already permission-scoped queryset (never widen it)."""
        if self.state == "active":
            tickets = tickets.filter(status_category__in=ACTIVE_CATEGORIES)
        elif self.state in StatusCategory.values:
            tickets = tickets.filter(status_category=self.state)
        if self.status:
            tickets = tickets.filter(status__key=self.status)
        if self.team is not None:
            tickets = tickets.filter(team_id=self.team)
        if self.assignee == "me" and user is not None:
            tickets = tickets.filter(assignee=user)
        elif self.assignee == "none":
            tickets = tickets.filter(assignee__isnull=True)
        elif self.assignee.isdigit():
            tickets = tickets.filter(assignee_id=int(self.assignee))
        if self.priority is not None:
            tickets = tickets.filter(priority=self.priority)
        if self.type:
            tickets = tickets.filter(type=self.type)
        if self.service is not None:
            tickets = tickets.filter(service_id=self.service)
        if self.organization is not None:
            tickets = tickets.filter(organization_id=self.organization)
        if self.requester is not None:
            tickets = tickets.filter(requester_id=self.requester)
        if self.tags:
            from okno.tags.queries import tickets_tagged

            for name in self.tags:  # one semi-join per tag on the (tag, ticket) index
                tickets = tickets.filter(pk__in=tickets_tagged(name))
        if self.q:
            query = self.q.lstrip("#")
            text = Q(title__icontains=self.q)
            if query.isdigit():
                text |= Q(pk=int(query))
            tickets = tickets.filter(text)
        return tickets

    def page(self, tickets: QuerySet[Ticket]) -> tuple[list[Ticket], str]:
        """One page after ``cursor`` and the cursor of the next page ("" at the end)."""
        field_name, descending = SORTS[self.sort]
        order = [f"-{field_name}", "-id"] if descending else [field_name, "id"]
        tickets = tickets.order_by(*order)
        if self.cursor:
            value, last_id = decode_cursor(self.cursor, field_name)
            if descending:
                after = Q(**{f"{field_name}__lt": value}) | Q(
                    **{field_name: value, "id__lt": last_id}
                )
            else:
                after = Q(**{f"{field_name}__gt": value}) | Q(
                    **{field_name: value, "id__gt": last_id}
                )
            tickets = tickets.filter(after)
        rows = list(tickets[: self.limit + 1])
        next_cursor = ""
        if len(rows) > self.limit:
            rows = rows[: self.limit]
            next_cursor = encode_cursor(getattr(rows[-1], field_name), rows[-1].pk)
        return rows, next_cursor


def _parse_tags(raw: str, errors: dict[str, str]) -> list[str]:
    from django.core.exceptions import ValidationError

    from okno.tags.models import split_names, validate_name

    names = []
    for name in split_names(raw)[:MAX_FILTER_TAGS]:
        try:
            names.append(validate_name(name))
        except ValidationError as exc:
            errors["tag"] = " ".join(exc.messages)
    return names


def encode_cursor(value: Any, pk: int) -> str:
    raw = value.isoformat() if isinstance(value, datetime) else value
    return base64.urlsafe_b64encode(json.dumps([raw, pk]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, field_name: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if field_name.endswith("_at"):
            value = parse_datetime(raw)
            if value is None:
                raise ValueError
        else:
            value = float(raw) if field_name == "score" else int(raw)
        return value, int(pk)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise FilterError("cursor", str(_("The page cursor is invalid."))) from exc
