from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task


@task(queue_name="default")
def prune_finished_tasks(days: int = 14) -> int:
    """Keep the task table small: drop finished results older than ``days``."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=days)
    deleted, _rows = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
