"""Housekeeping: the retention jobs of every app, run by the worker's scheduler and by
``okno prune``.

Each job is ``function(*, dry_run: bool = False) -> int``: how many rows it changed (or, with
``dry_run``, would change). Work goes in batches of :data:`BATCH_SIZE` rows per statement, each
its own short transaction, so the first run over millions of old rows never holds a long lock
and a job stopped half-way simply continues next time. A retention of 0 days keeps forever.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger("okno.retention")

BATCH_SIZE = 1000


@dataclass(frozen=True)
class RetentionJob:
    name: str  # what `okno prune` prints
    path: str  # "module:function"

    def run(self, *, dry_run: bool = False) -> int:
        module, _, function = self.path.partition(":")
        return int(getattr(import_module(module), function)(dry_run=dry_run))


RETENTION_JOBS: list[RetentionJob] = [
    RetentionJob("raw inbound mail (bytes dropped)", "okno.mail.retention:prune_raw_mail"),
    RetentionJob("monitoring events", "okno.alerts.retention:prune_events"),
    RetentionJob("webhook deliveries", "okno.automation.retention:prune_deliveries"),
    RetentionJob("stuck webhook deliveries (requeued)", "okno.automation.retention:requeue_stuck"),
]


def run_all(*, dry_run: bool = False) -> list[tuple[str, int]]:
    """Every job once, in order; one failing job does not stop the others (it is logged)."""
    results = []
    for job in RETENTION_JOBS:
        try:
            results.append((job.name, job.run(dry_run=dry_run)))
        except Exception:
            logger.exception("Retention job %s failed", job.path)
            results.append((job.name, -1))
    return results


def cutoff(days: int) -> datetime | None:
    """Rows older than this go; ``None`` for 0 (or less): keep forever."""
    return timezone.now() - timedelta(days=days) if days > 0 else None


def pk_batches(
    queryset: QuerySet[Any], *, below: int | None = None, batch_size: int = BATCH_SIZE
) -> Iterator[list[int]]:
    """Primary keys of ``queryset`` in ascending batches. Keyset paging (``pk > last``) keeps
    every batch an index range scan; ``below`` stops the scan where recent rows begin."""
    if below is not None:
        queryset = queryset.filter(pk__lt=below)
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        ids = list(page.values_list("pk", flat=True)[:batch_size])
        if ids:
            yield ids
        if len(ids) < batch_size:
            return
        last = ids[-1]


def delete_in_batches(
    queryset: QuerySet[Any],
    *,
    dry_run: bool = False,
    below: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> int:
    """Delete what ``queryset`` matches, ``batch_size`` rows per statement. Each statement
    repeats the queryset's conditions, so a row that changed meanwhile is left alone."""
    if below is not None:
        queryset = queryset.filter(pk__lt=below)
    if dry_run:
        return queryset.count()
    label = queryset.model._meta.label
    total = 0
    for ids in pk_batches(queryset, batch_size=batch_size):
        with transaction.atomic():
            _count, per_model = queryset.filter(pk__in=ids).delete()
        total += per_model.get(label, 0)
    return total


def report(what: str, count: int, *, dry_run: bool, days: int | None = None) -> None:
    if count or dry_run:
        logger.info(
            "%s %s %s%s",
            "Would prune" if dry_run else "Pruned",
            count,
            what,
            f" (older than {days} days)" if days else "",
        )
