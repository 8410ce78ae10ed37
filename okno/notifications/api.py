"""``/api/v1/notifications…``: the caller's own in-app notifications and preferences.

Everyone reads only their own list (there is no way to name another person); reading and
preferences go through ``notifications.actions`` like the pages do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from okno.api.errors import ApiError, error_responses, invalid
from okno.api.pagination import newest_first

from . import actions
from .delivery import preferences, wants
from .models import Channel, Kind, Notification

router = Router(tags=["notifications"])

READ_ERRORS = error_responses(400, 401, 403, 429)
WRITE_ERRORS = error_responses(400, 401, 403, 404, 429)
MAX_LIMIT = 200


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    ticket_id: int | None
    read: bool
    read_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_read(obj: Notification) -> bool:
        return obj.read_at is not None


class NotificationPage(Schema):
    items: list[NotificationOut]
    unread: int = Field(description="Unread notifications in all")
    next_cursor: str | None = Field(None, description="Pass back as `cursor` for older ones")


class NotificationParams(Schema):
    unread: bool = Field(False, description="Only unread notifications")
    cursor: str | None = Field(None, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=MAX_LIMIT)


class ReadAllOut(Schema):
    marked: int = Field(description="How many notifications were unread and are read now")


class PreferenceItem(Schema):
    kind: str = Field(description="assigned, mentioned, replied, … (see `kinds`)")
    channel: str = Field(description="app or email")
    enabled: bool


class PreferencesOut(Schema):
    items: list[PreferenceItem]


class PreferencesIn(Schema):
    items: list[PreferenceItem] = Field(description="The choices to change; others stay")


def _mine(request: HttpRequest) -> Any:
    return Notification.objects.filter(user=request.auth, shown=True)  # type: ignore[attr-defined]


@router.get(
    "/notifications",
    response={200: NotificationPage, **READ_ERRORS},
    summary="List my notifications",
)
def notifications_list(request: HttpRequest, params: Query[NotificationParams]) -> Any:
    """Newest first, keyset-paged by id."""
    rows = _mine(request)
    unread = rows.filter(read_at__isnull=True).count()
    if params.unread:
        rows = rows.filter(read_at__isnull=True)
    page, next_cursor = newest_first(rows, params.cursor, params.limit)
    return {"items": page, "unread": unread, "next_cursor": next_cursor}


@router.post(
    "/notifications/{int:notification_id}/read",
    response={200: NotificationOut, **WRITE_ERRORS},
    summary="Mark one notification read",
)
def notifications_read(request: HttpRequest, notification_id: int) -> Any:
    """404 for someone else's notification, as for one that does not exist."""
    note = _mine(request).filter(pk=notification_id).first()
    if note is None:
        raise ApiError(404, _("Not found."), code="not_found")
    actions.mark_read(request.auth, [note.pk])  # type: ignore[attr-defined]
    note.refresh_from_db()
    return note


@router.post(
    "/notifications/read-all",
    response={200: ReadAllOut, **WRITE_ERRORS},
    summary="Mark all my notifications read",
)
def notifications_read_all(request: HttpRequest) -> Any:
    """Every unread notification of the caller becomes read; answers how many."""
    return {"marked": actions.mark_read(request.auth)}  # type: ignore[attr-defined]


def _preference_items(request: HttpRequest) -> list[dict[str, Any]]:
    prefs = preferences(request.auth)  # type: ignore[attr-defined]
    return [
        {"kind": kind, "channel": channel, "enabled": wants(prefs, kind, channel)}
        for kind in Kind.values
        for channel in Channel.values
    ]


@router.get(
    "/notifications/preferences",
    response={200: PreferencesOut, **READ_ERRORS},
    summary="My notification preferences",
)
def notifications_preferences(request: HttpRequest) -> Any:
    """Every kind × channel with whether it is on (defaults included)."""
    return {"items": _preference_items(request)}


@router.put(
    "/notifications/preferences",
    response={200: PreferencesOut, **WRITE_ERRORS},
    summary="Change my notification preferences",
)
def notifications_preferences_update(request: HttpRequest, payload: PreferencesIn) -> Any:
    """Turn kinds on or off per channel; pairs not listed keep their setting. An unknown kind
    or channel is refused and nothing is saved."""
    errors: dict[str, list[str]] = {}
    for n, item in enumerate(payload.items):
        if item.kind not in Kind.values:
            errors[f"items.{n}.kind"] = [
                _("Unknown kind: use one of %(kinds)s.") % {"kinds": ", ".join(Kind.values)}
            ]
        if item.channel not in Channel.values:
            errors[f"items.{n}.channel"] = [
                _("Unknown channel: use one of %(channels)s.")
                % {"channels": ", ".join(Channel.values)}
            ]
    if errors:
        raise invalid(errors)
    actions.save_preferences(
        request.auth,  # type: ignore[attr-defined]
        {(item.kind, item.channel): item.enabled for item in payload.items},
    )
    return Status(200, {"items": _preference_items(request)})
