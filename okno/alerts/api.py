"""``/api/v1/events…`` (monitoring intake) and ``/api/v1/alerts…`` (reads for agents).

Intake answers 202 after one cheap insert; incidents are made by background jobs
(``okno.alerts.actions.process_pending``). Senders authenticate with an API token that has the
``events`` scope (or ``write``); ``okno.api.auth`` enforces scopes by path centrally, and the
handlers check again (an ``events``-only token may only send; a session may not send at all).
Reads need an agent, and a token with the ``read`` or ``write`` scope.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from okno.accounts.models import User
from okno.accounts.queries import visible_tickets
from okno.api.auth import ApiRateThrottle
from okno.api.errors import ApiError, error_responses, invalid

from . import actions, formats
from .models import Alert

router = Router(tags=["alerts"])

SEND_SCOPES = ("events", "write")
READ_SCOPES = ("read", "write")
EVENT_ERRORS = error_responses(400, 401, 403, 413, 429)

PROBLEMS = {
    formats.REQUIRED: gettext_lazy("This field is required."),
    formats.INVALID: gettext_lazy("This value is not valid."),
    formats.NOT_OBJECT: gettext_lazy("Expected a JSON object."),
    formats.NOT_LIST: gettext_lazy("Expected a JSON list."),
    formats.TOO_MANY: gettext_lazy("Too many events in one request."),
    formats.BAD_STATUS: gettext_lazy("Unknown status: use “firing” or “resolved”."),
    formats.BAD_TIME: gettext_lazy("Not a time: use ISO 8601 or Unix seconds."),
}


class EventsRateThrottle(ApiRateThrottle):
    """Event intake has its own limit (``ALERTS_RATE_LIMIT``), off by default: a storm is
    exactly when monitoring must get through; the cheap insert is what protects the server."""

    scope = "okno_events"

    def allow_request(self, request: HttpRequest) -> bool:
        rate = getattr(settings, "ALERTS_RATE_LIMIT", "")
        if not rate:
            return True
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        return super(ApiRateThrottle, self).allow_request(request)


class AcceptedOut(Schema):
    accepted: int = Field(description="How many events were stored for processing")
    ids: list[int] = Field(description="Ids of the stored events, in payload order")


class AlertOut(Schema):
    id: int
    source: str
    fingerprint: str
    status: str
    severity: str
    summary: str
    service: str
    host: str
    labels: dict[str, str]
    ticket_id: int | None
    attached: bool
    count: int
    flapping: bool
    first_seen: datetime
    last_seen: datetime

    @staticmethod
    def resolve_source(obj: Alert) -> str:
        return obj.source.name


class AlertPage(Schema):
    items: list[AlertOut]
    next_cursor: str | None


class AlertListParams(Schema):
    status: str | None = Field(None, description="firing or resolved")
    source: str | None = Field(None, description="Source name")
    ticket: int | None = Field(None, description="Incident ticket id")
    flapping: bool | None = None
    cursor: str | None = Field(None, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=200)


def _token_scopes(request: HttpRequest) -> list[str] | None:
    token = getattr(request, "okno_token", None) or getattr(request, "api_token", None)
    return None if token is None else list(token.scopes or [])


def _sender(request: HttpRequest) -> User:
    scopes = _token_scopes(request)
    if scopes is None:
        raise ApiError(
            403,
            _("Send monitoring events with an API token that has the “events” scope."),
            code="token_required",
        )
    if not any(scope in scopes for scope in SEND_SCOPES):
        raise ApiError(
            403,
            _("This API token may not send monitoring events: it needs the “events” scope."),
            code="insufficient_scope",
        )
    return request.auth  # type: ignore[attr-defined,no-any-return]


def _reader(request: HttpRequest) -> User:
    scopes = _token_scopes(request)
    if scopes is not None and not any(scope in scopes for scope in READ_SCOPES):
        raise ApiError(
            403, _("This API token may only send monitoring events."), code="insufficient_scope"
        )
    user: User = request.auth  # type: ignore[attr-defined]
    if not user.is_agent:
        raise ApiError(403, _("Only agents may do this."))
    return user


def _payload(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid({"body": [_("The body is not valid JSON.")]}) from exc


def _accept(request: HttpRequest, kind: str, source: str | None) -> Any:
    user = _sender(request)
    payload = _payload(request)
    default = formats.source_name(source, "api" if kind == "generic" else kind)
    try:
        events = formats.NORMALIZERS[kind](payload, default)
    except formats.FormatError as exc:
        fields = {
            name: [str(PROBLEMS.get(c, c)) for c in codes] for name, codes in exc.fields.items()
        }
        raise invalid(fields) from exc
    if source and kind == "generic":  # the query parameter wins over the body
        events = [_with_source(e, default) for e in events]
    ids = actions.store_events(events, actor=user)
    return Status(202, {"accepted": len(events), "ids": ids})


def _with_source(event: formats.Event, source: str) -> formats.Event:
    from dataclasses import replace

    return replace(event, source=source)


def _body_doc(description: str, example: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "application/json": {
                    "schema": {"type": "object", "additionalProperties": True},
                    "example": example,
                }
            },
        }
    }


GENERIC_EXAMPLE = {
    "source": "nagios",
    "fingerprint": "db1/disk-root",
    "status": "firing",
    "severity": "critical",
    "summary": "Disk / is 97% full",
    "description": "Free space below 3% on db1:/",
    "service": "Billing DB",
    "host": "db1",
    "labels": {"team": "dba"},
}
ALERTMANAGER_EXAMPLE = {
    "version": "4",
    "status": "firing",
    "receiver": "okno",
    "alerts": [
        {
            "status": "firing",
            "labels": {
                "alertname": "InstanceDown",
                "instance": "web1:9100",
                "severity": "critical",
            },
            "annotations": {"summary": "web1 is down"},
            "startsAt": "2026-11-23T10:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "fingerprint": "a1b2c3d4e5f60718",
        }
    ],
}
ZABBIX_EXAMPLE = {
    "event_id": "4711",
    "status": "PROBLEM",
    "event_nseverity": "5",
    "severity": "Disaster",
    "trigger_name": "Zabbix agent on web1 is unreachable",
    "trigger_id": "23001",
    "host": "web1",
    "tags": [{"tag": "service", "value": "Shop"}],
    "message": "Problem started at 10:00:00",
}


@router.post(
    "/events",
    response={202: AcceptedOut, **EVENT_ERRORS},
    summary="Send monitoring events (generic JSON)",
    throttle=[EventsRateThrottle()],
    openapi_extra=_body_doc('One event, or {"events": [...]} with up to 1000.', GENERIC_EXAMPLE),
)
def events_create(request: HttpRequest, source: str | None = None) -> Any:
    """Store one event or a batch for processing (202). Repeats of a fingerprint whose
    incident is open are counted on it; ``status: resolved`` annotates and may resolve it.
    ``?source=`` overrides the body's ``source``."""
    return _accept(request, "generic", source)


@router.post(
    "/events/alertmanager",
    response={202: AcceptedOut, **EVENT_ERRORS},
    summary="Prometheus Alertmanager webhook receiver",
    throttle=[EventsRateThrottle()],
    openapi_extra=_body_doc("The Alertmanager webhook payload (version 4).", ALERTMANAGER_EXAMPLE),
)
def events_alertmanager(request: HttpRequest, source: str | None = None) -> Any:
    """Point an Alertmanager ``webhook_configs`` receiver here (``?source=`` names the source,
    default ``alertmanager``); authenticate with ``http_config.authorization``."""
    return _accept(request, "alertmanager", source)


@router.post(
    "/events/zabbix",
    response={202: AcceptedOut, **EVENT_ERRORS},
    summary="Zabbix webhook media type receiver",
    throttle=[EventsRateThrottle()],
    openapi_extra=_body_doc("What the Okno media type script posts.", ZABBIX_EXAMPLE),
)
def events_zabbix(request: HttpRequest, source: str | None = None) -> Any:
    """Point the Okno Zabbix media type here (see the integration guide)."""
    return _accept(request, "zabbix", source)


def _alerts(user: User) -> Any:
    return Alert.objects.select_related("source").filter(
        Q(ticket__in=visible_tickets(user).values("pk"))
    )


@router.get(
    "/alerts",
    response={200: AlertPage, **error_responses(400, 401, 403, 429)},
    summary="List monitoring alerts",
)
def alerts_list(request: HttpRequest, params: Query[AlertListParams]) -> Any:
    """Alerts whose incident the caller may see, newest first, paginated by cursor."""
    user = _reader(request)
    alerts = _alerts(user).order_by("-id")
    if params.status:
        alerts = alerts.filter(status=params.status)
    if params.source:
        alerts = alerts.filter(source__name=params.source)
    if params.ticket is not None:
        alerts = alerts.filter(ticket_id=params.ticket)
    if params.flapping is not None:
        alerts = alerts.filter(flapping=params.flapping)
    if params.cursor:
        if not params.cursor.isdigit():
            raise invalid({"cursor": [_("The page cursor is invalid.")]})
        alerts = alerts.filter(id__lt=int(params.cursor))
    rows = list(alerts[: params.limit + 1])
    next_cursor = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        next_cursor = str(rows[-1].pk)
    return {"items": rows, "next_cursor": next_cursor}


@router.get(
    "/alerts/{int:alert_id}",
    response={200: AlertOut, **error_responses(401, 403, 404, 429)},
    summary="Get a monitoring alert",
)
def alerts_get(request: HttpRequest, alert_id: int) -> Any:
    """One alert with its incident, count and flapping mark."""
    user = _reader(request)
    alert = _alerts(user).filter(pk=alert_id).first()
    if alert is None:
        raise ApiError(404, _("There is no such alert."))
    return alert
