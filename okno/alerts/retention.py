"""Monitoring-event retention: processed events go after ``ALERT_EVENT_RETENTION_DAYS``.

An event's effect lives on in its alert (counts, first/last seen, state changes) and the
incident's timeline; the event row is only the intake log. Unprocessed (received) and failed
events are never pruned: they are work still to do or to look at.
"""

from __future__ import annotations

from django.conf import settings
from django_tasks import task

from okno.ops.retention import BATCH_SIZE, cutoff, delete_in_batches, report

from .models import Event, EventState


def retention_days() -> int:
    return int(getattr(settings, "ALERT_EVENT_RETENTION_DAYS", 30))


def prune_events(*, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> int:
    days = retention_days()
    before = cutoff(days)
    if before is None:
        return 0
    # received_at has no index, ids grow with time: the first recent id bounds the scan so
    # that no batch walks the (large) recent part of the table.
    first_recent = (
        Event.objects.filter(received_at__gte=before).order_by("id").values_list("id", flat=True)
    ).first()
    old = Event.objects.filter(state=EventState.PROCESSED, received_at__lt=before)
    count = delete_in_batches(old, dry_run=dry_run, below=first_recent, batch_size=batch_size)
    report("monitoring events", count, dry_run=dry_run, days=days)
    return count


@task(queue_name="default")
def prune_events_job() -> int:
    """Periodic (okno.ops.periodic): see :func:`prune_events`."""
    return prune_events()
