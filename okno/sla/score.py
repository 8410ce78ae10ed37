"""The weighted queue score of a ticket, from its SLA clocks, through ``priority.scoring``.

``Ticket.score`` holds the queue order value: the 0..100 score plus 100 when an SLA target is
breached, so one descending index sort gives "breached first, then by score" (SLA.md "Priority
and queue order"). ``priority.TicketScore`` keeps the per-factor breakdown for the ticket page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.priority import scoring
from okno.priority.models import ScoreSettings, TicketScore
from okno.sla.clocks import refresh_ticket, remaining
from okno.sla.models import SlaClock
from okno.tickets.models import Ticket

BREACHED_BONUS = 100.0


def weights_and_norms(
    settings: ScoreSettings | None = None,
) -> tuple[scoring.Weights, scoring.Norms]:
    settings = settings or ScoreSettings.current()
    try:
        weights = scoring.Weights.from_mapping(settings.weights or {})
    except scoring.ScoringError:
        weights = scoring.Weights.default()
    norms = scoring.Norms(
        penalty_cap=float(settings.penalty_cap),
        users_cap=int(settings.users_cap),
        age_horizon=timedelta(days=settings.age_horizon_days or 14),
    )
    return weights, norms


def _penalty(clock: SlaClock | None) -> Decimal:
    if clock is None:
        return Decimal(0)
    try:
        return Decimal(clock.policy_version.snapshot.get("penalty", "0"))
    except (InvalidOperation, TypeError):
        return Decimal(0)


def score_input(ticket: Ticket, clocks: Sequence[SlaClock], now: datetime) -> scoring.ScoreInput:
    """The raw facts: the most pressing open clock (least of its target left) and the ticket."""
    pressing: SlaClock | None = None
    best: float | None = None
    left: timedelta | None = None
    for clock in clocks:
        if not clock.is_open or clock.target_seconds <= 0 or clock.target_seconds >= 1e17:
            continue
        rest = remaining(clock, now)
        fraction = rest.total_seconds() / clock.target_seconds
        if best is None or fraction < best:
            pressing, best, left = clock, fraction, rest
    affected = ticket.custom_fields.get("affected_users", 1) if ticket.custom_fields else 1
    if not isinstance(affected, int) or isinstance(affected, bool) or affected < 0:
        affected = 1
    organization = ticket.organization
    return scoring.ScoreInput(
        priority=max(1, int(ticket.priority)),
        sla_remaining=left,
        sla_target=None if pressing is None else timedelta(seconds=pressing.target_seconds),
        tier=1 if organization is not None and organization.vip else 0,
        penalty=_penalty(pressing),
        affected_users=affected,
        age=max(timedelta(0), now - ticket.created_at),
    )


def compute(
    ticket: Ticket, clocks: Sequence[SlaClock], now: datetime, settings: ScoreSettings | None = None
) -> scoring.ScoreBreakdown:
    weights, norms = weights_and_norms(settings)
    return scoring.score(score_input(ticket, clocks, now), weights, norms)


def queue_value(breakdown: scoring.ScoreBreakdown) -> float:
    return breakdown.total + (BREACHED_BONUS if breakdown.breached else 0.0)


def score_row(ticket: Ticket, breakdown: scoring.ScoreBreakdown, now: datetime) -> TicketScore:
    factors = [
        {"name": f.name, "value": f.value, "weight": f.weight, "contribution": f.contribution}
        for f in breakdown.factors
    ]
    return TicketScore(
        ticket_id=ticket.pk,
        total=breakdown.total,
        breached=breakdown.breached,
        factors=factors,
        computed_at=now,
    )


def plan(ticket: Ticket, clocks: Sequence[SlaClock], now: datetime) -> tuple[TicketScore, float]:
    """The score row of a ticket being opened (unsaved) and its queue value."""
    breakdown = compute(ticket, clocks, now)
    return score_row(ticket, breakdown, now), queue_value(breakdown)


def store(ticket: Ticket, breakdown: scoring.ScoreBreakdown, now: datetime) -> float:
    # One INSERT … ON CONFLICT DO UPDATE instead of update_or_create's select and savepoints:
    # this runs inside every ticket write.
    TicketScore.objects.bulk_create(
        [score_row(ticket, breakdown, now)],
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=["total", "breached", "factors", "computed_at"],
    )
    return queue_value(breakdown)


def refresh(
    ticket: Ticket,
    *,
    now: datetime | None = None,
    latest: bool = False,
    fresh_events: Sequence[Any] | None = None,
) -> float:
    """Refresh the ticket's clocks and score; return the queue value for ``Ticket.score``.

    Called by ``tickets.actions`` only (inside their transaction, the ticket locked);
    ``fresh_events`` is the whole log of a ticket created in that transaction.
    """
    now = now or timezone.now()
    clocks = refresh_ticket(ticket, now=now, latest=latest, fresh_events=fresh_events)
    return store(ticket, compute(ticket, clocks, now), now)


# --- administration ------------------------------------------------------------------------------


@transaction.atomic
def save_score_settings(
    *,
    actor: Any,
    weights: dict[str, float] | None = None,
    ahp_matrix: list[list[float]] | None = None,
    penalty_cap: float | None = None,
    users_cap: int | None = None,
    age_horizon_days: int | None = None,
) -> ScoreSettings:
    """Set the weights directly, or derive them from a pairwise matrix (CR must be < 0.1)."""
    settings = ScoreSettings.objects.select_for_update().filter(pk=1).first() or ScoreSettings(pk=1)
    if ahp_matrix is not None:
        if len(ahp_matrix) != len(scoring.FACTORS):
            raise ValidationError(
                {"ahp_matrix": _("Compare all %(n)d factors.") % {"n": len(scoring.FACTORS)}}
            )
        try:
            result = scoring.ahp_weights(ahp_matrix)
            derived = scoring.weights_from_ahp(result, scoring.FACTORS)
        except scoring.ScoringError as exc:
            raise ValidationError({"ahp_matrix": str(exc)}) from None
        settings.mode = ScoreSettings.Mode.AHP
        settings.ahp_matrix = [[float(x) for x in row] for row in ahp_matrix]
        settings.consistency_ratio = result.consistency_ratio
        settings.weights = derived.as_dict()
    elif weights is not None:
        try:
            settings.weights = scoring.Weights.from_mapping(weights).as_dict()
        except scoring.ScoringError as exc:
            raise ValidationError({"weights": str(exc)}) from None
        settings.mode = ScoreSettings.Mode.DIRECT
        settings.ahp_matrix = None
        settings.consistency_ratio = None
    if penalty_cap is not None:
        settings.penalty_cap = penalty_cap
    if users_cap is not None:
        settings.users_cap = users_cap
    if age_horizon_days is not None:
        settings.age_horizon_days = age_horizon_days
    try:
        scoring.Norms(
            penalty_cap=float(settings.penalty_cap),
            users_cap=int(settings.users_cap),
            age_horizon=timedelta(days=settings.age_horizon_days),
        )
    except scoring.ScoringError as exc:
        raise ValidationError({"penalty_cap": str(exc)}) from None
    settings.save()
    return settings
