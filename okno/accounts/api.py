"""``/api/v1/users``, ``/organizations``, ``/teams`` and the caller's own ``/tokens``.

Agents look people and organizations up; requesters see themselves and their organization,
and anything else is a 404 (never a hint that it exists).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from okno.api.errors import ApiError, error_responses, invalid

from .models import ApiToken, Organization, Team, User
from .schemas import (
    OrganizationList,
    OrganizationOut,
    TeamList,
    TokenCreatedOut,
    TokenCreateIn,
    TokenList,
    UserOut,
    UserPage,
)

router = Router()

READ_ERRORS = error_responses(401, 404, 429)
MAX_TOKENS = getattr(settings, "API_MAX_TOKENS_PER_USER", 50)


def _actor(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _require_agent(user: User) -> None:
    if not user.is_agent:
        raise ApiError(403, _("Only agents may do this."))


def _users() -> Any:
    return User.objects.select_related("organization").prefetch_related("teams")


# --- users -------------------------------------------------------------------------------------
@router.get(
    "/users/me",
    response={200: UserOut, **error_responses(401, 429)},
    summary="Who am I",
    tags=["users"],
)
def users_me(request: HttpRequest) -> Any:
    """The caller's own profile: role, organization, teams, language and time zone."""
    return _users().get(pk=_actor(request).pk)


class UserListParams(Schema):
    email: str | None = Field(None, description="Exact email address (case-insensitive)")
    q: str | None = Field(None, description="Part of the name or email")
    role: str | None = Field(None, description="requester, agent, manager or admin")
    organization: int | None = Field(None, description="Organization id")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=200)


@router.get(
    "/users",
    response={200: UserPage, **error_responses(400, 401, 403, 429)},
    summary="Find people",
    tags=["users"],
)
def users_list(request: HttpRequest, params: Query[UserListParams]) -> Any:
    """People by email, name or organization (agents only), in id order, paginated by cursor."""
    _require_agent(_actor(request))
    users = _users().order_by("id")
    if params.email:
        users = users.filter(email__iexact=params.email.strip())
    if params.q:
        words = params.q.strip()[:100]
        users = users.filter(Q(email__icontains=words) | Q(full_name__icontains=words))
    if params.role:
        users = users.filter(role=params.role)
    if params.organization is not None:
        users = users.filter(organization_id=params.organization)
    if params.cursor:
        if not params.cursor.isdigit():
            raise invalid({"cursor": [_("The page cursor is invalid.")]})
        users = users.filter(id__gt=int(params.cursor))
    rows = list(users[: params.limit + 1])
    next_cursor = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        next_cursor = str(rows[-1].pk)
    return {"items": rows, "next_cursor": next_cursor}


@router.get(
    "/users/{int:user_id}",
    response={200: UserOut, **READ_ERRORS},
    summary="Get a person",
    tags=["users"],
)
def users_get(request: HttpRequest, user_id: int) -> Any:
    """Anyone for agents; requesters may only fetch themselves (others are 404)."""
    user = _actor(request)
    if not user.is_agent and user_id != user.pk:
        raise ApiError(404, _("Not found."))
    return _users().get(pk=user_id)


# --- organizations -----------------------------------------------------------------------------
def _organization_out(org: Organization, *, detail: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"id": org.pk, "name": org.name, "parent_id": org.parent_id}
    if detail:
        out.update(email_domains=org.email_domains, shared_tickets=org.shared_tickets, vip=org.vip)
    return out


@router.get(
    "/organizations",
    response={200: OrganizationList, **error_responses(401, 429)},
    summary="List organizations",
    tags=["organizations"],
)
def organizations_list(request: HttpRequest, q: str | None = None) -> Any:
    """All organizations for agents (optionally matching `q`); a requester's own for others."""
    user = _actor(request)
    if user.is_agent:
        orgs = Organization.objects.all()
        if q:
            orgs = orgs.filter(name__icontains=q.strip()[:100])
    else:
        orgs = Organization.objects.filter(pk=user.organization_id)
    return {"items": [_organization_out(o, detail=user.is_agent) for o in orgs]}


@router.get(
    "/organizations/{int:organization_id}",
    response={200: OrganizationOut, **READ_ERRORS},
    summary="Get an organization",
    tags=["organizations"],
)
def organizations_get(request: HttpRequest, organization_id: int) -> Any:
    """Any organization for agents; requesters only their own (others are 404)."""
    user = _actor(request)
    if not user.is_agent and organization_id != user.organization_id:
        raise ApiError(404, _("Not found."))
    org = Organization.objects.get(pk=organization_id)
    return _organization_out(org, detail=user.is_agent)


# --- teams -------------------------------------------------------------------------------------
@router.get(
    "/teams",
    response={200: TeamList, **error_responses(401, 403, 429)},
    summary="List teams",
    tags=["reference"],
)
def teams_list(request: HttpRequest) -> Any:
    """Active support teams by line (agents only: requesters never route tickets)."""
    _require_agent(_actor(request))
    return {"items": list(Team.objects.filter(is_active=True))}


# --- tokens ------------------------------------------------------------------------------------
@router.get(
    "/tokens",
    response={200: TokenList, **error_responses(401, 429)},
    summary="List my API tokens",
    tags=["tokens"],
)
def tokens_list(request: HttpRequest) -> Any:
    """The caller's tokens, newest first. The token values themselves are never shown again."""
    return {"items": list(ApiToken.objects.filter(user=_actor(request)))}


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **error_responses(400, 401, 429)},
    summary="Create an API token",
    tags=["tokens"],
)
def tokens_create(request: HttpRequest, payload: TokenCreateIn) -> Any:
    """A new personal token acting as the caller, limited to `scopes` (default read and write;
    give integrations the narrowest that works, e.g. `["events"]` for a monitoring system).
    The `token` value is in this response only: store it now."""
    user = _actor(request)
    if payload.expires_at is not None and payload.expires_at <= timezone.now():
        raise invalid({"expires_at": [_("Choose a time in the future.")]})
    name = payload.name.strip()
    if not name:
        raise invalid({"name": [_("Give the token a name.")]})
    if ApiToken.objects.filter(user=user, revoked=False).count() >= MAX_TOKENS:
        raise invalid({"name": [_("You have too many tokens; revoke one first.")]})
    token, raw = ApiToken.issue(user, name, scopes=sorted(set(payload.scopes)))
    if payload.expires_at is not None:
        token.expires_at = payload.expires_at
        token.save(update_fields=["expires_at"])
    token.token = raw  # type: ignore[attr-defined]
    return Status(201, token)


@router.delete(
    "/tokens/{int:token_id}",
    response={204: None, **error_responses(401, 404, 429)},
    summary="Revoke an API token",
    tags=["tokens"],
)
def tokens_revoke(request: HttpRequest, token_id: int) -> Any:
    """Revoke one of the caller's tokens; it stops working at once. Revoking twice is fine."""
    token = ApiToken.objects.filter(pk=token_id, user=_actor(request)).first()
    if token is None:
        raise ApiError(404, _("Not found."))
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked"])
    return Status(204, None)
