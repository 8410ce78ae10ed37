"""Webhook housekeeping: the delivery log's retention, and the sweep for stuck deliveries.

The log keeps every attempt for ``WEBHOOK_DELIVERY_RETENTION_DAYS`` (0: forever); attempts that
are still waiting or sending are never pruned. A delivery stays "sending" only while a worker
sends it (at most ``WEBHOOK_TIMEOUT`` seconds); one still "sending" after
``WEBHOOK_STUCK_MINUTES`` lost its worker, and :func:`okno.automation.webhooks.recover_stuck`
puts it back under the retry rules.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from okno.ops.retention import BATCH_SIZE, cutoff, delete_in_batches, logger, report

from .models import DeliveryState, WebhookDelivery

FINISHED = (
    DeliveryState.SUCCEEDED,
    DeliveryState.FAILED,  # this attempt failed; the next one is its own row
    DeliveryState.GAVE_UP,
    DeliveryState.CANCELLED,
)


def retention_days() -> int:
    return int(getattr(settings, "WEBHOOK_DELIVERY_RETENTION_DAYS", 30))


def stuck_minutes() -> int:
    return int(getattr(settings, "WEBHOOK_STUCK_MINUTES", 15))


def prune_deliveries(*, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> int:
    days = retention_days()
    before = cutoff(days)
    if before is None:
        return 0
    first_recent = (
        WebhookDelivery.objects.filter(created_at__gte=before)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    old = WebhookDelivery.objects.filter(created_at__lt=before, state__in=FINISHED)
    count = delete_in_batches(old, dry_run=dry_run, below=first_recent, batch_size=batch_size)
    report("webhook deliveries", count, dry_run=dry_run, days=days)
    return count


def requeue_stuck(*, dry_run: bool = False) -> int:
    """Recover deliveries stuck in "sending"; returns how many (0 when the sweep is off)."""
    from .webhooks import recover_stuck

    minutes = stuck_minutes()
    if minutes <= 0:
        return 0
    older_than = timezone.now() - timedelta(minutes=minutes)
    stuck = WebhookDelivery.objects.filter(state=DeliveryState.SENDING).filter(
        Q(started_at__lt=older_than) | Q(started_at__isnull=True, created_at__lt=older_than)
    )
    ids = list(stuck.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
    if dry_run:
        report("stuck webhook deliveries", len(ids), dry_run=True)
        return len(ids)
    recovered = 0
    for pk in ids:
        outcome = recover_stuck(pk, older_than=older_than)
        if outcome not in ("gone", "not stuck"):
            recovered += 1
            logger.warning("Webhook delivery %s was stuck in sending: %s", pk, outcome)
    return recovered


@task(queue_name="default")
def prune_deliveries_job() -> int:
    """Periodic (okno.ops.periodic): see :func:`prune_deliveries`."""
    return prune_deliveries()


@task(queue_name="default")
def requeue_stuck_job() -> int:
    """Periodic (okno.ops.periodic): see :func:`requeue_stuck`."""
    return requeue_stuck()
