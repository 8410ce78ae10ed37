"""Background jobs of the SLA engine: the sweep, re-scoring, calendar edits, notices.

Each takes ids, re-reads rows and treats "already done" as success (DESIGN.md).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

RESCORE_LIMIT = 2000


@task(queue_name="default")
def sweep_clocks() -> int:
    """Every 30 s (okno/ops/periodic.py): fire due warnings and breaches."""
    from okno.sla.sweep import sweep

    return sweep()


@task(queue_name="default")
def rescore_open_tickets(limit: int = RESCORE_LIMIT) -> int:
    """Every 5 min: time to breach and age move with the clock, so refresh the scores of the
    active tickets scored longest ago (at most ``limit`` per run, so runs never pile up)."""
    from django.db.models import F

    from okno.tickets import actions
    from okno.tickets.models import ACTIVE_CATEGORIES, Ticket

    cutoff = timezone.now()
    stale = (
        Ticket.objects.filter(status_category__in=ACTIVE_CATEGORIES)
        .filter(Q(score_breakdown__isnull=True) | Q(score_breakdown__computed_at__lt=cutoff))
        .order_by(F("score_breakdown__computed_at").asc(nulls_first=True), "pk")
    )
    done = 0
    for ticket in stale[:limit]:
        actions.refresh_sla(ticket, actor=None)
        done += 1
    return done


@task(queue_name="default")
def apply_calendar_edit(calendar_version_id: int) -> int:
    """A calendar was edited: move open clocks on its older versions to the new one."""
    from okno.sla.actions import apply_calendar_edit as apply

    return apply(calendar_version_id)


@task(queue_name="default")
def send_notice(email_id: int) -> str:
    from okno.sla.notify import send

    return send(email_id)
