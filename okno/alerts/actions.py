"""Every write of alert intake: store events cheaply, then turn them into incidents.

Two halves with different budgets:

- :func:`store_events` runs inside the API request: one bulk insert of normalized rows in state
  ``received`` and, at most once a second per process, a processing job queued after commit.
- :func:`process_pending` runs in background jobs: source by source (the source row is locked so
  two workers never race on one fingerprint), in arrival order, in batches. Each event runs in
  its own savepoint: a bad one is marked ``failed`` and the rest carry on.

Tickets change only through :mod:`okno.tickets.actions`; the alert timeline entries (repeats,
resolutions, flapping, correlation) are ``TicketEvent``\\ s written with
:func:`okno.tickets.events.record`, which notify nobody. Automatic changes after the ticket is
opened (notes, resolution, reopening, re-parenting) are made by the system (``actor=None``).
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.actions import get_or_create_requester
from okno.accounts.models import User
from okno.catalog.models import Service
from okno.tickets import actions as ticket_actions
from okno.tickets import events as ticket_events
from okno.tickets.models import ACTIVE_CATEGORIES, Channel, StatusCategory, Ticket, TicketType

from . import correlate, formats
from .models import Alert, AlertIncident, AlertSource, AlertStatus, Event, EventState

logger = logging.getLogger(__name__)

BATCH = 1000

# TicketEvent kinds written by alert intake
ALERT_REPEATED = "alert_repeated"
ALERT_REFIRED = "alert_refired"
ALERT_RESOLVED = "alert_resolved"
ALERT_FLAPPING = "alert_flapping"
ALERT_CORRELATED = "alert_correlated"


# --- intake (the request path) ---------------------------------------------------------------


STORED_FIELDS = (
    "received_at",
    "received_by",
    "source_name",
    "format",
    "fingerprint",
    "status",
    "severity",
    "summary",
    "description",
    "service",
    "host",
    "url",
    "occurred_at",
    "labels",
    "raw",
    "state",
    "error",
)
INSERT_CHUNK = 500  # rows per statement: 17 parameters each stays far below every DB's limit


def store_events(events: Sequence[formats.Event], *, actor: User | None) -> list[int]:
    """The cheap insert: normalized events in state ``received``; processing comes later.

    Hand-written SQL: ``bulk_create`` spends most of the request building model instances and
    compiling SQL, and this is the storm's hot path. On PostgreSQL one ``INSERT … SELECT FROM
    jsonb_to_recordset(…)`` whose text never changes, elsewhere a multi-row ``INSERT … VALUES``. Returns the new ids in payload order.
    """
    from .tasks import kick

    if not events:
        return []
    actor_id = actor.pk if actor is not None else None
    if connection.vendor == "postgresql":
        ids = _insert_recordset(events, actor_id)
    else:
        ids = _insert_values(events, actor_id)
    kick()
    return ids


# A JSON ``\u0000`` escape (not an escaped backslash followed by "u0000")
_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")

# Per-row columns of the PostgreSQL insert, with their types; the rest are constants.
_ROW_COLUMNS = (
    ("source_name", "text"),
    ("format", "text"),
    ("fingerprint", "text"),
    ("status", "text"),
    ("severity", "text"),
    ("summary", "text"),
    ("description", "text"),
    ("service", "text"),
    ("host", "text"),
    ("url", "text"),
    ("occurred_at", "timestamptz"),
    ("labels", "jsonb"),
    ("raw", "jsonb"),
)


def _insert_recordset(events: Sequence[formats.Event], actor_id: int | None) -> list[int]:
    """All rows as one JSON document expanded by ``jsonb_to_recordset``: one parameter, encoded
    by the C JSON encoder, and a statement text that never changes."""
    meta = Event._meta
    quote = connection.ops.quote_name
    names = [name for name, _kind in _ROW_COLUMNS]
    columns = ", ".join(
        quote(meta.get_field(name).column)
        for name in ("received_at", "received_by", *names, "state", "error")
    )
    types = ", ".join(f"{name} {kind}" for name, kind in _ROW_COLUMNS)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
        f"SELECT %s, %s, {', '.join('u.' + n for n in names)}, %s, '' "
        f"FROM jsonb_to_recordset(%s::jsonb) AS u({types}) "
        f"RETURNING {quote(meta.pk.column)}"
    )
    rows = [
        {
            "source_name": e.source,
            "format": e.format,
            "fingerprint": e.fingerprint,
            "status": e.status,
            "severity": e.severity,
            "summary": e.summary,
            "description": e.description,
            "service": e.service,
            "host": e.host,
            "url": e.url,
            "occurred_at": None if e.occurred_at is None else e.occurred_at.isoformat(),
            "labels": e.labels,
            "raw": e.raw,
        }
        for e in events
    ]
    document = json.dumps(rows)
    if "\\u0000" in document:  # PostgreSQL text and jsonb cannot hold NUL: keep the rest
        document = _NUL_ESCAPE.sub(r"\1\\ufffd", document)
    params = [timezone.now(), actor_id, EventState.RECEIVED.value, document]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # the rows are inserted in array order and draw their ids from the sequence in that
        # order: ascending ids are payload order
        return sorted(row[0] for row in cursor.fetchall())


def _insert_values(events: Sequence[formats.Event], actor_id: int | None) -> list[int]:
    meta = Event._meta
    quote = connection.ops.quote_name
    fields = [meta.get_field(name) for name in STORED_FIELDS]
    columns = ", ".join(quote(f.column) for f in fields)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    received_at = fields[0].get_db_prep_save(timezone.now(), connection)
    occurred = fields[STORED_FIELDS.index("occurred_at")]
    labels = fields[STORED_FIELDS.index("labels")]
    raw = fields[STORED_FIELDS.index("raw")]
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(events), INSERT_CHUNK):
            chunk = events[start : start + INSERT_CHUNK]
            params: list[Any] = []
            for e in chunk:
                params += [
                    received_at,
                    actor_id,
                    e.source,
                    e.format,
                    e.fingerprint,
                    e.status,
                    e.severity,
                    e.summary,
                    e.description,
                    e.service,
                    e.host,
                    e.url,
                    occurred.get_db_prep_save(e.occurred_at, connection),
                    labels.get_db_prep_save(e.labels, connection),
                    raw.get_db_prep_save(e.raw, connection),
                    EventState.RECEIVED.value,
                    "",
                ]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES "  # noqa: S608
                + ", ".join([placeholder] * len(chunk))
                + f" RETURNING {quote(meta.pk.column)}",
                params,
            )
            ids += sorted(row[0] for row in cursor.fetchall())
    return ids


# --- sources ------------------------------------------------------------------------------------


def source_for(name: str) -> AlertSource:
    """The source called ``name``, registered with a monitoring requester on first use."""
    source = AlertSource.objects.select_related("requester", "service").filter(name=name).first()
    if source is not None:
        return source
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "okno.localhost"
    requester = get_or_create_requester(
        f"monitoring+{name}@{domain}", actor=None, name=_("Monitoring: %(name)s") % {"name": name}
    )
    source, _created = AlertSource.objects.get_or_create(
        name=name, defaults={"requester": requester}
    )
    return source


# --- processing (background jobs) --------------------------------------------------------------


def process_pending(*, batch: int = BATCH, limit: int | None = None) -> int:
    """Process received events until none are left (or ``limit``); returns how many."""
    done = 0
    while limit is None or done < limit:
        names = list(
            Event.objects.filter(state=EventState.RECEIVED)
            .order_by()
            .values_list("source_name", flat=True)
            .distinct()[:100]
        )
        progressed = sum(process_source(name, batch=batch) for name in names)
        done += progressed
        if progressed == 0:
            break
    return done


def process_source(name: str, *, batch: int = BATCH) -> int:
    """One batch of one source's received events, oldest first, in one transaction."""
    source = source_for(name)
    with transaction.atomic():
        AlertSource.objects.select_for_update().filter(pk=source.pk).first()  # one at a time
        events = list(
            Event.objects.filter(state=EventState.RECEIVED, source_name=name)
            .select_related("received_by")
            .defer("raw")
            .order_by("id")[:batch]
        )
        if not events:
            return 0
        run = _Run(source, since=events[0].received_at)
        run.preload({event.fingerprint for event in events})
        processed: dict[int | None, list[int]] = defaultdict(list)
        for event in events:
            alert = run.repeat(event)  # the common case in a storm: memory only, no savepoint
            if alert is not None:
                processed[alert.pk].append(event.pk)
                continue
            try:
                with transaction.atomic():
                    alert = run.handle(event)
                processed[alert.pk if alert else None].append(event.pk)
            except Exception as exc:
                logger.exception("Monitoring event %s failed", event.pk)
                run.forget(event.fingerprint)
                Event.objects.filter(pk=event.pk).update(
                    state=EventState.FAILED,
                    processed_at=timezone.now(),
                    error=f"{type(exc).__name__}: {exc}"[:2000],
                )
        run.flush()
        _mark_processed(processed)
    return len(events)


def retry_failed(event_ids: Sequence[int]) -> int:
    """Put failed events back in the queue (admin action)."""
    from .tasks import kick

    count = Event.objects.filter(pk__in=event_ids, state=EventState.FAILED).update(
        state=EventState.RECEIVED, error="", processed_at=None
    )
    if count:
        kick(force=True)
    return count


def sweep_flapping(*, now: datetime | None = None) -> int:
    """Alerts quiet for a whole flapping window stop flapping; their incidents may resolve."""
    now = now or timezone.now()
    calmed = 0
    for alert in Alert.objects.filter(flapping=True).select_related("source", "ticket"):
        if now - alert.last_change_at < alert.source.flap_window:
            continue
        with transaction.atomic():
            updated = Alert.objects.filter(pk=alert.pk, flapping=True).update(flapping=False)
            if not updated:
                continue  # another worker got there first
            calmed += 1
            ticket = alert.ticket
            if ticket is None or ticket.status_category not in ACTIVE_CATEGORIES:
                continue
            ticket_events.record(
                ticket, ALERT_FLAPPING, actor=None, fingerprint=alert.fingerprint, flapping=False
            )
            if alert.status == AlertStatus.RESOLVED and alert.source.auto_resolve:
                _Run(alert.source, since=now).maybe_resolve(ticket)
    return calmed


class _Run:
    """State shared by the events of one batch of one source."""

    def __init__(self, source: AlertSource, *, since: datetime) -> None:
        self.source = source
        self.policy = source.policy
        self.alerts: dict[str, Alert] = {}
        self.repeats: dict[int, dict[str, Any]] = {}
        self.services: dict[str, Service | None] = {}
        self.dirty: dict[str, Alert] = {}
        self.status_of: dict[int, str] = {}  # tickets resolved or reopened in this batch
        self.absent: set[str] = set()  # fingerprints known to have no alert yet
        self.incidents: dict[int, correlate.OpenIncident] = {
            row.ticket_id: correlate.OpenIncident(
                ticket_id=row.ticket_id,
                key=row.key,
                last_at=row.last_at,
                parent_id=row.ticket.parent_id,
                is_group=row.is_group,
                children=row.children,
            )
            for row in AlertIncident.objects.filter(
                source=source,
                last_at__gte=since - self.policy.window,
                ticket__status_category__in=ACTIVE_CATEGORIES,
            ).select_related("ticket")
        }

    # -- bookkeeping

    def _active(self, ticket: Ticket | None) -> bool:
        if ticket is None or ticket.merged_into_id is not None:
            return False
        return self.status_of.get(ticket.pk, ticket.status_category) in ACTIVE_CATEGORIES

    def forget(self, fingerprint: str) -> None:
        self.alerts.pop(fingerprint, None)
        self.dirty.pop(fingerprint, None)

    def preload(self, fingerprints: set[str]) -> None:
        """Read the alerts of a whole batch in one query."""
        found = Alert.objects.select_related("ticket").filter(
            source=self.source, fingerprint__in=fingerprints
        )
        self.alerts.update({alert.fingerprint: alert for alert in found})
        self.absent = fingerprints - set(self.alerts)

    def _alert(self, fingerprint: str) -> Alert | None:
        alert = self.alerts.get(fingerprint)
        if alert is None and fingerprint not in self.absent:
            alert = (
                Alert.objects.select_related("ticket")
                .filter(source=self.source, fingerprint=fingerprint)
                .first()
            )
            if alert is not None:
                self.alerts[fingerprint] = alert
        return alert

    def _note_change(self, alert: Alert, at: datetime) -> bool:
        """Remember a firing <-> resolved change; True when the alert starts flapping now."""
        window = self.source.flap_window
        keep = max(self.source.flap_changes, 1)
        previous = [datetime.fromisoformat(c) for c in alert.changes or []]
        recent = correlate.recent_changes([*previous, at], at, window=window, keep=keep)
        alert.changes = [c.isoformat() for c in recent]
        alert.last_change_at = at
        flapping = correlate.is_flapping(
            recent, at, threshold=self.source.flap_changes, window=window
        )
        started = flapping and not alert.flapping
        alert.flapping = alert.flapping or flapping
        return started

    def _flapping_started(self, alert: Alert) -> None:
        if self._active(alert.ticket):
            assert alert.ticket is not None
            ticket_events.record(
                alert.ticket,
                ALERT_FLAPPING,
                actor=None,
                fingerprint=alert.fingerprint,
                flapping=True,
                changes=len(alert.changes),
            )

    def _touch_incident(self, ticket_id: int, at: datetime, *, child: bool = False) -> None:
        AlertIncident.objects.filter(ticket_id=ticket_id).update(
            last_at=at, **({"children": F("children") + 1} if child else {})
        )
        known = self.incidents.get(ticket_id)
        if known is not None:
            self.incidents[ticket_id] = correlate.OpenIncident(
                ticket_id=known.ticket_id,
                key=known.key,
                last_at=max(known.last_at, at),
                parent_id=known.parent_id,
                is_group=known.is_group,
                children=known.children + (1 if child else 0),
            )

    def flush(self) -> None:
        """Save repeated alerts in one go; one timeline entry per incident for the batch."""
        if self.dirty:
            _save_repeats(list(self.dirty.values()))
            self.dirty.clear()
        tickets = Ticket.objects.in_bulk(list(self.repeats))
        for ticket_id, data in self.repeats.items():
            if ticket_id in tickets:
                ticket_events.record(
                    tickets[ticket_id],
                    ALERT_REPEATED,
                    actor=None,
                    count=data["count"],
                    fingerprints=sorted(data["fingerprints"])[:20],
                )
        self.repeats.clear()

    # -- one event

    def _update(self, alert: Alert, event: Event) -> None:
        alert.severity = event.severity
        alert.summary = event.summary
        alert.service = event.service
        alert.host = event.host
        alert.labels = event.labels
        alert.last_seen = event.received_at

    def _count_repeat(self, alert: Alert, ticket: Ticket) -> None:
        alert.count += 1
        pending = self.repeats.setdefault(ticket.pk, {"count": 0, "fingerprints": set()})
        pending["count"] += 1
        pending["fingerprints"].add(alert.fingerprint)

    def repeat(self, event: Event) -> Alert | None:
        """A firing event for an alert already firing on an open incident: count it in memory
        (saved by :meth:`flush`). None when the event needs the full treatment."""
        if event.status != AlertStatus.FIRING:
            return None
        alert = self._alert(event.fingerprint)
        if alert is None or alert.status != AlertStatus.FIRING or not self._active(alert.ticket):
            return None
        assert alert.ticket is not None
        self._update(alert, event)
        self._count_repeat(alert, alert.ticket)
        self.dirty[alert.fingerprint] = alert
        return alert

    def handle(self, event: Event) -> Alert | None:
        at = event.received_at
        alert = self._alert(event.fingerprint)
        if event.status == AlertStatus.RESOLVED:
            return self._resolved(event, alert, at)
        return self._firing(event, alert, at)

    def _firing(self, event: Event, alert: Alert | None, at: datetime) -> Alert:
        if alert is None:
            alert = Alert(source=self.source, fingerprint=event.fingerprint, first_seen=at)
            self.alerts[event.fingerprint] = alert
            refired = False
        else:
            refired = alert.status == AlertStatus.RESOLVED
        alert.status = AlertStatus.FIRING
        self._update(alert, event)
        ticket = alert.ticket
        started = refired and self._note_change(alert, at)
        if self._active(ticket):
            assert ticket is not None
            if refired:
                alert.count += 1
                ticket_events.record(
                    ticket,
                    ALERT_REFIRED,
                    actor=None,
                    fingerprint=alert.fingerprint,
                    summary=alert.summary,
                )
            else:
                self._count_repeat(alert, ticket)
            alert.save()
            if started:
                self._flapping_started(alert)
            return alert
        if (
            ticket is not None
            and self.status_of.get(ticket.pk, ticket.status_category) == StatusCategory.RESOLVED
            and ticket.merged_into_id is None
            and ticket.resolved_at is not None
            and at - ticket.resolved_at <= self.source.flap_window
        ):
            alert.count += 1
            ticket_actions.reopen_ticket(
                ticket,
                actor=None,
                reason=_("Monitoring: “%(summary)s” is firing again.") % {"summary": alert.summary},
            )
            alert.ticket = Ticket.objects.get(pk=ticket.pk)
            self.status_of[ticket.pk] = alert.ticket.status_category
            alert.save()
            if started:
                self._flapping_started(alert)
            return alert
        # a new incident
        alert.count = 1
        alert.attached = False
        alert.flapping = False
        alert.changes = []
        alert.first_seen = at
        alert.last_change_at = at
        self._open_incident(event, alert, at)
        alert.save()
        return alert

    def _resolved(self, event: Event, alert: Alert | None, at: datetime) -> Alert | None:
        if alert is None:
            return None  # a resolution for something never seen firing: stored, nothing to do
        alert.last_seen = at
        if alert.status == AlertStatus.RESOLVED:
            alert.save(update_fields=["last_seen"])
            return alert
        alert.status = AlertStatus.RESOLVED
        started = self._note_change(alert, at)
        alert.save()
        ticket = alert.ticket
        if not self._active(ticket):
            return alert
        if started:
            self._flapping_started(alert)
        assert ticket is not None
        ticket_events.record(
            ticket,
            ALERT_RESOLVED,
            actor=None,
            fingerprint=alert.fingerprint,
            summary=alert.summary,
            flapping=alert.flapping,
        )
        if self.source.auto_resolve and not alert.flapping:
            self.maybe_resolve(ticket)
        return alert

    # -- incidents

    def maybe_resolve(self, ticket: Ticket) -> None:
        """Resolve an incident whose alerts all resolved and whose children are done."""
        ticket = Ticket.objects.select_related("status").get(pk=ticket.pk)
        self.status_of.pop(ticket.pk, None)
        if not self._active(ticket):
            return
        if (
            Alert.objects.filter(ticket=ticket)
            .filter(Q(status=AlertStatus.FIRING) | Q(flapping=True))
            .exists()
        ):
            return
        if ticket.children.filter(status_category__in=ACTIVE_CATEGORIES).exists():
            return
        if not Alert.objects.filter(ticket=ticket).exists() and not ticket.children.exists():
            return  # not an alert incident
        ticket_actions.add_note(
            ticket,
            actor=None,
            body=_("Monitoring: every alert of this incident is resolved; resolving it."),
        )
        ticket_actions.change_status(
            ticket, actor=None, status=ticket_actions.default_status(StatusCategory.RESOLVED)
        )
        self.incidents.pop(ticket.pk, None)
        self.status_of[ticket.pk] = StatusCategory.RESOLVED
        if ticket.parent_id is not None:
            parent = Ticket.objects.filter(pk=ticket.parent_id, alert_incident__isnull=False)
            for candidate in parent:
                self.maybe_resolve(candidate)

    def _service(self, name: str) -> Service | None:
        if not name:
            return self.source.service
        if name not in self.services:
            self.services[name] = Service.objects.filter(name__iexact=name, is_active=True).first()
        return self.services[name] or self.source.service

    def _open_incident(self, event: Event, alert: Alert, at: datetime) -> None:
        key = event.service or event.host
        decision = correlate.decide(key, at, list(self.incidents.values()), self.policy)
        parent: Ticket | None = None
        if decision.action is correlate.Action.ATTACH:
            assert decision.parent_id is not None
            self._attach(alert, Ticket.objects.get(pk=decision.parent_id), at)
            return
        if decision.action is correlate.Action.CHILD:
            assert decision.parent_id is not None
            parent = Ticket.objects.get(pk=decision.parent_id)
        elif decision.action is correlate.Action.GROUP:
            parent = self._open_group(event, decision, at)
            if decision.attach:
                self._attach(alert, parent, at)
                return
        ticket = self._open_ticket(event, parent)
        alert.ticket = ticket
        AlertIncident.objects.create(ticket=ticket, source=self.source, key=key, last_at=at)
        self.incidents[ticket.pk] = correlate.OpenIncident(
            ticket_id=ticket.pk, key=key, last_at=at, parent_id=parent.pk if parent else None
        )
        if parent is not None:
            ticket_events.record(
                parent,
                ALERT_CORRELATED,
                actor=None,
                fingerprint=alert.fingerprint,
                summary=alert.summary,
                host=alert.host,
                child=ticket.pk,
            )
            self._touch_incident(parent.pk, at, child=True)

    def _attach(self, alert: Alert, parent: Ticket, at: datetime) -> None:
        """No ticket of its own: the alert joins a full parent's timeline."""
        alert.ticket = parent
        alert.attached = True
        ticket_events.record(
            parent,
            ALERT_CORRELATED,
            actor=None,
            fingerprint=alert.fingerprint,
            summary=alert.summary,
            host=alert.host,
            attached=True,
        )
        self._touch_incident(parent.pk, at)

    def _open_group(self, event: Event, decision: correlate.Decision, at: datetime) -> Ticket:
        major = decision.group_key == correlate.MAJOR
        if major:
            title = _("Major incident: many alerts from %(source)s at once") % {
                "source": self.source.name
            }
        else:
            title = _("Mass incident: %(key)s") % {"key": decision.group_key}
        adopted = list(Ticket.objects.filter(pk__in=decision.adopt).order_by("pk"))
        lines = [
            _("Opened by monitoring correlation: several alerts arrived together."),
            "",
            *(f"#{t.pk} {t.title}" for t in adopted),
            f"{event.summary} ({event.host or event.service})",
        ]
        _impact, urgency = correlate.impact_urgency(event.severity)
        parent = ticket_actions.open_ticket(
            actor=event.received_by,
            requester=self.source.requester,
            title=title,
            description="\n".join(lines),
            type=TicketType.INCIDENT,
            service=None if major else self._service(event.service),
            impact=1,
            urgency=urgency,
            channel=Channel.MONITORING,
            custom_fields={
                "alert": {
                    "source": self.source.name,
                    "correlation": "major" if major else "mass",
                    "key": decision.group_key,
                }
            },
        )
        AlertIncident.objects.create(
            ticket=parent,
            source=self.source,
            key=decision.group_key,
            is_group=True,
            children=len(adopted),
            last_at=at,
        )
        for child in adopted:
            ticket_actions.link_tickets(child, parent, actor=None, kind="child")
            known = self.incidents.get(child.pk)
            if known is not None:
                self.incidents[child.pk] = correlate.OpenIncident(
                    ticket_id=known.ticket_id,
                    key=known.key,
                    last_at=known.last_at,
                    parent_id=parent.pk,
                    is_group=known.is_group,
                    children=known.children,
                )
        self.incidents[parent.pk] = correlate.OpenIncident(
            ticket_id=parent.pk,
            key=decision.group_key,
            last_at=at,
            is_group=True,
            children=len(adopted),
        )
        return parent

    def _open_ticket(self, event: Event, parent: Ticket | None) -> Ticket:
        impact, urgency = correlate.impact_urgency(event.severity)
        title = event.summary
        if event.host and event.host not in title:
            title = f"{title} — {event.host}"
        return ticket_actions.open_ticket(
            actor=event.received_by,
            requester=self.source.requester,
            title=title,
            description=_describe(event),
            type=TicketType.INCIDENT,
            service=self._service(event.service),
            impact=impact,
            urgency=urgency,
            channel=Channel.MONITORING,
            custom_fields={
                "alert": {
                    "source": self.source.name,
                    "fingerprint": event.fingerprint,
                    "severity": event.severity,
                    "service": event.service,
                    "host": event.host,
                }
            },
            parent=parent,
        )


def _mark_processed(processed: dict[int | None, list[int]]) -> None:
    """state=processed and the alert of each event, as one prepared statement."""
    meta = Event._meta
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} = %s, {} = %s, {} = %s WHERE {} = %s".format(  # noqa: S608
        quote(meta.db_table),
        quote(meta.get_field("state").column),
        quote(meta.get_field("processed_at").column),
        quote(meta.get_field("alert").column),
        quote(meta.pk.column),
    )
    now = meta.get_field("processed_at").get_db_prep_save(timezone.now(), connection)
    rows = [
        [EventState.PROCESSED.value, now, alert_id, pk]
        for alert_id, pks in processed.items()
        for pk in pks
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _save_repeats(alerts: list[Alert]) -> None:
    """What repeats change (count, last seen, latest wording), for many alerts at once.

    ``bulk_update`` builds one CASE per field and row, which costs more than the whole batch;
    a prepared UPDATE run with executemany is a fraction of that on PostgreSQL and SQLite.
    """
    fields = ["count", "last_seen", "severity", "summary"]
    meta = Alert._meta
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model
        quote(meta.db_table),
        ", ".join(f"{quote(meta.get_field(f).column)} = %s" for f in fields),
        quote(meta.pk.column),
    )
    prep = {f: meta.get_field(f) for f in fields}
    rows = [
        [prep[f].get_db_prep_save(getattr(alert, f), connection) for f in fields] + [alert.pk]
        for alert in alerts
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _describe(event: Event) -> str:
    """The first article of an alert incident: what, where, how bad, and the labels."""
    lines = [event.description or event.summary, ""]
    facts = [
        (_("Severity"), event.severity),
        (_("Source"), event.source_name),
        (_("Service / configuration item"), event.service),
        (_("Host"), event.host),
        (_("Since"), event.occurred_at.isoformat() if event.occurred_at else ""),
        (_("Link"), event.url),
    ]
    lines += [f"{label}: {value}" for label, value in facts if value]
    if event.labels:
        lines += ["", _("Labels:")]
        lines += [f"  {name}={value}" for name, value in sorted(event.labels.items())]
    return "\n".join(lines)
