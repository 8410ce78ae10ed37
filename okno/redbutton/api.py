"""``/api/v1/redbutton/…``: reports from the Red Button client, device registration, statistics.

Reports authenticate with the device's own token (``Authorization: Device okrb_…``) or with
a personal API token that has the ``redbutton`` scope (``Authorization: Bearer okno_…``).
"""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.security import APIKeyHeader

from okno.accounts.models import TokenScope, User, hash_token
from okno.api.auth import SessionAuth, TokenAuth
from okno.api.errors import ApiError, error_body, error_responses, invalid

from . import actions, queries
from .models import Device

router = Router(tags=["redbutton"])

TOUCH_INTERVAL = timedelta(minutes=1)
MAX_SCREENSHOT_B64 = 8 * 1024 * 1024


class DeviceAuth(APIKeyHeader):
    """``Authorization: Device <token>``: the device acts for its owner.

    Any other scheme is left to the next authenticator (the personal API token).
    """

    param_name = "Authorization"
    openapi_description = "Authorization: Device okrb_… (a Red Button device token)"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover
        return None  # everything happens in __call__

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _sep, raw = header.strip().partition(" ")
        if scheme.lower() != "device":
            return None
        raw = raw.strip()
        device = None
        if raw.startswith(Device.PREFIX):
            device = (
                Device.objects.select_related("owner", "owner__organization")
                .filter(token_hash=hash_token(raw))
                .first()
            )
        if device is None or not device.enabled or not device.owner.is_active:
            raise AuthenticationError(
                message=_("The device token is invalid or the device was disabled.")
            )
        now = timezone.now()
        if device.last_seen_at is None or now - device.last_seen_at >= TOUCH_INTERVAL:
            Device.objects.filter(pk=device.pk).update(last_seen_at=now)
            device.last_seen_at = now
        owner = device.owner
        if owner.language:
            translation.activate(owner.language)
            request.LANGUAGE_CODE = translation.get_language()
        request.user = owner
        request.redbutton_device = device  # type: ignore[attr-defined]
        return owner


# --- schemas -----------------------------------------------------------------------------------
class ReportIn(Schema):
    report_id: str = Field(
        "", max_length=64, description="Chosen by the client (a UUID); resending files once."
    )
    comment: str = Field("", max_length=4000, description="What the person wrote, if anything.")
    diagnostics: dict[str, Any] = Field(
        ..., description="The collected diagnostics (see docs/integrations/redbutton.md)."
    )
    screenshot_base64: str | None = Field(
        None, max_length=MAX_SCREENSHOT_B64, description="Optional PNG/JPEG, base64."
    )
    client: dict[str, str] = Field(default_factory=dict, description="Client name and version.")


class ReportOut(Schema):
    ticket: int | None = Field(description="The ticket number")
    created: bool = Field(description="A new ticket was opened")
    merged: bool = Field(description="Added to the open ticket of an earlier press")
    duplicate: bool = Field(description="This report_id was received before")
    message: str
    url: str = Field("", description="The request in the portal")


class RateLimitedDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}
    retry_after: int = Field(description="Seconds until the button may be pressed again")
    ticket: int | None = Field(None, description="The open ticket to add details to")


class RateLimitedOut(Schema):
    error: RateLimitedDetail


class DeviceIn(Schema):
    name: str = Field(..., max_length=100)
    owner_email: str | None = Field(
        None, max_length=254, description="Agents only: register for this person."
    )


class DeviceOut(Schema):
    id: int
    name: str
    owner: str
    enabled: bool
    created_at: Any
    last_seen_at: Any | None


class DeviceCreatedOut(DeviceOut):
    token: str = Field(description="Shown once: put it in the client's config file.")
    config: str = Field(description="A ready config file for the client.")


class DeviceList(Schema):
    items: list[DeviceOut]


class StatsRow(Schema):
    key: int | None
    name: str
    presses: int
    tickets: int
    merged: int
    refused: int
    last_press: Any


class StatsOut(Schema):
    since: Any
    until: Any
    group: str
    total: int
    items: list[StatsRow]


class StatsParams(Schema):
    days: int = Field(30, ge=1, le=3660, description="The period: the last N days.")
    group: str = Field("user", pattern="^(user|organization)$")


def _device_out(device: Device) -> dict[str, Any]:
    return {
        "id": device.pk,
        "name": device.name,
        "owner": device.owner.email,
        "enabled": device.enabled,
        "created_at": device.created_at,
        "last_seen_at": device.last_seen_at,
    }


# --- operations --------------------------------------------------------------------------------
@router.post(
    "/redbutton/reports",
    auth=[DeviceAuth(), TokenAuth()],
    response={
        200: ReportOut,
        201: ReportOut,
        429: RateLimitedOut,
        **error_responses(400, 401, 403, 413),
    },
    summary="File a Red Button report",
)
def redbutton_report(request: HttpRequest, payload: ReportIn, response: HttpResponse) -> Any:
    """One press of the Red Button with its diagnostics.

    Answers 201 with the new ticket's number, or 200 when the report was added to the open
    ticket of an earlier press (or was already received under the same `report_id`). Over the
    rate limits it answers 429 with a `Retry-After` header and a message for the person.
    """
    user: User = request.auth  # type: ignore[attr-defined]
    device = getattr(request, "redbutton_device", None)
    api_token = getattr(request, "api_token", None)
    if device is None and (api_token is None or not api_token.allows(TokenScope.REDBUTTON)):
        raise ApiError(403, _("This token lacks the “redbutton” scope."), code="scope_missing")
    screenshot = None
    if payload.screenshot_base64:
        try:
            screenshot = base64.b64decode(payload.screenshot_base64, validate=True)
        except (binascii.Error, ValueError):
            raise invalid({"screenshot_base64": [_("This is not valid base64.")]}) from None
    try:
        result = actions.file_report(
            user=user,
            device=device,
            diagnostics=payload.diagnostics,
            comment=payload.comment,
            report_id=payload.report_id,
            screenshot=screenshot,
            client=payload.client,
        )
    except ValidationError as exc:
        raise invalid(
            {name: [str(m) for m in msgs] for name, msgs in exc.message_dict.items()}
        ) from None
    if result.throttled:
        response["Retry-After"] = str(result.retry_after)
        body = error_body("rate_limited", result.message)
        body["error"]["retry_after"] = result.retry_after
        body["error"]["ticket"] = result.ticket.pk if result.ticket else None
        return Status(429, body)
    ticket = result.ticket
    out = {
        "ticket": ticket.pk if ticket else None,
        "created": result.created,
        "merged": result.merged,
        "duplicate": result.duplicate,
        "message": result.message,
        "url": request.build_absolute_uri(reverse("portal:ticket", args=[ticket.pk]))
        if ticket
        else "",
    }
    return Status(201 if result.created else 200, out)


def _session_or_token_write(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    api_token = getattr(request, "api_token", None)
    if api_token is not None and not api_token.allows(TokenScope.WRITE):
        raise ApiError(403, _("This token lacks the “write” scope."), code="scope_missing")
    return user


@router.post(
    "/redbutton/devices",
    auth=[TokenAuth(), SessionAuth()],
    response={201: DeviceCreatedOut, **error_responses(400, 401, 403, 429)},
    summary="Register a Red Button device",
)
def redbutton_device_create(request: HttpRequest, payload: DeviceIn) -> Any:
    """A device token for the caller (agents: for `owner_email`). The `token` and the ready
    `config` file are in this response only."""
    actor = _session_or_token_write(request)
    owner = actor
    if payload.owner_email:
        owner = User.objects.filter(email__iexact=payload.owner_email.strip()).first()
        if owner is None or not actor.is_agent:
            raise invalid({"owner_email": [_("No such person, or you may not choose one.")]})
    try:
        device, raw = actions.register_device(actor=actor, name=payload.name, owner=owner)
    except ValidationError as exc:
        raise invalid(
            {name: [str(m) for m in msgs] for name, msgs in exc.message_dict.items()}
        ) from None
    body = _device_out(device)
    body["token"] = raw
    body["config"] = queries.client_config(request.build_absolute_uri("/"), raw)
    return Status(201, body)


@router.get(
    "/redbutton/devices",
    response={200: DeviceList, **error_responses(401, 429)},
    summary="List my Red Button devices",
)
def redbutton_devices(request: HttpRequest) -> Any:
    """The caller's own devices (tokens are never shown again)."""
    user: User = request.auth  # type: ignore[attr-defined]
    devices = Device.objects.filter(owner=user).select_related("owner")
    return {"items": [_device_out(d) for d in devices]}


@router.get(
    "/redbutton/stats",
    response={200: StatsOut, **error_responses(400, 401, 403, 429)},
    summary="Red Button presses per user or organization",
)
def redbutton_stats(request: HttpRequest, params: Query[StatsParams]) -> Any:
    """Agents only: who presses the button how often over the last `days` — the "which users
    need training" report. `refused` counts presses over the rate limits."""
    user: User = request.auth  # type: ignore[attr-defined]
    if not user.is_agent:
        raise ApiError(403, _("Only agents may see the statistics."))
    until = timezone.now()
    since = until - timedelta(days=params.days)
    stats = queries.press_stats(since=since, until=until, group=params.group)
    return {
        "since": since,
        "until": until,
        "group": params.group,
        "total": stats.total,
        "items": [row.as_dict() for row in stats.rows],
    }
