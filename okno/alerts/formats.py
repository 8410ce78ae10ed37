"""Pure normalizers: what monitoring tools send -> one :class:`Event` shape. No Django here.

Three inputs are understood:

- the **generic** event JSON (one object, or ``{"events": [...]}``), documented in
  ``docs/integrations/alerts.md``;
- the **Prometheus Alertmanager** webhook payload (``version`` 4: ``alerts`` with ``status``,
  ``labels``, ``annotations``, ``startsAt``, ``endsAt``, ``fingerprint``);
- the JSON our **Zabbix** "Webhook" media type script posts (event id, trigger name, severity,
  status PROBLEM/RESOLVED/OK, host, tags).

Bad input raises :class:`FormatError` with field paths mapped to stable problem codes (the API
turns codes into translated messages); nothing is stored unless the whole payload is valid.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .correlate import normalize_severity

FIRING = "firing"
RESOLVED = "resolved"
MAX_EVENTS = 1000  # per request
MAX_FINGERPRINT = 200
MAX_SUMMARY = 500
MAX_TEXT = 20_000
MAX_NAME = 200

# problem codes (the API maps them to translated messages)
REQUIRED = "required"
INVALID = "invalid"
NOT_OBJECT = "not_object"
NOT_LIST = "not_list"
TOO_MANY = "too_many"
BAD_STATUS = "bad_status"
BAD_TIME = "bad_time"

_STATUSES = {
    "firing": FIRING,
    "problem": FIRING,
    "triggered": FIRING,
    "trigger": FIRING,
    "open": FIRING,
    "alert": FIRING,
    "active": FIRING,
    "1": FIRING,
    "resolved": RESOLVED,
    "resolve": RESOLVED,
    "ok": RESOLVED,
    "recovery": RESOLVED,
    "recovered": RESOLVED,
    "closed": RESOLVED,
    "inactive": RESOLVED,
    "0": RESOLVED,
}
UNKNOWN = "*UNKNOWN*"  # what Zabbix puts for a macro it cannot resolve
_MACRO = re.compile(r"^\{[A-Z0-9_.:#$]+\}$")  # an unexpanded Zabbix macro such as {EVENT.ID}
_SOURCE = re.compile(r"[^a-z0-9_.-]+")


class FormatError(Exception):
    """The payload is not what the format promises; ``fields`` maps paths to problem codes."""

    def __init__(self, fields: Mapping[str, list[str]]):
        super().__init__(", ".join(f"{k}: {'/'.join(v)}" for k, v in fields.items()))
        self.fields = dict(fields)


@dataclass(frozen=True)
class Event:
    """One normalized monitoring event, ready for the cheap insert."""

    source: str
    format: str
    fingerprint: str
    status: str
    severity: str
    summary: str
    description: str = ""
    service: str = ""  # service or configuration item: the correlation key
    host: str = ""
    url: str = ""
    occurred_at: datetime | None = None
    labels: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """What correlation groups by: the service / configuration item, else the host."""
        return self.service or self.host


# --- helpers --------------------------------------------------------------------------------


def _text(value: object, limit: int = MAX_TEXT) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    text = str(value).strip()
    if _MACRO.match(text) or text == UNKNOWN:
        return ""
    return text[:limit]


def source_name(value: object, default: str) -> str:
    """A short lowercase identifier for an alert source (``prometheus``, ``zabbix-prod``)."""
    text = _SOURCE.sub("-", _text(value, 200).lower()).strip("-.")[:60]
    return text or default


def _labels(value: object, path: str, errors: dict[str, list[str]]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors.setdefault(path, []).append(NOT_OBJECT)
        return {}
    return {str(k)[:MAX_NAME]: _text(v, 1000) for k, v in list(value.items())[:200]}


def _status(value: object, path: str, errors: dict[str, list[str]], default: str) -> str:
    text = _text(value, 50).lower()
    if not text:
        return default
    status = _STATUSES.get(text)
    if status is None:
        errors.setdefault(path, []).append(BAD_STATUS)
        return default
    return status


def parse_time(value: object) -> datetime | None:
    """ISO 8601 (``Z`` allowed) or Unix seconds; naive times are UTC. Raises ValueError."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("not a time")
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), tz=UTC)
    text = str(value).strip()
    if _MACRO.match(text):
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), tz=UTC)
    text = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00").replace("z", "+00:00"))
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed.year < 1971:  # Alertmanager's "0001-01-01T00:00:00Z" means "not set"
        return None
    return parsed


def _time(value: object, path: str, errors: dict[str, list[str]]) -> datetime | None:
    try:
        return parse_time(value)
    except (ValueError, OverflowError, OSError):
        errors.setdefault(path, []).append(BAD_TIME)
        return None


def _fingerprint(value: object, *parts: object) -> str:
    """The sender's dedup key, or a stable hash of what identifies the alert."""
    text = _text(value, 10_000)
    if not text:
        text = json.dumps(parts, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:40]
    if len(text) > MAX_FINGERPRINT:
        return hashlib.sha256(text.encode()).hexdigest()
    return text


def _object(payload: object) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise FormatError({"body": [NOT_OBJECT]})
    return payload


# --- generic ---------------------------------------------------------------------------------


def _generic_one(
    item: object, path: str, default_source: str, errors: dict[str, list[str]]
) -> Event | None:
    prefix = f"{path}." if path else ""
    if not isinstance(item, Mapping):
        errors.setdefault(path or "body", []).append(NOT_OBJECT)
        return None
    labels = _labels(item.get("labels"), f"{prefix}labels", errors)
    summary = _text(item.get("summary") or item.get("title"), MAX_SUMMARY)
    if not summary:
        errors.setdefault(f"{prefix}summary", []).append(REQUIRED)
    service = _text(
        item.get("service") or item.get("ci") or item.get("configuration_item"), MAX_NAME
    )
    host = _text(item.get("host"), MAX_NAME)
    source = source_name(item.get("source"), default_source)
    return Event(
        source=source,
        format="generic",
        fingerprint=_fingerprint(
            item.get("fingerprint") or item.get("dedup_key"), summary, service, host, labels
        ),
        status=_status(item.get("status"), f"{prefix}status", errors, FIRING),
        severity=normalize_severity(item.get("severity")),
        summary=summary,
        description=_text(item.get("description")),
        service=service,
        host=host,
        url=_text(item.get("url"), 1000),
        occurred_at=_time(item.get("occurred_at"), f"{prefix}occurred_at", errors),
        labels=labels,
        raw=dict(item),
    )


def normalize_generic(payload: object, default_source: str = "api") -> list[Event]:
    """One event object, or ``{"events": [ ... ]}`` with up to :data:`MAX_EVENTS`."""
    body = _object(payload)
    errors: dict[str, list[str]] = {}
    if "events" in body:
        items = body["events"]
        if not isinstance(items, list):
            raise FormatError({"events": [NOT_LIST]})
        if not items:
            raise FormatError({"events": [REQUIRED]})
        if len(items) > MAX_EVENTS:
            raise FormatError({"events": [TOO_MANY]})
        events = [
            _generic_one(item, f"events.{n}", default_source, errors)
            for n, item in enumerate(items)
        ]
    else:
        events = [_generic_one(body, "", default_source, errors)]
    if errors:
        raise FormatError(errors)
    return [e for e in events if e is not None]


# --- Prometheus Alertmanager -----------------------------------------------------------------


def normalize_alertmanager(payload: object, default_source: str = "alertmanager") -> list[Event]:
    """The Alertmanager webhook (``webhook_configs``) payload: one event per alert."""
    body = _object(payload)
    alerts = body.get("alerts")
    if alerts is None:
        raise FormatError({"alerts": [REQUIRED]})
    if not isinstance(alerts, list):
        raise FormatError({"alerts": [NOT_LIST]})
    if len(alerts) > MAX_EVENTS:
        raise FormatError({"alerts": [TOO_MANY]})
    errors: dict[str, list[str]] = {}
    group_status = _text(body.get("status"), 20).lower()
    context = {
        key: body[key]
        for key in ("receiver", "groupKey", "externalURL", "groupLabels")
        if key in body
    }
    events = []
    for n, alert in enumerate(alerts):
        path = f"alerts.{n}"
        if not isinstance(alert, Mapping):
            errors.setdefault(path, []).append(NOT_OBJECT)
            continue
        labels = _labels(alert.get("labels"), f"{path}.labels", errors)
        annotations = _labels(alert.get("annotations"), f"{path}.annotations", errors)
        status = _status(alert.get("status") or group_status, f"{path}.status", errors, FIRING)
        starts = _time(alert.get("startsAt"), f"{path}.startsAt", errors)
        ends = _time(alert.get("endsAt"), f"{path}.endsAt", errors)
        name = labels.get("alertname", "")
        summary = (annotations.get("summary") or annotations.get("title") or name)[:MAX_SUMMARY]
        if not summary:
            errors.setdefault(f"{path}.labels.alertname", []).append(REQUIRED)
        description = "\n\n".join(
            part
            for part in (
                annotations.get("description") or annotations.get("message", ""),
                annotations.get("runbook_url", ""),
            )
            if part
        )
        events.append(
            Event(
                source=default_source,
                format="alertmanager",
                fingerprint=_fingerprint(alert.get("fingerprint"), sorted(labels.items())),
                status=status,
                severity=normalize_severity(labels.get("severity") or labels.get("priority")),
                summary=summary,
                description=description,
                service=(
                    labels.get("service")
                    or labels.get("ci")
                    or labels.get("configuration_item", "")
                )[:MAX_NAME],
                host=(labels.get("instance") or labels.get("host") or labels.get("node", ""))[
                    :MAX_NAME
                ],
                url=_text(alert.get("generatorURL"), 1000),
                occurred_at=ends if status == RESOLVED and ends else starts,
                labels=labels,
                raw={**context, **dict(alert)},
            )
        )
    if errors:
        raise FormatError(errors)
    return events


# --- Zabbix ------------------------------------------------------------------------------------

_ZABBIX_NSEVERITY = {
    "5": "critical",
    "4": "high",
    "3": "warning",
    "2": "warning",
    "1": "info",
    "0": "info",
}


def _zabbix_tags(value: object) -> dict[str, str]:
    """``{EVENT.TAGSJSON}`` (a list of {tag, value}, maybe as a string) or ``{EVENT.TAGS}``."""
    if isinstance(value, str):
        text = value.strip()
        if _MACRO.match(text) or not text:
            return {}
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                return {}
        else:
            tags: dict[str, str] = {}
            for part in text.split(","):
                name, _sep, tag_value = part.strip().partition(":")
                if name.strip():
                    tags[name.strip()[:MAX_NAME]] = tag_value.strip()[:1000]
            return tags
    if isinstance(value, Mapping):
        return {str(k)[:MAX_NAME]: _text(v, 1000) for k, v in value.items()}
    if isinstance(value, list):
        tags = {}
        for item in value[:200]:
            if isinstance(item, Mapping) and _text(item.get("tag")):
                tags[_text(item.get("tag"), MAX_NAME)] = _text(item.get("value"), 1000)
        return tags
    return {}


def normalize_zabbix(payload: object, default_source: str = "zabbix") -> list[Event]:
    """What the Zabbix webhook script in the guide posts: one event per message."""
    body = _object(payload)
    errors: dict[str, list[str]] = {}
    event_id = _text(body.get("event_id"), MAX_NAME)
    trigger_id = _text(body.get("trigger_id"), MAX_NAME)
    host = _text(body.get("host") or body.get("host_name"), MAX_NAME)
    summary = _text(body.get("trigger_name") or body.get("subject"), MAX_SUMMARY)
    if not summary:
        errors.setdefault("trigger_name", []).append(REQUIRED)
    if not event_id and not trigger_id:
        errors.setdefault("event_id", []).append(REQUIRED)
    raw_status = _text(body.get("status"), 50) or _text(body.get("event_value"), 5)
    status = _status(raw_status, "status", errors, FIRING)
    if _text(body.get("recovery_event_id"), 50) and not raw_status:
        status = RESOLVED
    nseverity = _text(body.get("event_nseverity"), 5)
    severity = _ZABBIX_NSEVERITY.get(nseverity) or normalize_severity(body.get("severity"))
    tags = _zabbix_tags(body.get("tags"))
    occurred = _time(
        body.get("recovery_time")
        if status == RESOLVED and body.get("recovery_time")
        else body.get("event_time"),
        "event_time",
        errors,
    )
    if errors:
        raise FormatError(errors)
    labels = {"host": host, "trigger_id": trigger_id, **tags}
    return [
        Event(
            source=default_source,
            format="zabbix",
            fingerprint=(
                f"zabbix:{event_id}" if event_id else _fingerprint(None, trigger_id, host)
            ),
            status=status,
            severity=severity,
            summary=summary,
            description=_text(body.get("message")),
            service=(tags.get("service") or tags.get("ci") or tags.get("application", ""))[
                :MAX_NAME
            ],
            host=host,
            url=_text(body.get("url"), 1000),
            occurred_at=occurred,
            labels={k: v for k, v in labels.items() if v},
            raw=dict(body),
        )
    ]


NORMALIZERS = {
    "generic": normalize_generic,
    "alertmanager": normalize_alertmanager,
    "zabbix": normalize_zabbix,
}
