"""API shapes for people, organizations, teams and personal API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict


class OrganizationRef(Schema):
    id: int
    name: str


class TeamOut(Schema):
    id: int
    name: str
    line: int
    email: str
    next_line_id: int | None


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    name: str
    role: str
    is_agent: bool
    is_active: bool
    organization: OrganizationRef | None
    language: str
    time_zone: str
    phone: str
    teams: list[OrganizationRef]

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.display_name)

    @staticmethod
    def resolve_teams(obj: Any) -> list[Any]:
        return list(obj.teams.all())


class UserPage(Schema):
    items: list[UserOut]
    next_cursor: str | None = None


class OrganizationOut(Schema):
    """The last three fields are for agents; they are null for requesters."""

    id: int
    name: str
    parent_id: int | None
    email_domains: str | None = None
    shared_tickets: bool | None = None
    vip: bool | None = None


class OrganizationList(Schema):
    items: list[OrganizationOut]


class TeamList(Schema):
    items: list[TeamOut]


class TokenOut(Schema):
    id: int
    name: str
    hint: str = Field(..., description="The first characters, to recognise the token")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked: bool
    scopes: list[str] = Field(..., description="read, write, events, redbutton")


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The token itself: shown only this once")


class TokenList(Schema):
    items: list[TokenOut]


class TokenCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100)
    expires_at: datetime | None = Field(None, description="When the token stops working")
    scopes: list[Literal["read", "write", "events", "redbutton"]] = Field(
        default_factory=lambda: ["read", "write"],
        min_length=1,
        description="What the token may do: `read` (safe methods), `write` (everything), "
        "`events` (only `/events…`), `redbutton` (only `/redbutton/…`). Default read and write.",
    )
