"""The timeline event of a tag change, written through ``tickets.events.record``."""

from __future__ import annotations

from okno.accounts.models import User
from okno.tickets import events
from okno.tickets.models import Ticket, TicketEvent

TAGS_CHANGED = "tags_changed"


def tags_changed(
    ticket: Ticket,
    *,
    actor: User | None,
    old: list[str],
    new: list[str],
    added: list[str],
    removed: list[str],
) -> TicketEvent:
    """``old``/``new`` are the whole sets (names as spelled then), ``added``/``removed`` the
    difference, so the history reads without replaying earlier events."""
    return events.record(
        ticket,
        TAGS_CHANGED,
        actor=actor,
        field="tags",
        old=old,
        new=new,
        added=added,
        removed=removed,
    )
