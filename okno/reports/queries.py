"""The dashboard's figures: a fixed handful of ``GROUP BY`` queries over the rollup tables only.

Nothing here touches tickets or events, so the page costs the same at 5,000 and 5,000,000
tickets; the breakdowns by day, team and service come from one query at (day, team, service)
grain, summed up in Python (a month is at most a few thousand small rows).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Max, QuerySet, Sum
from django.utils.translation import gettext as _

from okno.accounts.models import Team, User
from okno.accounts.queries import agent_team_ids
from okno.catalog.models import Service

from .models import (
    BUCKET_EDGES,
    BUCKETS,
    COUNTERS,
    BacklogSnapshot,
    CsatDaily,
    DailyRollup,
    RollupState,
)

MAX_DAYS = 366
CSAT_COUNTERS = ("ratings", "score_sum", "satisfied", "unhappy")


def can_see_reports(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_agent)


def allowed_teams(user: User) -> list[int] | None:
    """Team ids whose figures ``user`` may see; ``None`` means every team (managers, admins).
    Agents and team leads see their own teams; everyone else is refused."""
    if not can_see_reports(user):
        raise PermissionDenied(_("Reports are for agents and managers."))
    if user.sees_all_tickets:
        return None
    return agent_team_ids(user)


@dataclass(frozen=True)
class Scope:
    start: date
    end: date  # inclusive
    teams: list[int] | None  # None: all teams
    service: int | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def scoped(rows: QuerySet[Any], scope: Scope, *, dated: bool = True) -> QuerySet[Any]:
    if dated:
        rows = rows.filter(day__gte=scope.start, day__lte=scope.end)
    if scope.teams is not None:
        rows = rows.filter(team_id__in=scope.teams)
    if scope.service is not None:
        rows = rows.filter(service_id=scope.service)
    return rows


def median_seconds(buckets: Iterable[int]) -> float | None:
    """The median estimated from histogram buckets (linear inside the bucket); the open last
    bucket answers with its lower edge."""
    counts = list(buckets)
    total = sum(counts)
    if not total:
        return None
    half, seen = total / 2, 0
    for n, count in enumerate(counts):
        if count and seen + count >= half:
            low = BUCKET_EDGES[n - 1] if n else 0
            if n >= len(BUCKET_EDGES):
                return float(low)
            return low + (BUCKET_EDGES[n] - low) * (half - seen) / count
        seen += count
    return float(BUCKET_EDGES[-1])


def _percent(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class Figures:
    """Sums of the rollup counters for one slice, with the derived rates."""

    sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    csat: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CSAT_COUNTERS, 0))
    backlog: int = 0

    def add(self, row: dict[str, Any]) -> None:
        sums = self.sums
        for name in COUNTERS:
            value = row[name]
            if value:
                sums[name] += value

    def add_csat(self, row: dict[str, Any]) -> None:
        for name in CSAT_COUNTERS:
            self.csat[name] += row.get(name) or 0

    def __getattr__(self, name: str) -> Any:
        if name in COUNTERS:
            return self.sums[name]
        raise AttributeError(name)

    def as_dict(self) -> dict[str, Any]:
        s = self.sums
        return {
            "created": int(s["created"]),
            "resolved": int(s["resolved"]),
            "closed": int(s["closed"]),
            "reopened": int(s["reopened"]),
            "reopen_rate": _percent(s["reopened"], s["resolved"]),
            "backlog": self.backlog,
            "first_responses": int(s["responses"]),
            "first_response_avg_seconds": self._avg("response_seconds", "responses"),
            "first_response_median_seconds": median_seconds(
                s[f"response_b{n}"] for n in range(BUCKETS)
            ),
            "resolution_avg_seconds": self._avg("resolution_seconds", "resolved"),
            "resolution_median_seconds": median_seconds(
                s[f"resolution_b{n}"] for n in range(BUCKETS)
            ),
            "sla_first_response_met": int(s["sla_response_met"]),
            "sla_first_response_breached": int(s["sla_response_breached"]),
            "sla_first_response_percent": _percent(
                s["sla_response_met"], s["sla_response_met"] + s["sla_response_breached"]
            ),
            "sla_resolution_met": int(s["sla_resolution_met"]),
            "sla_resolution_breached": int(s["sla_resolution_breached"]),
            "sla_resolution_percent": _percent(
                s["sla_resolution_met"], s["sla_resolution_met"] + s["sla_resolution_breached"]
            ),
            "csat_count": self.csat["ratings"],
            "csat_average": round(self.csat["score_sum"] / self.csat["ratings"], 2)
            if self.csat["ratings"]
            else None,
            "csat_satisfied_percent": _percent(self.csat["satisfied"], self.csat["ratings"]),
        }

    def _avg(self, total: str, count: str) -> float | None:
        return round(self.sums[total] / self.sums[count], 1) if self.sums[count] else None


def _sums(names: Iterable[str]) -> dict[str, Sum]:
    return {name: Sum(name) for name in names}


@dataclass
class Row:
    key: int | str
    label: str
    figures: dict[str, Any]


@dataclass
class Dashboard:
    scope: Scope
    totals: dict[str, Any]
    days: list[tuple[date, dict[str, Any]]]
    by_team: list[Row]
    by_service: list[Row]
    by_agent: list[Row]
    backlog_at: datetime | None
    backlog_by_priority: list[tuple[int, int]]
    folded_at: datetime | None


def dashboard(scope: Scope) -> Dashboard:
    """Every figure of the page in six queries over the rollups (and one for names)."""
    total, per_day = Figures(), defaultdict(Figures)
    per_team: dict[int, Figures] = defaultdict(Figures)
    per_service: dict[int, Figures] = defaultdict(Figures)
    grain = scoped(DailyRollup.objects.all(), scope).values("day", "team_id", "service_id")
    for row in grain.annotate(**_sums(COUNTERS)).order_by():
        for bucket in (total, per_day[row["day"]], per_team[row["team_id"]]):
            bucket.add(row)
        per_service[row["service_id"]].add(row)
    ratings = scoped(CsatDaily.objects.all(), scope).values("team_id", "service_id", "agent_id")
    per_agent: dict[int, Figures] = defaultdict(Figures)
    for row in ratings.annotate(**_sums(CSAT_COUNTERS)).order_by():
        for bucket in (total, per_team[row["team_id"]], per_service[row["service_id"]]):
            bucket.add_csat(row)
        per_agent[row["agent_id"]].add_csat(row)
    agents = scoped(DailyRollup.objects.all(), scope).values("assignee_id")
    for row in agents.annotate(**_sums(COUNTERS)).order_by():
        per_agent[row["assignee_id"]].add(row)
    latest = BacklogSnapshot.objects.aggregate(day=Max("day"))["day"]
    by_priority: dict[int, int] = defaultdict(int)
    if latest is not None:
        snapshot = scoped(BacklogSnapshot.objects.filter(day=latest), scope, dated=False)
        for row in snapshot.values("team_id", "service_id", "priority", "tickets"):
            total.backlog += row["tickets"]
            per_team[row["team_id"]].backlog += row["tickets"]
            per_service[row["service_id"]].backlog += row["tickets"]
            by_priority[row["priority"]] += row["tickets"]
    state = RollupState.objects.filter(pk=1).values("folded_at", "backlog_at", "rebuilt_at")
    marks = state.first() or {}
    names = _names(per_team, per_service, per_agent)
    day = scope.start
    days = []
    while day <= scope.end:
        days.append((day, per_day[day].as_dict()))
        day += timedelta(days=1)
    return Dashboard(
        scope=scope,
        totals=total.as_dict(),
        days=days,
        by_team=_rows(per_team, names["team"], "created"),
        by_service=_rows(per_service, names["service"], "created"),
        by_agent=_rows({k: v for k, v in per_agent.items() if k}, names["agent"], "resolved"),
        backlog_at=marks.get("backlog_at"),
        backlog_by_priority=sorted(by_priority.items()),
        folded_at=max(
            (m for m in (marks.get("folded_at"), marks.get("rebuilt_at")) if m), default=None
        ),
    )


def _names(
    teams: dict[int, Figures], services: dict[int, Figures], agents: dict[int, Figures]
) -> dict[str, dict[int, str]]:
    """Display names of the ids in the rows (three small primary-key lookups)."""
    out: dict[str, dict[int, str]] = {
        "team": dict(Team.objects.filter(pk__in=list(teams)).values_list("pk", "name")),
        "service": dict(Service.objects.filter(pk__in=list(services)).values_list("pk", "name")),
        "agent": {},
    }
    for pk, name, email in User.objects.filter(pk__in=list(agents)).values_list(
        "pk", "full_name", "email"
    ):
        out["agent"][pk] = name or email
    return out


def _rows(groups: dict[int, Figures], names: dict[int, str], order: str) -> list[Row]:
    rows = []
    for key, figures in groups.items():
        label = names.get(key) or (_("None") if not key else _("Deleted (#%(id)s)") % {"id": key})
        rows.append(Row(key=key, label=label, figures=figures.as_dict()))
    rows.sort(key=lambda r: (-(r.figures[order] or 0), -(r.figures["backlog"] or 0), r.label))
    return rows
