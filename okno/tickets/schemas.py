"""API shapes for tickets, their timeline, files, links and statuses (django-ninja / pydantic)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.urls import reverse
from ninja import Field, Schema
from pydantic import ConfigDict


class StrictIn(Schema):
    """Input schemas reject unknown keys, so a typo is a 400 and not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


# --- references --------------------------------------------------------------------------------
class Ref(Schema):
    id: int
    name: str


class UserRef(Schema):
    id: int
    name: str
    email: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.display_name)


class StatusRef(Schema):
    key: str
    label: str
    requester_label: str
    category: str


class TicketRef(Schema):
    id: int
    title: str
    status: StatusRef


# --- tickets -----------------------------------------------------------------------------------
class TicketListItem(Schema):
    """What a row of a ticket list needs; everything comes from one joined query."""

    id: int
    title: str
    type: str
    status: StatusRef
    priority: int
    impact: int
    urgency: int
    requester: UserRef
    organization: Ref | None
    team: Ref | None
    assignee: UserRef | None
    service: Ref | None
    channel: str
    created_at: datetime
    updated_at: datetime
    tags: list[str] = Field(
        default_factory=list,
        description="Tag names, by name. Tags are internal: always empty for requesters.",
    )

    @staticmethod
    def resolve_tags(obj: Any, context: Any) -> list[str]:
        from okno.tags.queries import tag_names

        user = getattr((context or {}).get("request"), "auth", None)
        if user is None or not getattr(user, "is_agent", False):
            return []
        return tag_names(obj)


class TicketOut(TicketListItem):
    category: Ref | None
    priority_overridden: bool
    score: float
    parent_id: int | None
    merged_into_id: int | None
    reopen_count: int
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    custom_fields: dict[str, Any]


class TicketPage(Schema):
    items: list[TicketListItem]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null on the last page."
    )


class TicketListParams(Schema):
    """Query parameters of ``GET /tickets`` (parsed by ``okno.tickets.filters.TicketFilter``)."""

    state: str | None = Field(
        None, description="active (default), new, open, waiting, resolved, closed or all"
    )
    status: str | None = Field(None, description="A status key, e.g. `waiting_customer`")
    team: str | None = Field(None, description="Team id")
    assignee: str | None = Field(None, description="`me`, `none` or a user id")
    priority: str | None = Field(None, description="1 (critical) … 5 (planning)")
    type: str | None = Field(
        None, description="incident, service_request, question, problem or change"
    )
    service: str | None = Field(None, description="Service id")
    organization: str | None = Field(None, description="Organization id")
    requester: str | None = Field(None, description="Requester user id")
    q: str | None = Field(None, description="Words in the title, or a ticket number")
    tag: str | None = Field(
        None, description="Tag name(s), comma-separated: tickets carrying all of them"
    )
    sort: str | None = Field(None, description="score (default), newest, oldest, updated, priority")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page")
    limit: str | None = Field(None, description="Page size, 1…200 (default 50)")


class TicketCreateIn(StrictIn):
    title: str = Field(..., max_length=250)
    description: str
    type: str = "incident"
    service: int | None = Field(None, description="Service id")
    category: int | None = Field(None, description="Category id")
    impact: int = Field(2, description="1 high, 2 medium, 3 low")
    urgency: int = Field(2, description="1 high, 2 medium, 3 low")
    requester: int | None = Field(None, description="Agents: the requester's user id")
    requester_email: str | None = Field(None, description="Agents: the requester's email")
    team: int | None = Field(None, description="Agents: team id")
    assignee: int | None = Field(None, description="Agents: assignee user id")
    organization: int | None = Field(None, description="Agents: organization id")
    tags: list[str] | None = Field(
        None, description="Agents: tag names; unknown names become new tags", max_length=50
    )


class TicketUpdateIn(StrictIn):
    """Only the keys present are changed; ``null`` clears a nullable field."""

    title: str | None = Field(None, max_length=250)
    type: str | None = None
    service: int | None = None
    category: int | None = None
    status: str | None = Field(None, description="A status key")
    impact: int | None = None
    urgency: int | None = None
    priority: int | None = Field(
        None, description="Override the matrix (needs `reason`); null returns to the matrix"
    )
    reason: str = Field("", max_length=500, description="Why the priority is overridden")
    team: int | None = None
    assignee: int | None = None
    tags: list[str] | None = Field(
        None, description="Agents: the whole new tag set (null or [] removes all)", max_length=50
    )


class TagsIn(StrictIn):
    names: list[str] = Field(..., min_length=1, max_length=50, description="Tag names")


class TagsOut(Schema):
    tags: list[str]


# --- articles, events, files -------------------------------------------------------------------
class AttachmentOut(Schema):
    id: int
    filename: str
    size: int
    content_type: str
    article_id: int | None
    created_at: datetime
    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("api:attachments_download", kwargs={"attachment_id": obj.pk})


class ArticleOut(Schema):
    id: int
    kind: str
    author: UserRef | None
    channel: str
    body_text: str
    body_html: str
    time_spent_minutes: int | None
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())


class ArticleIn(StrictIn):
    kind: Literal["reply", "note"] = "reply"
    body: str
    time_spent_minutes: int | None = Field(None, ge=0, le=100_000)
    status: str | None = Field(None, description="Agents: a status key to set with the article")


class EventOut(Schema):
    id: int
    kind: str
    actor: UserRef | None
    field: str
    old: Any = None
    new: Any = None
    data: dict[str, Any]
    created_at: datetime


class ReopenIn(StrictIn):
    reason: str = Field("", max_length=5000)


class MergeIn(StrictIn):
    target: int = Field(..., description="The ticket that absorbs this one")


LinkKindIn = Literal["related", "duplicate", "parent", "child"]


class LinkIn(StrictIn):
    other: int = Field(..., description="The other ticket's id")
    kind: LinkKindIn = Field(
        ...,
        description=(
            "This ticket's relation to the other: related, duplicate (of the other), "
            "parent (of the other) or child (of the other)"
        ),
    )


LinkKindOut = Literal["related", "duplicate", "duplicated_by", "parent", "child"]


class LinkOut(Schema):
    kind: LinkKindOut
    ticket: TicketRef


class StatusOut(Schema):
    key: str
    label: str
    requester_label: str
    category: str
    order: int
    is_default: bool


# --- list wrappers -----------------------------------------------------------------------------
class ArticleList(Schema):
    items: list[ArticleOut]


class EventList(Schema):
    items: list[EventOut]


class AttachmentList(Schema):
    items: list[AttachmentOut]


class LinkList(Schema):
    items: list[LinkOut]


class StatusList(Schema):
    items: list[StatusOut]
