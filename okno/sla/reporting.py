"""SLA compliance reports: SQL aggregates over ``SlaClock`` rows (never loops over tickets).

A clock counts in a period when it **started** in it. Finished clocks are met, breached-met, or
breached and still running (a breach is final even before the ticket is answered); running and
paused clocks that have not breached yet are "open" and not counted in the share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.accounts.models import Role
from okno.sla.models import ClockState, SlaClock

GROUPS = {
    "service": ("ticket__service__name", _("Service")),
    "organization": ("ticket__organization__name", _("Organization")),
    "team": ("ticket__team__name", _("Team")),
    "priority": ("priority", _("Priority")),
    "month": ("month", _("Month")),
}
OPEN_UNBREACHED = (ClockState.RUNNING, ClockState.PAUSED)


def breached_q(now: datetime) -> Q:
    """Breached: marked so, or still open past its due time (the sweep may not have run yet;
    the badge's rule in ``sla.queries.view``)."""
    return Q(state__in=[ClockState.BREACHED_MET, ClockState.BREACHED_RUNNING]) | Q(
        state__in=OPEN_UNBREACHED, due_at__lte=now
    )


def finished_q(now: datetime) -> Q:
    return Q(state=ClockState.MET) | breached_q(now)


def can_manage_sla(user: Any) -> bool:
    """Managers and administrators edit calendars and read compliance reports."""
    return bool(
        getattr(user, "is_active", False)
        and (getattr(user, "is_superuser", False) or getattr(user, "role", "") in _MANAGERS)
    )


_MANAGERS = {Role.MANAGER, Role.ADMIN}


def clocks_in_period(
    since: datetime | None = None, until: datetime | None = None, *, kind: str = ""
) -> QuerySet[SlaClock]:
    qs = SlaClock.objects.exclude(state=ClockState.CANCELLED)
    if since is not None:
        qs = qs.filter(started_at__gte=since)
    if until is not None:
        qs = qs.filter(started_at__lt=until)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


@dataclass(frozen=True)
class ComplianceRow:
    group: Any
    kind: str
    total: int  # finished clocks
    met: int
    breached: int
    open: int
    penalty: Decimal

    @property
    def share_met(self) -> float | None:
        return self.met / self.total if self.total else None

    @property
    def percent_met(self) -> str:
        share = self.share_met
        return "" if share is None else f"{100 * share:.1f}"


def compliance(
    by: str = "service",
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: str = "",
    now: datetime | None = None,
) -> list[ComplianceRow]:
    """Share of finished clocks meeting their target per group and target: one query."""
    now = now or timezone.now()
    breached, finished = breached_q(now), finished_q(now)
    unbreached = Q(state__in=OPEN_UNBREACHED) & (Q(due_at__isnull=True) | Q(due_at__gt=now))
    field = GROUPS[by][0]
    qs = clocks_in_period(since, until, kind=kind)
    if by == "month":
        qs = qs.annotate(month=TruncMonth("started_at"))
    money = DecimalField(max_digits=14, decimal_places=2)
    rows = (
        qs.values(field, "kind")
        .annotate(
            total=Count("pk", filter=finished),
            met=Count("pk", filter=Q(state=ClockState.MET)),
            breached=Count("pk", filter=breached),
            open=Count("pk", filter=unbreached),
            penalty=Coalesce(
                Sum(F("policy_version__policy__penalty_per_breach"), filter=breached),
                Value(Decimal(0)),
                output_field=money,
            ),
        )
        .order_by(field, "kind")
    )
    return [
        ComplianceRow(
            group=row[field],
            kind=row["kind"],
            total=row["total"],
            met=row["met"],
            breached=row["breached"],
            open=row["open"],
            penalty=Decimal(row["penalty"]).quantize(Decimal("0.01")),
        )
        for row in rows
    ]


def totals(rows: list[ComplianceRow]) -> dict[str, Any]:
    total = sum(r.total for r in rows)
    met = sum(r.met for r in rows)
    return {
        "total": total,
        "met": met,
        "breached": sum(r.breached for r in rows),
        "open": sum(r.open for r in rows),
        "penalty": sum((r.penalty for r in rows), Decimal("0.00")),
        "percent_met": f"{100 * met / total:.1f}" if total else "",
    }


def breaches(
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    kind: str = "",
    limit: int = 500,
    now: datetime | None = None,
) -> list[SlaClock]:
    """Breached clocks of the period, latest due first, with what a reason line needs."""
    return list(
        clocks_in_period(since, until, kind=kind)
        .filter(breached_q(now or timezone.now()))
        .select_related(
            "ticket__service",
            "ticket__organization",
            "ticket__team",
            "ticket__assignee",
            "policy_version__policy",
        )
        .order_by(F("due_at").desc(nulls_last=True), "-pk")[:limit]
    )


def breach_reason(clock: SlaClock, now: datetime) -> str:
    """Why a clock breached, in words: met late (by how much) or still not met."""
    from django.utils.timesince import timesince

    if clock.due_at is None:
        return str(_("Breached"))
    if clock.state == ClockState.BREACHED_MET and clock.met_at is not None:
        late = timesince(clock.due_at, clock.met_at)
        return str(_("%(target)s met late, %(late)s after the due time")) % {
            "target": clock.get_kind_display(),
            "late": late,
        }
    return str(_("%(target)s not met; overdue by %(late)s")) % {
        "target": clock.get_kind_display(),
        "late": timesince(clock.due_at, now),
    }
