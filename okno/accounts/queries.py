"""The one permission filter: what a person may see and change.

Every list, detail, search, export and API route reads tickets through these functions, so a
requester guessing another organization's ticket id gets a 404 and never the data.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from okno.ops.lookup import JoinedLookup
from okno.tickets.models import Ticket

from .models import Role, User


def agent_team_ids(user: User) -> list[int]:
    cached = getattr(user, "_okno_team_ids", None)
    if cached is None:
        cached = list(user.memberships.values_list("team_id", flat=True))
        user._okno_team_ids = cached  # type: ignore[attr-defined]
    return cached


def _requester_scope(user: User) -> Q:
    scope = Q(requester=user)
    if (
        user.sees_organization_tickets
        and user.organization_id is not None
        and user.organization.shared_tickets
    ):
        scope |= Q(organization_id=user.organization_id)
    return scope


def ticket_scope(user: User) -> Q | None:
    """A filter for the tickets ``user`` may see; ``None`` means all of them."""
    if user.sees_all_tickets:
        return None
    scope = _requester_scope(user)
    if user.is_agent:
        scope |= Q(team_id__in=agent_team_ids(user)) | Q(assignee=user)
    return scope


def visible_tickets(user: User | None) -> QuerySet[Ticket]:
    if user is None or not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    scope = ticket_scope(user)
    tickets = Ticket.objects.all()
    return tickets if scope is None else tickets.filter(scope)


def sees_ticket(user: User | None, ticket: Ticket) -> bool:
    """``visible_tickets(user)`` as a test of one loaded ticket (no query but, once per
    request, the viewer's teams): the same rules, clause for clause, as ``ticket_scope``;
    ``tests/accounts/test_sees_ticket.py`` compares the two over every role and relation."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.sees_all_tickets or ticket.requester_id == user.pk:
        return True
    if (
        user.sees_organization_tickets
        and user.organization_id is not None
        and ticket.organization_id == user.organization_id
        and user.organization.shared_tickets
    ):
        return True
    return user.is_agent and (
        ticket.assignee_id == user.pk or ticket.team_id in agent_team_ids(user)
    )


def workable_tickets(user: User | None) -> QuerySet[Ticket]:
    """The tickets ``user`` may work on: ``can_work_on`` as a filter (internal notes, reports)."""
    if user is None or not user.is_authenticated or not user.is_agent:
        return Ticket.objects.none()
    if user.role in {Role.MANAGER, Role.ADMIN} or user.is_superuser:
        return Ticket.objects.all()
    return Ticket.objects.filter(Q(team_id__in=agent_team_ids(user)) | Q(assignee=user))


def can_work_on(user: User, ticket: Ticket) -> bool:
    """Agent-level rights (notes, assignment, status) on this ticket."""
    if not user.is_agent:
        return False
    if user.role in {Role.MANAGER, Role.ADMIN} or user.is_superuser:
        return True
    return ticket.assignee_id == user.pk or ticket.team_id in agent_team_ids(user)


_TICKET = JoinedLookup(
    Ticket, ["status", "requester", "organization", "team", "assignee", "service"]
)


def get_ticket_for(user: User | None, pk: object, *, write: bool = False) -> Ticket:
    """The ticket if ``user`` may see it (and, with ``write``, act on it); else 404."""
    try:
        pk_int = int(str(pk))
    except (TypeError, ValueError):
        raise Http404("No such ticket") from None
    if not -(2**63) <= pk_int < 2**63:
        raise Http404("No such ticket")
    # By key with its relations (a statement built once per process), then the scope's test.
    ticket = _TICKET.get(pk_int)
    if ticket is None or not sees_ticket(user, ticket):
        raise Http404("No such ticket")
    # Whoever sees a ticket may act on it in their role towards it: requesters reply, resolve
    # and reopen; agents of its team do the rest. ``tickets.actions`` enforces the role rules.
    return ticket
