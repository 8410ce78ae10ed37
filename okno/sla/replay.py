"""SLA clocks as a pure function of (policy targets, calendars, the ticket's ordered event log).

No Django here: the database layer (``sla.clocks``) turns ``TicketEvent`` rows into
:class:`Event` values, a pinned policy version into :class:`Targets`, pinned calendar versions
into :class:`~okno.sla.businesstime.Calendar` segments, and stores the :class:`ClockResult`\\ s.
Replaying the same inputs always gives the same clocks, which is what ``okno sla recompute``
relies on.

Accounting is done in *segments*: a clock's used business time is ``segment_used`` (frozen at
the last target or calendar switch, or at a reopen) plus the business time elapsed since
``segment_start`` minus its overlap with pauses. A priority change keeps the start (SLA.md): the
used time carries over and only the target changes. A calendar edit changes the future part
only: time used before the edit stays as the old calendar counted it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from okno.sla.businesstime import Calendar, NoWorkingTimeError, Pause

__all__ = [
    "AGENT_REPLY",
    "CALENDAR",
    "CREATED",
    "CUSTOMER_REPLY",
    "DONE_CATEGORIES",
    "FIRST_RESPONSE",
    "KINDS",
    "MERGED",
    "PRIORITY",
    "STATUS",
    "ClockResult",
    "Event",
    "Target",
    "Targets",
    "replay",
]

# Event kinds understood by the replay (the database layer maps TicketEvent kinds onto these).
CREATED = "created"
STATUS = "status"
PRIORITY = "priority"
FIRST_RESPONSE = "first_response"
AGENT_REPLY = "agent_reply"
CUSTOMER_REPLY = "customer_reply"
MERGED = "merged"
CALENDAR = "calendar"  # internal: a calendar segment starts

# Target kinds, in display order.
KINDS = ("first_response", "next_response", "periodic_update", "resolution")
DONE_CATEGORIES = frozenset({"resolved", "closed"})

# Clock states (SLA.md "Model").
RUNNING = "running"
PAUSED = "paused"
MET = "met"
BREACHED_RUNNING = "breached_running"
BREACHED_MET = "breached_met"
CANCELLED = "cancelled"
OPEN_STATES = frozenset({RUNNING, PAUSED, BREACHED_RUNNING})


@dataclass(frozen=True)
class Event:
    """One fact from the ticket's log, in server time."""

    at: datetime
    kind: str
    category: str | None = None  # CREATED, STATUS: the status category from then on
    priority: int | None = None  # CREATED, PRIORITY: the priority from then on


@dataclass(frozen=True)
class Target:
    """One SLA target: business seconds, or whole business days (a distinct unit)."""

    kind: str
    seconds: int = 0
    business_days: int = 0
    pause_categories: frozenset[str] = frozenset()
    warn_percents: tuple[int, ...] = (75,)
    reopen: str = "continue"  # resolution only: "continue" or "restart"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown target kind {self.kind!r}")
        if self.seconds < 0 or self.business_days < 0:
            raise ValueError("a target must not be negative")
        if self.reopen not in ("continue", "restart"):
            raise ValueError(f"reopen must be continue or restart, got {self.reopen!r}")
        if any(not 0 < p < 100 for p in self.warn_percents):
            raise ValueError("warning thresholds are percentages between 0 and 100")


@dataclass(frozen=True)
class Targets:
    """A policy version's targets: per (kind, priority); priority None applies to any priority."""

    by_key: Mapping[tuple[str, int | None], Target]

    def get(self, kind: str, priority: int | None) -> Target | None:
        return self.by_key.get((kind, priority)) or self.by_key.get((kind, None))


@dataclass(frozen=True)
class ClockResult:
    """A clock as stored: every field is determined by the inputs (``now`` only decides whether
    a still-running clock has passed its due time)."""

    kind: str
    cycle: int
    priority: int | None
    state: str
    started_at: datetime
    target_seconds: int | float
    due_at: datetime | None  # None while an open pause holds the clock, or once cancelled
    used_seconds: int | float  # business seconds used up to measured_at
    paused_seconds: int | float  # working seconds removed by pauses up to measured_at
    measured_at: datetime
    segment_start: datetime
    segment_used: int | float
    pauses: tuple[Pause, ...]
    paused_since: datetime | None
    met_at: datetime | None
    breached_at: datetime | None
    cancelled_at: datetime | None
    warnings: tuple[tuple[int, datetime], ...]  # (percent, instant) for an open clock

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


@dataclass
class _Clock:
    kind: str
    cycle: int
    priority: int | None
    target: Target
    start: datetime
    calendar: Calendar
    total: int | float = 0
    segment_start: datetime = field(init=False)
    segment_used: int | float = 0
    paused_before: int | float = 0
    pauses: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    met_at: datetime | None = None
    breached_at: datetime | None = None
    cancelled_at: datetime | None = None
    switched: bool = False

    def __post_init__(self) -> None:
        self.segment_start = self.start
        self.total = _target_seconds(self.target, self.calendar, self.start)

    @property
    def open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    @property
    def paused_since(self) -> datetime | None:
        if self.pauses and self.pauses[-1][1] is None:
            return self.pauses[-1][0]
        return None

    def used(self, at: datetime) -> int | float:
        return self.segment_used + self.calendar.elapsed(self.segment_start, at, tuple(self.pauses))

    def paused_amount(self, at: datetime) -> int | float:
        gross = self.calendar.elapsed(self.segment_start, at)
        net = self.calendar.elapsed(self.segment_start, at, tuple(self.pauses))
        return self.paused_before + gross - net

    def due(self) -> datetime | None:
        left = self.total - self.segment_used
        if left <= 0:
            return self.breached_at or self.segment_start
        try:
            if self.target.business_days and not self.switched:
                return self.calendar.add_business_days(
                    self.start, self.target.business_days, tuple(self.pauses)
                )
            return self.calendar.due(self.segment_start, left, tuple(self.pauses))
        except NoWorkingTimeError:
            return None

    def note_breach_before(self, at: datetime) -> None:
        """Record a breach that happened before ``at`` (it stays in history)."""
        if self.breached_at is None:
            due = self.due()
            if due is not None and due <= at:
                self.breached_at = max(due, self.segment_start)

    def new_segment(self, at: datetime) -> None:
        self.note_breach_before(at)
        self.segment_used = self.used(at)
        self.paused_before = self.paused_amount(at)
        self.segment_start = at
        self.switched = True

    def pause(self, at: datetime) -> None:
        if self.paused_since is None:
            self.pauses.append((at, None))

    def resume(self, at: datetime) -> None:
        since = self.paused_since
        if since is not None:
            self.pauses[-1] = (since, at)

    def meet(self, at: datetime) -> None:
        self.resume(at)
        self.note_breach_before(at)  # met exactly at the due time is a breach (now ≥ D)
        self.met_at = at

    def cancel(self, at: datetime) -> None:
        self.resume(at)
        self.note_breach_before(at)
        self.cancelled_at = at


def _target_seconds(target: Target, calendar: Calendar, start: datetime) -> int | float:
    if target.business_days:
        try:
            due = calendar.add_business_days(start, target.business_days)
        except NoWorkingTimeError:
            return float("inf")
        return calendar.elapsed(start, due) if due is not None else 0
    return target.seconds


class _Replay:
    def __init__(self, targets: Targets) -> None:
        self.targets = targets
        self.clocks: list[_Clock] = []
        self.current: dict[str, _Clock] = {}
        self.category = "new"
        self.priority: int | None = None
        self.first_met = False
        self.calendar: Calendar = Calendar.always()
        self.created = False

    def start(self, kind: str, at: datetime) -> None:
        target = self.targets.get(kind, self.priority)
        if target is None:
            return
        previous = self.current.get(kind)
        cycle = previous.cycle + 1 if previous is not None else 1
        clock = _Clock(kind, cycle, self.priority, target, at, self.calendar)
        if self.category in target.pause_categories:
            clock.pause(at)
        self.clocks.append(clock)
        self.current[kind] = clock

    def open_clock(self, kind: str) -> _Clock | None:
        clock = self.current.get(kind)
        return clock if clock is not None and clock.open else None

    def handle(self, event: Event) -> None:
        at = event.at
        if event.kind == CALENDAR:
            return
        if event.kind == CREATED:
            self.created = True
            self.category = event.category or "new"
            self.priority = event.priority
            for kind in ("first_response", "periodic_update", "resolution"):
                self.start(kind, at)
            return
        if not self.created:
            return
        if event.kind == STATUS and event.category:
            self.status(at, event.category)
        elif event.kind == PRIORITY and event.priority is not None:
            self.change_priority(at, event.priority)
        elif event.kind == FIRST_RESPONSE:
            self.first_met = True
            clock = self.open_clock("first_response")
            if clock is not None:
                clock.meet(at)
        elif event.kind == AGENT_REPLY:
            for kind in ("next_response", "periodic_update"):
                clock = self.open_clock(kind)
                if clock is not None:
                    clock.meet(at)
            if self.category not in DONE_CATEGORIES:
                self.start("periodic_update", at)
        elif event.kind == CUSTOMER_REPLY:
            if self.first_met and self.open_clock("next_response") is None:
                self.start("next_response", at)
        elif event.kind == MERGED:
            for clock in self.clocks:
                if clock.open:
                    clock.cancel(at)

    def status(self, at: datetime, new: str) -> None:
        old, self.category = self.category, new
        if old == new:
            return
        for clock in self.clocks:
            if not clock.open:
                continue
            pause = clock.target.pause_categories
            if new in pause:
                clock.pause(at)
            elif old in pause:
                clock.resume(at)
        if new in DONE_CATEGORIES and old not in DONE_CATEGORIES:
            for clock in self.clocks:
                if clock.open:
                    clock.meet(at)  # resolved: every running target is done
        elif old in DONE_CATEGORIES and new not in DONE_CATEGORIES:
            self.reopen(at)

    def reopen(self, at: datetime) -> None:
        """First response stays met; resolution continues from its used time or restarts."""
        resolution = self.current.get("resolution")
        if resolution is not None and resolution.met_at is not None:
            if resolution.target.reopen == "restart":
                self.start("resolution", at)
            else:
                stopped = resolution.met_at
                resolution.met_at = None
                resolution.segment_used = resolution.used(stopped)
                resolution.paused_before = resolution.paused_amount(stopped)
                resolution.segment_start = at
                resolution.switched = True
                if self.category in resolution.target.pause_categories:
                    resolution.pause(at)
        if self.open_clock("periodic_update") is None:
            self.start("periodic_update", at)

    def change_priority(self, at: datetime, priority: int) -> None:
        """Targets switch to the new priority's; the start is kept, past breaches stay."""
        if priority == self.priority:
            return
        self.priority = priority
        for clock in self.clocks:
            if not clock.open:
                continue
            target = self.targets.get(clock.kind, priority)
            if target is None:
                clock.cancel(at)
                continue
            clock.new_segment(at)
            clock.priority = priority
            clock.target = target
            clock.total = _target_seconds(target, clock.calendar, clock.start)
            if self.category in target.pause_categories:
                clock.pause(at)
            elif clock.paused_since is not None:
                clock.resume(at)
            if clock.breached_at is None and clock.total <= clock.segment_used:
                clock.breached_at = at

    def switch_calendar(self, at: datetime, calendar: Calendar) -> None:
        for clock in self.clocks:
            if clock.open:
                clock.new_segment(at)
                clock.calendar = calendar
        self.calendar = calendar


def replay(
    events: Sequence[Event],
    targets: Targets,
    calendars: Sequence[tuple[datetime | None, Calendar]] = ((None, Calendar.always()),),
    *,
    now: datetime,
) -> list[ClockResult]:
    """Replay ``events`` (ordered by time) and return every clock, in order of creation.

    ``calendars`` are ``(effective_from, calendar)``; the first entry's instant is ignored (it
    applies from the start), later ones apply from their instant on (a calendar edit).
    """
    state = _Replay(targets)
    if calendars:
        state.calendar = calendars[0][1]
    switches = sorted(
        ((at, cal) for at, cal in calendars[1:] if at is not None), key=lambda pair: pair[0]
    )
    k = 0
    last = events[0].at if events else now
    for event in events:
        while k < len(switches) and switches[k][0] <= event.at:
            state.switch_calendar(*switches[k])
            k += 1
        state.handle(event)
        last = max(last, event.at)
    while k < len(switches) and switches[k][0] <= now:
        state.switch_calendar(*switches[k])
        last = max(last, switches[k][0])
        k += 1
    return [_result(clock, last, now) for clock in state.clocks]


def _result(clock: _Clock, last: datetime, now: datetime) -> ClockResult:
    measured = clock.met_at or clock.cancelled_at or max(last, clock.segment_start)
    due = None if clock.cancelled_at else clock.due()
    breached = clock.breached_at
    warnings: tuple[tuple[int, datetime], ...] = ()
    if clock.open:
        if breached is None and due is not None and due <= now:
            breached = max(due, clock.segment_start)
        if due is not None:
            warnings = tuple(_warnings(clock))
    if clock.cancelled_at is not None:
        state = CANCELLED
    elif clock.met_at is not None:
        state = BREACHED_MET if breached is not None else MET
    elif breached is not None:
        state = BREACHED_RUNNING
    elif clock.paused_since is not None:
        state = PAUSED
    else:
        state = RUNNING
    return ClockResult(
        kind=clock.kind,
        cycle=clock.cycle,
        priority=clock.priority,
        state=state,
        started_at=clock.start,
        target_seconds=clock.total,
        due_at=due,
        used_seconds=clock.used(measured),
        paused_seconds=clock.paused_amount(measured),
        measured_at=measured,
        segment_start=clock.segment_start,
        segment_used=clock.segment_used,
        pauses=tuple(clock.pauses),
        paused_since=clock.paused_since,
        met_at=clock.met_at,
        breached_at=breached,
        cancelled_at=clock.cancelled_at,
        warnings=warnings,
    )


def _warnings(clock: _Clock) -> list[tuple[int, datetime]]:
    out = []
    for percent in sorted(set(clock.target.warn_percents)):
        goal = clock.total * percent / 100
        if goal <= clock.segment_used:
            out.append((percent, clock.segment_start))
            continue
        try:
            at = clock.calendar.due(clock.segment_start, goal - clock.segment_used, clock.pauses)
        except NoWorkingTimeError:
            continue
        if at is not None:
            out.append((percent, at))
    return out
