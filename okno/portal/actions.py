"""Portal writes that combine ticket actions; each still goes through ``okno.tickets.actions``."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from okno.accounts.models import User
from okno.tickets import actions
from okno.tickets.models import LinkKind, Ticket


@transaction.atomic
def open_follow_up(previous: Ticket, *, actor: User, **fields: Any) -> Ticket:
    """A new request that refers to an earlier, closed one (too late to reopen it).

    Linking is an agent's action; here the system links the pair on the requester's behalf
    (``actor=None``) in the same transaction, so a failed link leaves no orphan request.
    The caller has checked that ``actor`` may see ``previous``.
    """
    ticket = actions.open_ticket(actor=actor, **fields)
    actions.link_tickets(ticket, previous, actor=None, kind=LinkKind.RELATED)
    return ticket
