"""Auto-assignment within a team: round-robin or least-loaded, respecting availability and
an optional skills match. The ticket itself only changes through ``tickets.actions``."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q

from okno.accounts.models import User
from okno.tickets import actions as ticket_actions
from okno.tickets.models import ACTIVE_CATEGORIES, Ticket

from .models import AgentStatus, Strategy, TeamRouting


def candidates(routing: TeamRouting, ticket: Ticket) -> list[User]:
    """Active agents of the team who may take the ticket, in id order."""
    members = User.objects.filter(
        memberships__team=routing.team, is_active=True, role__in=("agent", "manager", "admin")
    ).order_by("pk")
    if routing.respect_availability:
        members = members.exclude(routing_status__available=False)
    people = list(members.distinct())
    if routing.match_skills and ticket.service_id:
        skilled = set(
            AgentStatus.objects.filter(agent__in=people, skills=ticket.service_id).values_list(
                "agent_id", flat=True
            )
        )
        if skilled:
            people = [p for p in people if p.pk in skilled]
    return people


def _least_loaded(people: list[User]) -> User:
    load = dict(
        User.objects.filter(pk__in=[p.pk for p in people])
        .annotate(
            n=Count(
                "assigned_tickets",
                filter=Q(assigned_tickets__status_category__in=ACTIVE_CATEGORIES),
            )
        )
        .values_list("pk", "n")
    )
    return min(people, key=lambda p: (load.get(p.pk, 0), p.pk))


def _next_in_turn(people: list[User], last_id: int | None) -> User:
    if last_id is not None:
        for person in people:
            if person.pk > last_id:
                return person
    return people[0]


@transaction.atomic
def auto_assign(ticket_id: int) -> User | None:
    """Give an unassigned ticket to the next agent of its team; None when nothing to do.

    The team's routing row is locked, so two tickets arriving together get different agents.
    """
    ticket = Ticket.objects.select_related("team").filter(pk=ticket_id).first()
    if ticket is None or ticket.assignee_id or ticket.team_id is None:
        return None
    if ticket.status_category not in ACTIVE_CATEGORIES or ticket.merged_into_id:
        return None
    routing = TeamRouting.objects.select_for_update().filter(team_id=ticket.team_id).first()
    if routing is None or routing.strategy == Strategy.NONE:
        return None
    people = candidates(routing, ticket)
    if not people:
        return None
    if routing.strategy == Strategy.LEAST_LOADED:
        chosen = _least_loaded(people)
    else:
        chosen = _next_in_turn(people, routing.last_assigned_id)
    ticket_actions.assign_ticket(ticket, actor=None, assignee=chosen)
    routing.last_assigned = chosen
    routing.save(update_fields=["last_assigned"])
    return chosen


@transaction.atomic
def set_availability(agent: User, *, actor: User, available: bool) -> AgentStatus:
    """An agent sets themselves available or away (admins may set anyone)."""
    if actor.pk != agent.pk and not actor.is_superuser and getattr(actor, "role", "") != "admin":
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    status, _created = AgentStatus.objects.get_or_create(agent=agent)
    status.available = available
    status.save(update_fields=["available", "changed_at"])
    return status


def is_available(agent: User) -> bool:
    status = AgentStatus.objects.filter(agent=agent).values_list("available", flat=True).first()
    return True if status is None else bool(status)
