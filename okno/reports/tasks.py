"""The periodic fold of the dashboard rollups (okno/ops/periodic.py runs it every minute)."""

from __future__ import annotations

from django_tasks import task


@task(queue_name="default")
def fold_rollups() -> int:
    """Fold new events and ratings; safe to run on several workers at once (the state row is
    locked, a second worker skips). Returns the event ids covered."""
    from okno.reports.rollup import fold

    return fold().events
