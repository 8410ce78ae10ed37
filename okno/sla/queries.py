"""SLA reads for the desk, the API and reports. Callers pass tickets they already got through
``accounts.queries`` (``visible_tickets`` / ``get_ticket_for``): these functions add no scope.

- ``clocks_for_tickets(tickets)``: the clocks of a page of tickets in ONE query, as live views
  (time left now, level ok/warning/breached) for queue badges;
- ``headline(views)``: the one clock a badge shows; ``headline_clocks(tickets)`` the same for
  a page of tickets in one query;
- ``explain(ticket)``: why each clock is due when it is (windows counted, pauses, holidays
  skipped), the pinned policy and calendar versions, and the queue score's factors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from okno.ops.lookup import JoinedLookup
from okno.sla.businesstime import Explanation, NoWorkingTimeError
from okno.sla.clocks import business_calendar, live_used, pauses_of
from okno.sla.models import ClockState, SlaClock, TargetKind, TicketSla
from okno.tickets.models import Ticket

# Badge levels (CSS: sla-ok / sla-warning / sla-breached …).
OK, WARNING, BREACHED, PAUSED, MET, CANCELLED = (
    "ok",
    "warning",
    "breached",
    "paused",
    "met",
    "cancelled",
)
_KIND_ORDER = {kind: n for n, kind in enumerate(TargetKind.values)}
# Columns a live view never reads (the sweep's and the audit's): not fetched for a page of
# badges, whose ~100 clocks were mostly timestamp parsing. (A view reading one of them would
# cost a query per clock: the queue's query budget test has clocks and would catch it.)
NOT_FOR_VIEWS = ("cancelled_at", "next_check_at", "updated_at", "warnings_fired", "breach_fired")


@dataclass(frozen=True)
class ClockView:
    id: int
    ticket_id: int
    kind: str
    label: str
    cycle: int
    state: str
    level: str
    due_at: datetime | None
    remaining_seconds: float | None  # business seconds left now; negative once breached
    used_seconds: float
    target_seconds: float
    percent_used: float
    met_at: datetime | None
    breached_at: datetime | None
    paused_since: datetime | None

    @property
    def is_open(self) -> bool:
        return self.state in (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED_RUNNING)


def view(clock: SlaClock, now: datetime) -> ClockView:
    used = live_used(clock, now)
    target = clock.target_seconds
    percent = 100.0 * used / target if 0 < target < 1e17 else 0.0
    first_warning = min((int(p) for p, _at in clock.warn_points), default=75)
    if clock.state == ClockState.CANCELLED:
        level = CANCELLED
    elif clock.state in (ClockState.MET, ClockState.BREACHED_MET):
        level = BREACHED if clock.state == ClockState.BREACHED_MET else MET
    elif clock.breached_at is not None or (clock.due_at is not None and clock.due_at <= now):
        level = BREACHED
    elif clock.state == ClockState.PAUSED:
        level = PAUSED
    elif percent >= first_warning:
        level = WARNING
    else:
        level = OK
    return ClockView(
        id=clock.pk,
        ticket_id=clock.ticket_id,
        kind=clock.kind,
        label=str(TargetKind(clock.kind).label),
        cycle=clock.cycle,
        state=clock.state,
        level=level,
        due_at=clock.due_at,
        remaining_seconds=None if not clock.is_open or target >= 1e17 else target - used,
        used_seconds=used,
        target_seconds=target,
        percent_used=percent,
        met_at=clock.met_at,
        breached_at=clock.breached_at,
        paused_since=clock.paused_since,
    )


_ONE_TICKET = JoinedLookup(SlaClock, where=[("ticket", "exact")], order_by=("kind", "-cycle"))


def clocks_for_tickets(
    tickets: Iterable[Ticket | int], *, now: datetime | None = None, latest_only: bool = True
) -> dict[int, list[ClockView]]:
    """Clock views per ticket id for a page of (already permission-scoped) tickets: 1 query.

    ``latest_only`` keeps only the newest cycle of each target (what a badge shows).
    """
    now = now or timezone.now()
    ids = [t if isinstance(t, int) else t.pk for t in tickets]
    out: dict[int, list[ClockView]] = {pk: [] for pk in ids}
    if not ids:
        return out
    rows: Iterable[SlaClock]
    if len(ids) == 1:  # the ticket page: the statement built once per process
        rows = _ONE_TICKET.all(ids[0])
    else:
        rows = (
            SlaClock.objects.filter(ticket_id__in=ids)
            .defer(*NOT_FOR_VIEWS)
            .order_by("ticket_id", "kind", "-cycle")
        )
    seen: set[tuple[int, str]] = set()
    for clock in rows:
        if latest_only:
            if (clock.ticket_id, clock.kind) in seen:
                continue
            seen.add((clock.ticket_id, clock.kind))
        out[clock.ticket_id].append(view(clock, now))
    for views in out.values():
        views.sort(key=lambda v: (_KIND_ORDER.get(v.kind, 9), v.cycle))
    return out


# What ``view`` (and ``clocks.live_used``) read of an open clock: a badge page reads these
# columns as tuples, without model instances (a page has ~100 clocks).
BADGE_FIELDS = (
    "id",
    "ticket_id",
    "kind",
    "cycle",
    "state",
    "target_seconds",
    "due_at",
    "used_seconds",
    "calendar_version_id",
    "segment_start",
    "segment_used",
    "pauses",
    "paused_since",
    "met_at",
    "breached_at",
    "warn_points",
)


class _BadgeClock:
    """An open clock's columns for ``view``, as ``SlaClock`` names them."""

    __slots__ = BADGE_FIELDS

    def __init__(self, row: tuple[Any, ...]) -> None:
        for name, value in zip(BADGE_FIELDS, row, strict=True):
            setattr(self, name, value)

    @property
    def pk(self) -> int:
        return self.id  # type: ignore[no-any-return]

    @property
    def is_open(self) -> bool:
        from okno.sla.models import OPEN_CLOCK_STATES

        return self.state in OPEN_CLOCK_STATES


def headline_clocks(
    tickets: Iterable[Ticket | int], *, now: datetime | None = None
) -> dict[int, ClockView | None]:
    """The badge clock of each ticket of a page (``headline`` of its latest cycles): one
    query that reads only the open clocks of each target's latest cycle, the only ones a
    badge can show, and only the columns a view reads (a queue page's clocks as model
    instances were a fifth of its time)."""
    from django.db.models import OuterRef, Subquery

    from okno.sla.models import OPEN_CLOCK_STATES

    now = now or timezone.now()
    ids = [t if isinstance(t, int) else t.pk for t in tickets]
    views: dict[int, list[ClockView]] = {pk: [] for pk in ids}
    if not ids:
        return {}
    latest = (
        SlaClock.objects.filter(ticket_id=OuterRef("ticket_id"), kind=OuterRef("kind"))
        .order_by("-cycle")
        .values("cycle")[:1]
    )
    rows = (
        SlaClock.objects.filter(ticket_id__in=ids, state__in=OPEN_CLOCK_STATES)
        .filter(cycle=Subquery(latest))
        .values_list(*BADGE_FIELDS)
    )
    for row in rows:
        clock = _BadgeClock(row)
        views[clock.ticket_id].append(view(clock, now))  # type: ignore[arg-type]
    return {pk: headline(found) for pk, found in views.items()}


def headline(views: Sequence[ClockView]) -> ClockView | None:
    """The clock a badge shows: an open one closest to (or furthest past) its due time."""
    open_views = [v for v in views if v.is_open and v.remaining_seconds is not None]
    if not open_views:
        return None
    return min(open_views, key=lambda v: (v.level != BREACHED, v.remaining_seconds))


@dataclass(frozen=True)
class ClockExplanation:
    clock: ClockView
    explanation: Explanation | None  # windows, pauses, skipped dates of the current segment
    segment_start: datetime
    segment_used: float  # carried over from before a priority/calendar switch or a reopen
    pauses: tuple[tuple[datetime, datetime | None], ...]
    warnings: tuple[tuple[int, datetime], ...]
    warnings_fired: int
    breach_fired: bool


@dataclass(frozen=True)
class TicketExplanation:
    policy: str | None
    policy_version: int | None
    calendars: tuple[dict[str, Any], ...]  # {name, version, timezone, from}
    clocks: tuple[ClockExplanation, ...]
    score: (
        dict[str, Any] | None
    )  # {total, breached, factors: [{name, value, weight, contribution}]}


def explain(ticket: Ticket, *, now: datetime | None = None) -> TicketExplanation:
    """Everything the ticket page's "explain" panel shows, for one ticket."""
    from okno.priority.models import TicketScore
    from okno.sla.models import CalendarVersion

    now = now or timezone.now()
    pin = (
        TicketSla.objects.filter(ticket_id=ticket.pk)
        .select_related("policy_version__policy")
        .first()
    )
    calendars: list[dict[str, Any]] = []
    if pin is not None:
        versions = {
            v.pk: v
            for v in CalendarVersion.objects.filter(
                pk__in=[c for c, _at in pin.calendars if c is not None]
            ).select_related("calendar")
        }
        for version_id, since in pin.calendars:
            v = versions.get(version_id) if version_id is not None else None
            calendars.append(
                {
                    "name": v.calendar.name if v else "24x7",
                    "version": v.version if v else None,
                    "timezone": v.definition.get("timezone", "UTC") if v else "UTC",
                    "from": None if since is None else datetime.fromisoformat(since),
                }
            )
    explained = []
    for clock in SlaClock.objects.filter(ticket_id=ticket.pk).order_by("kind", "cycle"):
        calendar = business_calendar(clock.calendar_version_id)
        pauses = pauses_of(clock)
        detail = None
        left = clock.target_seconds - clock.segment_used
        if left > 0 and clock.target_seconds < 1e17 and clock.state != ClockState.CANCELLED:
            try:
                detail = calendar.explain(clock.segment_start, left, pauses)
            except NoWorkingTimeError:
                detail = None
        explained.append(
            ClockExplanation(
                clock=view(clock, now),
                explanation=detail,
                segment_start=clock.segment_start,
                segment_used=clock.segment_used,
                pauses=pauses,
                warnings=tuple(clock.warn_instants()),
                warnings_fired=clock.warnings_fired,
                breach_fired=clock.breach_fired,
            )
        )
    explained.sort(key=lambda e: (_KIND_ORDER.get(e.clock.kind, 9), e.clock.cycle))
    score = TicketScore.objects.filter(ticket_id=ticket.pk).first()
    return TicketExplanation(
        policy=pin.policy_version.policy.name if pin else None,
        policy_version=pin.policy_version.version if pin else None,
        calendars=tuple(calendars),
        clocks=tuple(explained),
        score=None
        if score is None
        else {"total": score.total, "breached": score.breached, "factors": score.factors},
    )


def compliance(
    clocks: Any = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    by: str = "ticket__service__name",
) -> list[dict[str, Any]]:
    """Share of finished clocks that met their target, per ``by`` and target kind.

    ``clocks`` may be a pre-scoped SlaClock queryset (e.g. of visible tickets); finished means
    met, breached-met, or breached while still running. A report view adds period and CSV.
    """
    qs = clocks if clocks is not None else SlaClock.objects.all()
    finished = Q(state__in=[ClockState.MET, ClockState.BREACHED_MET]) | Q(
        state=ClockState.BREACHED_RUNNING
    )
    qs = qs.filter(finished)
    if since is not None:
        qs = qs.filter(started_at__gte=since)
    if until is not None:
        qs = qs.filter(started_at__lt=until)
    rows = (
        qs.values(by, "kind")
        .annotate(
            total=Count("pk"),
            met=Count("pk", filter=Q(state=ClockState.MET)),
        )
        .order_by(by, "kind")
    )
    return [
        {
            "group": row[by],
            "kind": row["kind"],
            "total": row["total"],
            "met": row["met"],
            "breached": row["total"] - row["met"],
            "share_met": row["met"] / row["total"] if row["total"] else None,
        }
        for row in rows
    ]


def time_left(clock: ClockView) -> timedelta | None:
    return None if clock.remaining_seconds is None else timedelta(seconds=clock.remaining_seconds)


@dataclass(frozen=True)
class PolicyOverview:
    """One policy as the SLA document page renders it (from its current version)."""

    name: str
    description: str
    order: int
    version: int
    conditions: dict[str, list[Any]]  # services, organizations (names), types, priorities, …
    calendar_source: str
    calendar: dict[str, Any] | None  # the policy's own calendar definition (+ name, version)
    targets: tuple[dict[str, Any], ...]  # snapshot rows: kind, priority, seconds, days, pause …
    escalations: tuple[dict[str, Any], ...]
    penalty_per_breach: str


def policies_overview() -> list[PolicyOverview]:
    """Active policies in matching order, for the readable SLA document (a handful of queries)."""
    from okno.sla.models import SlaPolicy

    out = []
    policies = (
        SlaPolicy.objects.filter(is_active=True)
        .select_related("calendar")
        .prefetch_related("services", "organizations", "versions")
        .order_by("order", "pk")
    )
    for policy in policies:
        versions = sorted(policy.versions.all(), key=lambda v: v.version)
        snapshot = versions[-1].snapshot if versions else {}
        calendar = policy.calendar
        out.append(
            PolicyOverview(
                name=policy.name,
                description=policy.description,
                order=policy.order,
                version=versions[-1].version if versions else 0,
                conditions={
                    "services": [s.name for s in policy.services.all()],
                    "organizations": [o.name for o in policy.organizations.all()],
                    "ticket_types": list(policy.ticket_types or []),
                    "priorities": list(policy.priorities or []),
                    "channels": list(policy.channels or []),
                },
                calendar_source=policy.calendar_source,
                calendar=None
                if calendar is None
                else {"name": calendar.name, "version": calendar.version, **calendar.definition()},
                targets=tuple(snapshot.get("targets", [])),
                escalations=tuple(snapshot.get("escalations", [])),
                penalty_per_breach=str(policy.penalty_per_breach),
            )
        )
    return out
