"""Typed constructors for the ticket timeline (``TicketEvent``), written inside each action.

Values are stored as stable keys and ids so the SLA engine and reports can replay the log;
``data`` carries display labels captured at the time of the change.
"""

from __future__ import annotations

from typing import Any

from okno.accounts.models import User

from .models import Ticket, TicketEvent

CREATED = "created"
REPLIED = "replied"
NOTE_ADDED = "note_added"
ATTACHMENT_ADDED = "attachment_added"
STATUS_CHANGED = "status_changed"
REOPENED = "reopened"
ASSIGNED = "assigned"
TEAM_CHANGED = "team_changed"
PRIORITY_CHANGED = "priority_changed"
FIELD_CHANGED = "field_changed"
FIRST_RESPONSE = "first_response"
MERGED = "merged"
MERGED_INTO = "merged_into"
LINKED = "linked"
UNLINKED = "unlinked"


def record(
    ticket: Ticket,
    kind: str,
    *,
    actor: User | None,
    field: str = "",
    old: Any = None,
    new: Any = None,
    **data: Any,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, field=field, old=old, new=new, data=data
    )


def created_row(ticket: Ticket, *, actor: User | None, at: Any = None) -> TicketEvent:
    """The unsaved ``created`` event (``tickets.actions.open_ticket`` writes it with the
    ticket's other rows)."""
    return TicketEvent(
        ticket=ticket,
        kind=CREATED,
        actor=actor,
        created_at=at,
        data={
            "type": ticket.type,
            "status": ticket.status.key,
            "status_category": ticket.status_category,
            "priority": ticket.priority,
            "impact": ticket.impact,
            "urgency": ticket.urgency,
            "team": ticket.team_id,
            "assignee": ticket.assignee_id,
            "service": ticket.service_id,
            "organization": ticket.organization_id,
            "channel": ticket.channel,
        },
    )


def field_changed(
    ticket: Ticket, *, actor: User | None, field: str, old: Any, new: Any, **labels: Any
) -> TicketEvent:
    return record(ticket, FIELD_CHANGED, actor=actor, field=field, old=old, new=new, **labels)
