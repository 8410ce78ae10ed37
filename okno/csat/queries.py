"""Satisfaction reports: SQL aggregates over ratings, scoped to what the viewer may see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from okno.accounts.models import User
from okno.accounts.queries import agent_team_ids, workable_tickets
from okno.tickets.models import StatusCategory

from .models import Rating

GROUPS = {
    # group -> (id column, label columns)
    "agent": ("agent_id", ("agent__full_name", "agent__email")),
    "team": ("team_id", ("team__name",)),
    "service": ("service_id", ("service__name",)),
}


def visible_ratings(user: User) -> QuerySet[Rating]:
    """Managers and administrators see every rating; agents their teams' and their own."""
    if not user.is_authenticated or not user.is_agent:
        return Rating.objects.none()
    if user.sees_all_tickets:
        return Rating.objects.all()
    return Rating.objects.filter(Q(team_id__in=agent_team_ids(user)) | Q(agent=user))


def in_period(ratings: QuerySet[Rating], start: datetime, end: datetime) -> QuerySet[Rating]:
    return ratings.filter(created_at__gte=start, created_at__lt=end)


def _measures() -> dict[str, Any]:
    return {
        "count": Count("id"),
        "average": Avg("score"),
        "satisfied": Count("id", filter=Q(score__gte=4)),
        "unhappy": Count("id", filter=Q(score__lte=2)),
    }


def summary(ratings: QuerySet[Rating]) -> dict[str, Any]:
    """Totals and the 1–5 distribution in one query."""
    per_score = {f"s{n}": Count("id", filter=Q(score=n)) for n in range(1, 6)}
    row = ratings.aggregate(**_measures(), **per_score)
    row["csat"] = _percent(row["satisfied"], row["count"])
    row["distribution"] = [
        (n, row[f"s{n}"], _percent(row[f"s{n}"], row["count"])) for n in range(1, 6)
    ]
    return row


def by_group(ratings: QuerySet[Rating], group: str) -> list[dict[str, Any]]:
    """One row per agent, team or service (one GROUP BY query), best average first."""
    key, labels = GROUPS[group]
    rows = list(
        ratings.values(key, *labels).annotate(**_measures()).order_by("-average", "-count", key)
    )
    for row in rows:
        row["id"] = row[key]
        row["label"] = next((row[col] for col in labels if row.get(col)), "")
        row["csat"] = _percent(row["satisfied"], row["count"])
    return rows


def resolved_count(user: User, start: datetime, end: datetime) -> int:
    """Resolutions in the period the viewer may see (for the response rate)."""
    return (
        workable_tickets(user)
        .filter(
            resolved_at__gte=start,
            resolved_at__lt=end,
            status_category__in=(StatusCategory.RESOLVED, StatusCategory.CLOSED),
        )
        .count()
    )


def recent_comments(ratings: QuerySet[Rating], limit: int = 20) -> list[Rating]:
    return list(
        ratings.exclude(comment="")
        .select_related("ticket", "agent", "requester")
        .order_by("-created_at", "-id")[:limit]
    )


def _percent(part: int | None, whole: int | None) -> float | None:
    return round(100.0 * (part or 0) / whole, 1) if whole else None
