"""Follow-up hook: listed in ``tickets.tasks.FOLLOWUP_HANDLERS``, runs in a background job."""

from __future__ import annotations

from typing import Any

from .actions import auto_assign


def on_ticket_event(ticket_id: int, event: str, article_id: int | None = None, **_: Any) -> None:
    """A new ticket gets an agent (later unassignments are deliberate and left alone)."""
    if event == "created":
        auto_assign(ticket_id)
