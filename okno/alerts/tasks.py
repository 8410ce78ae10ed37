"""Background jobs of alert intake: process stored events, calm flapping alerts.

The API queues :func:`process_events` after storing events, at most once a second per process
(a storm would otherwise double every insert with a job row); the worker's periodic scheduler
also runs it every few seconds, so nothing waits long even when a queued job was skipped.
"""

from __future__ import annotations

import time

from django.db import transaction
from django_tasks import task

KICK_INTERVAL = 1.0  # seconds between queued processing jobs, per process
_last_kick = 0.0


def kick(*, force: bool = False) -> None:
    """Queue a processing job after the current transaction commits (throttled)."""
    global _last_kick
    now = time.monotonic()
    if not force and now - _last_kick < KICK_INTERVAL:
        return
    _last_kick = now
    transaction.on_commit(lambda: process_events.enqueue())


@task(queue_name="default")
def process_events() -> int:
    """Turn received monitoring events into incidents; idempotent (claims by state)."""
    from .actions import process_pending, sweep_flapping

    done = process_pending()
    sweep_flapping()
    return done
