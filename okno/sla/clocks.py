"""The database side of the SLA engine: pins, event log → replay → stored ``SlaClock`` rows.

``refresh_ticket`` is called by every ticket action (inside its transaction, the ticket row
locked) and by ``okno sla recompute``; both run the same pure :func:`okno.sla.replay.replay`,
so the stored rows are exactly what a recompute gives. Firing marks (``warnings_fired``,
``breach_fired``) are never touched here: a recompute never re-fires anything.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from okno.ops.refcache import memo
from okno.sla import replay as rp
from okno.sla.businesstime import Calendar as BusinessCalendar
from okno.sla.models import (
    CalendarSource,
    CalendarVersion,
    SlaClock,
    SlaPolicy,
    SlaPolicyVersion,
    TicketSla,
)
from okno.tickets import events as ev
from okno.tickets.models import Ticket, TicketEvent

ALWAYS = BusinessCalendar.always()
_lock = threading.Lock()
_calendars: dict[int, BusinessCalendar] = {}
_targets: dict[int, rp.Targets] = {}

# Fields of SlaClock that the replay determines (compared by recompute).
DERIVED_FIELDS = (
    "priority",
    "state",
    "started_at",
    "target_seconds",
    "due_at",
    "used_seconds",
    "paused_seconds",
    "measured_at",
    "segment_start",
    "segment_used",
    "pauses",
    "paused_since",
    "met_at",
    "breached_at",
    "cancelled_at",
    "warn_points",
    "policy_version_id",
    "calendar_version_id",
)


# --- pinned versions as pure values -----------------------------------------------------------


def clear_caches() -> None:
    """Forget cached versions (they are immutable; tests that reuse ids call this)."""
    with _lock:
        _calendars.clear()
        _targets.clear()


def business_calendar(version_id: int | None) -> BusinessCalendar:
    """The immutable calendar of a ``CalendarVersion`` (None = 24x7), cached per process."""
    if version_id is None:
        return ALWAYS
    cached = _calendars.get(version_id)
    if cached is None:
        cached = CalendarVersion.objects.get(pk=version_id).business_calendar()
        with _lock:
            _calendars[version_id] = cached
    return cached


def targets_of(version: SlaPolicyVersion) -> rp.Targets:
    cached = _targets.get(version.pk)
    if cached is None:
        cached = targets_from_snapshot(version.snapshot)
        with _lock:
            _targets[version.pk] = cached
    return cached


def targets_from_snapshot(snapshot: dict[str, Any]) -> rp.Targets:
    by_key = {}
    for t in snapshot.get("targets", []):
        by_key[(t["kind"], t["priority"])] = rp.Target(
            kind=t["kind"],
            seconds=int(t["seconds"]),
            business_days=int(t["business_days"]),
            pause_categories=frozenset(t["pause"]),
            warn_percents=tuple(t["warn"]),
            reopen=t["reopen"],
        )
    return rp.Targets(by_key)


# --- events ------------------------------------------------------------------------------------


def replay_events(rows: Iterable[TicketEvent]) -> list[rp.Event]:
    """Map the ticket's log onto the replay's vocabulary (server timestamps only)."""
    out: list[rp.Event] = []
    rows = list(rows)
    for k, row in enumerate(rows):
        kind, data, at = row.kind, row.data or {}, row.created_at
        if kind == ev.STATUS_CHANGED and k + 1 < len(rows) and rows[k + 1].kind == ev.MERGED_INTO:
            continue  # closed by a merge: the clocks are cancelled, not met
        if kind == ev.CREATED:
            out.append(rp.Event(at, rp.CREATED, data.get("status_category"), data.get("priority")))
        elif kind == ev.STATUS_CHANGED:
            out.append(rp.Event(at, rp.STATUS, category=data.get("new_category")))
        elif kind == ev.PRIORITY_CHANGED:
            out.append(rp.Event(at, rp.PRIORITY, priority=row.new))
        elif kind == ev.FIRST_RESPONSE:
            out.append(rp.Event(at, rp.FIRST_RESPONSE))
        elif kind == ev.REPLIED:
            if data.get("by_agent"):
                out.append(rp.Event(at, rp.AGENT_REPLY))
            elif row.actor_id is not None:  # automatic messages (no actor) are not requests
                out.append(rp.Event(at, rp.CUSTOMER_REPLY))
        elif kind == ev.MERGED_INTO:
            out.append(rp.Event(at, rp.MERGED))
    return out


RELEVANT_EVENTS = (
    ev.CREATED,
    ev.STATUS_CHANGED,
    ev.PRIORITY_CHANGED,
    ev.FIRST_RESPONSE,
    ev.REPLIED,
    ev.MERGED_INTO,
)


def load_events(ticket_id: int) -> list[TicketEvent]:
    return list(
        TicketEvent.objects.filter(ticket_id=ticket_id, kind__in=RELEVANT_EVENTS)
        .order_by("created_at", "id")
        .only("kind", "data", "new", "actor_id", "created_at")
    )


# --- policy matching and pins -------------------------------------------------------------------


def _active_policies() -> list[tuple[SlaPolicy, set[int], set[int]]]:
    policies = (
        SlaPolicy.objects.filter(is_active=True)
        .prefetch_related("services", "organizations")
        .order_by("order", "pk")
    )
    return [
        (p, {s.pk for s in p.services.all()}, {o.pk for o in p.organizations.all()})
        for p in policies
    ]


def match_policy(facts: dict[str, Any]) -> SlaPolicy | None:
    """The first active policy (by order) whose every condition matches the ticket's facts."""
    for policy, services, organizations in memo("sla.active_policies", _active_policies):
        checks = (
            (services, facts.get("service")),
            (organizations, facts.get("organization")),
            (set(policy.ticket_types or []), facts.get("type")),
            (set(policy.priorities or []), facts.get("priority")),
            (set(policy.channels or []), facts.get("channel")),
        )
        if all(not allowed or value in allowed for allowed, value in checks):
            return policy
    return None


def current_version(policy: SlaPolicy) -> SlaPolicyVersion:
    version = memo(
        f"sla.policy_version.{policy.pk}", lambda: policy.versions.order_by("-version").first()
    )
    if version is None:
        from okno.sla.actions import publish_policy

        version = publish_policy(policy, actor=None)
    return version


def calendar_version_for(snapshot: dict[str, Any], facts: dict[str, Any]) -> int | None:
    """The calendar the policy says counts, as the id of its current version (None = 24x7)."""
    from okno.accounts.models import Organization, Team
    from okno.catalog.models import Service

    source = snapshot.get("calendar_source", CalendarSource.CALENDAR)
    calendar_id = None
    lookups = {
        CalendarSource.TEAM: (Team, facts.get("team")),
        CalendarSource.SERVICE: (Service, facts.get("service")),
        CalendarSource.ORGANIZATION: (Organization, facts.get("organization")),
    }
    if source == CalendarSource.NONE:
        return None
    if source in lookups:
        model, pk = lookups[source]
        if pk is not None:
            calendar_id = memo(
                f"sla.calendar_of.{model._meta.label}.{pk}",
                lambda: model.objects.filter(pk=pk).values_list("calendar_id", flat=True).first(),
            )
    if calendar_id is None:
        calendar_id = snapshot.get("calendar")
    if calendar_id is None:
        return None
    return latest_calendar_version(calendar_id)


def latest_calendar_version(calendar_id: int) -> int | None:
    version = memo(
        f"sla.calendar_version.{calendar_id}",
        lambda: (
            CalendarVersion.objects.filter(calendar_id=calendar_id)
            .order_by("-version")
            .values_list("pk", flat=True)
            .first()
        ),
    )
    if version is None:
        from okno.sla.actions import snapshot_calendar
        from okno.sla.models import Calendar

        calendar = Calendar.objects.filter(pk=calendar_id).first()
        return snapshot_calendar(calendar).pk if calendar else None
    return version


def created_facts(events: Sequence[TicketEvent], ticket: Ticket) -> dict[str, Any]:
    for row in events:
        if row.kind == ev.CREATED:
            return dict(row.data or {})
    return current_facts(ticket)  # a ticket from before the event log had a CREATED event


def current_facts(ticket: Ticket) -> dict[str, Any]:
    return {
        "type": ticket.type,
        "priority": ticket.priority,
        "team": ticket.team_id,
        "service": ticket.service_id,
        "organization": ticket.organization_id,
        "channel": ticket.channel,
    }


def pin_ticket(
    ticket: Ticket, events: Sequence[TicketEvent], *, latest: bool = False, fresh: bool = False
) -> TicketSla | None:
    """The ticket's pins, matching a policy the first time (or again with ``latest``).

    ``fresh``: the ticket was created in this transaction, so it has no pin to look up yet.
    """
    pin = (
        None
        if fresh
        else TicketSla.objects.filter(ticket_id=ticket.pk).select_related("policy_version").first()
    )
    if pin is not None and not latest:
        return pin
    # The first match uses the facts the ticket was created with; a re-pin (``latest``) uses
    # its current classification, so a reclassified ticket can move to another policy.
    facts = current_facts(ticket) if latest else created_facts(events, ticket)
    matched = new_pin(ticket, facts)
    if matched is None:
        return pin
    if pin is None:
        matched.save()
        return matched
    pin.policy_version = matched.policy_version
    pin.calendars = matched.calendars
    pin.save(update_fields=["policy_version", "calendars", "updated_at"])
    return pin


def new_pin(ticket: Ticket, facts: dict[str, Any]) -> TicketSla | None:
    """An unsaved pin to the policy matching ``facts`` (None when no policy applies)."""
    policy = match_policy(facts)
    if policy is None:
        return None
    version = current_version(policy)
    calendar = calendar_version_for(version.snapshot, facts)
    return TicketSla(ticket_id=ticket.pk, policy_version=version, calendars=[[calendar, None]])


def calendar_segments(pin: TicketSla) -> list[tuple[datetime | None, BusinessCalendar]]:
    return [
        (None if at is None else datetime.fromisoformat(at), business_calendar(version))
        for version, at in pin.calendars
    ]


# --- replay into rows -----------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _number(value: float | int) -> float:
    return float(value) if value != float("inf") else 1e18


def derived_values(result: rp.ClockResult, pin: TicketSla) -> dict[str, Any]:
    return {
        "priority": result.priority,
        "state": result.state,
        "started_at": result.started_at,
        "target_seconds": _number(result.target_seconds),
        "due_at": result.due_at,
        "used_seconds": _number(result.used_seconds),
        "paused_seconds": _number(result.paused_seconds),
        "measured_at": result.measured_at,
        "segment_start": result.segment_start,
        "segment_used": _number(result.segment_used),
        "pauses": [[_iso(s), _iso(e)] for s, e in result.pauses],
        "paused_since": result.paused_since,
        "met_at": result.met_at,
        "breached_at": result.breached_at,
        "cancelled_at": result.cancelled_at,
        "warn_points": [[p, _iso(at)] for p, at in result.warnings],
        "policy_version_id": pin.policy_version_id,
        "calendar_version_id": pin.calendars[-1][0] if pin.calendars else None,
    }


def next_check(values: dict[str, Any], warnings_fired: int, breach_fired: bool) -> datetime | None:
    """When the sweep must next look at a clock: an unfired warning or an unfired breach."""
    if values["state"] == rp.CANCELLED:
        return None
    pending: list[datetime] = []
    is_open = values["state"] in rp.OPEN_STATES
    if is_open and warnings_fired < len(values["warn_points"]):
        pending.append(datetime.fromisoformat(values["warn_points"][warnings_fired][1]))
    if not breach_fired:
        breach = values["breached_at"] or (values["due_at"] if is_open else None)
        if breach is not None:
            pending.append(breach)
    return min(pending) if pending else None


def compute(
    ticket: Ticket,
    *,
    now: datetime | None = None,
    latest: bool = False,
    fresh_events: Sequence[TicketEvent] | None = None,
) -> Any:
    """Replay one ticket: ``(pin, [ClockResult])``, or ``(None, [])`` without an SLA.

    ``fresh_events``: the ticket was created in this transaction and these are its whole log
    (saves reading back what the caller just wrote, and looking up pins that cannot exist).
    """
    fresh = fresh_events is not None
    if fresh_events is not None:
        rows = [e for e in fresh_events if e.kind in RELEVANT_EVENTS]
    else:
        rows = load_events(ticket.pk)
    pin = pin_ticket(ticket, rows, latest=latest, fresh=fresh)
    if pin is None:
        return None, []
    results = rp.replay(
        replay_events(rows),
        targets_of(pin.policy_version),
        calendar_segments(pin),
        now=now or timezone.now(),
    )
    return pin, results


def refresh_ticket(
    ticket: Ticket,
    *,
    now: datetime | None = None,
    latest: bool = False,
    fresh_events: Sequence[TicketEvent] | None = None,
) -> list[SlaClock]:
    """Bring the stored clocks of one ticket in line with its log. Returns them, ordered."""
    now = now or timezone.now()
    pin, results = compute(ticket, now=now, latest=latest, fresh_events=fresh_events)
    existing = (
        {}
        if fresh_events is not None
        else {(c.kind, c.cycle): c for c in SlaClock.objects.filter(ticket_id=ticket.pk)}
    )
    if pin is None:
        return sorted(existing.values(), key=lambda c: (c.kind, c.cycle))
    keep: list[SlaClock] = []
    new: list[SlaClock] = []
    for result in results:
        clock = existing.pop((result.kind, result.cycle), None)
        if clock is None:
            clock = new_clock(ticket.pk, result, pin)
            new.append(clock)
        else:
            values = derived_values(result, pin)
            values["next_check_at"] = next_check(values, clock.warnings_fired, clock.breach_fired)
            changed = [name for name, value in values.items() if getattr(clock, name) != value]
            if changed:
                for name in changed:
                    setattr(clock, name, values[name])
                clock.save(update_fields=[*changed, "updated_at"])
        keep.append(clock)
    if new:
        SlaClock.objects.bulk_create(new)
    if existing:  # targets that no longer exist under the pinned policy
        SlaClock.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    for clock in keep:  # the score reads the version's snapshot: no lazy query per clock
        if clock.policy_version_id == pin.policy_version_id:
            clock.policy_version = pin.policy_version
    return sorted(keep, key=lambda c: (c.kind, c.cycle))


def new_clock(ticket_id: int, result: rp.ClockResult, pin: TicketSla) -> SlaClock:
    values = derived_values(result, pin)
    values["next_check_at"] = next_check(values, 0, False)
    return SlaClock(ticket_id=ticket_id, kind=result.kind, cycle=result.cycle, **values)


def plan_new_ticket(
    ticket: Ticket, events: Sequence[TicketEvent], *, now: datetime
) -> tuple[TicketSla | None, list[SlaClock]]:
    """The pin and clocks of a ticket being opened, unsaved: what ``refresh_ticket`` writes
    for a new ticket, computed before anything is written so that all of the new ticket's
    rows reach the database together (``okno.ops.rowbatch``). ``events``: its whole log."""
    rows = [e for e in events if e.kind in RELEVANT_EVENTS]
    pin = new_pin(ticket, created_facts(rows, ticket))
    if pin is None:
        return None, []
    results = rp.replay(
        replay_events(rows), targets_of(pin.policy_version), calendar_segments(pin), now=now
    )
    clocks = [new_clock(ticket.pk, result, pin) for result in results]
    for clock in clocks:  # the score reads the version's snapshot
        clock.policy_version = pin.policy_version
    return pin, sorted(clocks, key=lambda c: (c.kind, c.cycle))


def differences(ticket: Ticket, *, now: datetime | None = None) -> list[str]:
    """What a recompute would change on this ticket (empty = stored clocks are exact)."""
    now = now or timezone.now()
    pin, results = compute(ticket, now=now)
    stored = {(c.kind, c.cycle): c for c in SlaClock.objects.filter(ticket_id=ticket.pk)}
    out: list[str] = []
    for result in results if pin is not None else []:
        clock = stored.pop((result.kind, result.cycle), None)
        if clock is None:
            out.append(f"#{ticket.pk} {result.kind}#{result.cycle}: missing")
            continue
        for name, value in derived_values(result, pin).items():
            if getattr(clock, name) != value:
                out.append(
                    f"#{ticket.pk} {result.kind}#{result.cycle} {name}: "
                    f"{getattr(clock, name)!r} -> {value!r}"
                )
    out.extend(f"#{ticket.pk} {kind}#{cycle}: extra" for kind, cycle in stored)
    return out


# --- live figures for one stored clock -------------------------------------------------------------


def pauses_of(clock: SlaClock) -> tuple[tuple[datetime, datetime | None], ...]:
    return tuple(
        (datetime.fromisoformat(s), None if e is None else datetime.fromisoformat(e))
        for s, e in clock.pauses
    )


def live_used(clock: SlaClock, now: datetime) -> float:
    """Business seconds used as of ``now`` (stopped clocks: as stored)."""
    if not clock.is_open:
        return clock.used_seconds
    calendar = business_calendar(clock.calendar_version_id)
    return clock.segment_used + float(calendar.elapsed(clock.segment_start, now, pauses_of(clock)))


def remaining(clock: SlaClock, now: datetime) -> timedelta:
    """Business time left before the due time; negative once breached."""
    return timedelta(seconds=clock.target_seconds - live_used(clock, now))


def open_clocks_q() -> Q:
    from okno.sla.models import OPEN_CLOCK_STATES

    return Q(state__in=OPEN_CLOCK_STATES)
