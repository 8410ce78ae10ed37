"""The warning/breach sweep: find due clocks by index, claim each firing once, escalate.

Healthchecks' ``sendalerts`` pattern: the deadline is an indexed column (``next_check_at``,
a partial index holding only clocks with something pending), and each firing is claimed by a
conditional UPDATE (``warnings_fired = k`` → ``k + 1``, ``breach_fired = false`` → ``true``).
The claim, the ``TicketEvent`` and the escalation actions commit in ONE transaction, with the
ticket row locked first (the same lock order as every ticket action), so:

- two workers: the second blocks on the ticket lock, then its UPDATE matches no row → skips;
- a crash between claim and action rolls the claim back → the next sweep fires it, once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from okno.accounts.models import Role, Team, TeamMembership, User
from okno.sla.models import ClockState, EscalationAction, SlaClock
from okno.tickets import events
from okno.tickets.models import Ticket
from okno.tickets.tasks import enqueue_ticket_followup

logger = logging.getLogger(__name__)

SLA_WARNING = "sla_warning"
SLA_BREACHED = "sla_breached"
BATCH = 500


def due_clocks(now: datetime, limit: int = BATCH) -> list[tuple[int, int]]:
    """``(clock id, ticket id)`` of clocks with a firing due: an index range scan."""
    return list(
        SlaClock.objects.filter(next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("pk", "ticket_id")[:limit]
    )


def sweep(*, now: datetime | None = None, limit: int = BATCH) -> int:
    """Fire every due warning and breach; returns how many fired. Safe to run concurrently."""
    now = now or timezone.now()
    fired = 0
    for clock_id, ticket_id in due_clocks(now, limit):
        try:
            fired += fire_clock(clock_id, ticket_id, now=now)
        except Exception:  # one bad clock must not stop the others; it is retried next sweep
            logger.exception("SLA firing failed for clock %s", clock_id)
    return fired


def fire_clock(clock_id: int, ticket_id: int, *, now: datetime) -> int:
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("team", "assignee")
            .filter(pk=ticket_id)
            .first()
        )
        clock = SlaClock.objects.select_related("policy_version").filter(pk=clock_id).first()
        if ticket is None or clock is None:
            return 0
        if clock.next_check_at is None or clock.next_check_at > now:
            return 0  # another worker got there first
        fired = 0
        points = clock.warn_instants()
        while clock.is_open and clock.warnings_fired < len(points):
            k = clock.warnings_fired
            percent, moment = points[k]
            if moment > now:
                break
            claimed = SlaClock.objects.filter(pk=clock.pk, warnings_fired=k).update(
                warnings_fired=k + 1
            )
            if not claimed:
                return fired
            clock.warnings_fired = k + 1
            _fire(ticket, clock, SLA_WARNING, percent=percent, at=moment)
            fired += 1
        breach = clock.breached_at or (clock.due_at if clock.is_open else None)
        if (
            not clock.breach_fired
            and clock.state != ClockState.CANCELLED
            and breach is not None
            and breach <= now
        ):
            claimed = SlaClock.objects.filter(pk=clock.pk, breach_fired=False).update(
                breach_fired=True
            )
            if claimed:
                clock.breach_fired = True
                _fire(ticket, clock, SLA_BREACHED, percent=None, at=breach)
                fired += 1
        from okno.tickets.actions import refresh_sla

        refresh_sla(ticket, actor=None)  # breached state, next_check_at, queue score
        return fired


def _fire(ticket: Ticket, clock: SlaClock, kind: str, *, percent: int | None, at: datetime) -> None:
    events.record(
        ticket,
        kind,
        actor=None,
        field=clock.kind,
        new=percent,
        target=clock.kind,
        cycle=clock.cycle,
        due_at=clock.due_at.isoformat() if clock.due_at else None,
        at=at.isoformat(),
        clock=clock.pk,
    )
    trigger = "warning" if kind == SLA_WARNING else "breach"
    for rule in clock.policy_version.snapshot.get("escalations", []):
        if rule["trigger"] != trigger or (rule["kind"] and rule["kind"] != clock.kind):
            continue
        if trigger == "warning" and rule["percent"] not in (None, percent):
            continue
        escalate(ticket, clock, rule, kind=kind, percent=percent)
    enqueue_ticket_followup(ticket.pk, kind)


def escalate(
    ticket: Ticket, clock: SlaClock, rule: dict[str, Any], *, kind: str, percent: int | None
) -> None:
    """Run one escalation action through the ticket actions; a refused action is logged."""
    from okno.tickets import actions

    action = rule["action"]
    try:
        with transaction.atomic():
            if action == EscalationAction.NOTIFY:
                from okno.sla.notify import queue_notices

                queue_notices(ticket, clock, kind, percent, recipients(ticket, rule["notify"]))
            elif action == EscalationAction.REASSIGN:
                team = Team.objects.filter(pk=rule["team"]).first()
                if team is not None and team.pk != ticket.team_id:
                    actions.assign_ticket(ticket, actor=None, team=team)
            elif action == EscalationAction.NEXT_LINE:
                current = Team.objects.filter(pk=ticket.team_id).first()
                if current is not None and current.next_line_id:
                    actions.assign_ticket(ticket, actor=None, team=current.next_line)
            elif action == EscalationAction.RAISE_PRIORITY:
                fresh = Ticket.objects.get(pk=ticket.pk)
                if fresh.priority > 1:
                    actions.change_priority(
                        fresh,
                        actor=None,
                        priority=fresh.priority - 1,
                        reason=f"SLA {kind.removeprefix('sla_')}: {clock.kind}",
                    )
    except (ValidationError, PermissionDenied) as exc:
        logger.warning("SLA escalation %s on #%s refused: %s", action, ticket.pk, exc)


def recipients(ticket: Ticket, who: list[str]) -> list[User]:
    """Assignee, the leads of the ticket's team, managers: active people, each once."""
    found: dict[int, User] = {}
    fresh = Ticket.objects.select_related("assignee").get(pk=ticket.pk)
    if "assignee" in who and fresh.assignee is not None and fresh.assignee.is_active:
        found[fresh.assignee.pk] = fresh.assignee
    if "team_lead" in who and fresh.team_id:
        for membership in TeamMembership.objects.filter(
            team_id=fresh.team_id, is_lead=True, user__is_active=True
        ).select_related("user"):
            found.setdefault(membership.user.pk, membership.user)
    if "manager" in who:
        for user in User.objects.filter(role=Role.MANAGER, is_active=True):
            found.setdefault(user.pk, user)
    return list(found.values())
