"""Who else is on a ticket right now: viewing or replying. Kept in Django's cache only.

Each agent's page polls every ~10 s; an entry older than TTL is dropped. One cache entry per
ticket holds {user_id: [name, state, timestamp]}; a lost update between two simultaneous
polls is healed by the next poll, which is all a presence hint needs. With several server
processes the cache must be shared (database or Redis cache), see docs/desk.md.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache

TTL = 30  # seconds an entry lives without a new poll
STATES = ("viewing", "replying")


def _key(ticket_id: int) -> str:
    return f"okno:desk:presence:{ticket_id}"


def touch(ticket_id: int, user: Any, state: str) -> list[dict[str, Any]]:
    """Record the viewer's state and return the OTHER agents present, replying first."""
    now = time.time()
    state = state if state in STATES else "viewing"
    entries: dict[str, list[Any]] = cache.get(_key(ticket_id)) or {}
    entries = {uid: e for uid, e in entries.items() if now - e[2] < TTL}
    entries[str(user.pk)] = [str(user), state, now]
    cache.set(_key(ticket_id), entries, TTL)
    others = [{"name": e[0], "state": e[1]} for uid, e in entries.items() if uid != str(user.pk)]
    return sorted(others, key=lambda o: (o["state"] != "replying", o["name"]))


def leave(ticket_id: int, user: Any) -> None:
    entries: dict[str, list[Any]] = cache.get(_key(ticket_id)) or {}
    if entries.pop(str(user.pk), None) is not None:
        cache.set(_key(ticket_id), entries, TTL)
