"""Raw-mail retention: drop the raw bytes of inbound messages some days after they were handled.

The ticket keeps what the message said (article, attachments); the row keeps its metadata
(sender, subject, Message-ID, sha256, size, outcome) for threading and the audit trail. Only
messages that were processed or deliberately ignored lose their bytes; a quarantined message is
never touched here, because its raw bytes are what an administrator retries after a fix.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from okno.ops.retention import BATCH_SIZE, cutoff, report

from .models import InboundMessage

DONE_STATES = (InboundMessage.State.PROCESSED, InboundMessage.State.IGNORED)


def retention_days() -> int:
    return int(getattr(settings, "MAIL_RAW_RETENTION_DAYS", 90))


def prune_raw_mail(*, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> int:
    """Empty ``raw`` of handled messages processed more than the retention ago; returns how
    many. Pages through the partial index ``inbound_raw_kept`` in (processed_at, id) order."""
    days = retention_days()
    before = cutoff(days)
    if before is None:
        return 0
    candidates = InboundMessage.objects.filter(
        raw_pruned_at__isnull=True, processed_at__lt=before, state__in=DONE_STATES
    )
    if dry_run:
        count = candidates.count()
        report("raw inbound messages", count, dry_run=True, days=days)
        return count
    total = 0
    page = candidates
    while True:
        rows = list(
            page.order_by("processed_at", "pk").values_list("processed_at", "pk")[:batch_size]
        )
        if not rows:
            break
        with transaction.atomic():
            total += candidates.filter(pk__in=[pk for _at, pk in rows]).update(
                raw=b"", raw_pruned_at=timezone.now()
            )
        if len(rows) < batch_size:
            break
        last_at, last_pk = rows[-1]
        page = candidates.filter(
            Q(processed_at__gt=last_at) | Q(processed_at=last_at, pk__gt=last_pk)
        )
    report("raw inbound messages", total, dry_run=False, days=days)
    return total


@task(queue_name="default")
def prune_raw_mail_job() -> int:
    """Periodic (okno.ops.periodic): see :func:`prune_raw_mail`."""
    return prune_raw_mail()
