"""The dashboard's figures over the API (the same rollups, scope and validation as the page)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from okno.api.errors import ApiError, error_responses, invalid

from . import queries
from .forms import DashboardForm

router = Router(tags=["reports"])


class SummaryQuery(Schema):
    from_: date | None = Field(None, alias="from", description="first day (reporting zone)")
    to: date | None = Field(None, description="last day, inclusive (default: today)")
    team: int | None = Field(None, description="a team id (agents: one of their teams)")
    service: int | None = Field(None, description="a service id")


class FiguresOut(Schema):
    created: int
    resolved: int
    closed: int
    reopened: int
    reopen_rate: float | None
    backlog: int
    first_responses: int
    first_response_avg_seconds: float | None
    first_response_median_seconds: float | None
    resolution_avg_seconds: float | None
    resolution_median_seconds: float | None
    sla_first_response_met: int
    sla_first_response_breached: int
    sla_first_response_percent: float | None
    sla_resolution_met: int
    sla_resolution_breached: int
    sla_resolution_percent: float | None
    csat_count: int
    csat_average: float | None
    csat_satisfied_percent: float | None


class DayOut(FiguresOut):
    day: date


class GroupOut(FiguresOut):
    id: int
    name: str


class SummaryOut(Schema):
    start: date
    end: date
    teams: list[int] | None = Field(description="team ids included; null means every team")
    service: int | None
    totals: FiguresOut
    days: list[DayOut]
    by_team: list[GroupOut]
    by_service: list[GroupOut]
    by_agent: list[GroupOut]
    backlog_at: datetime | None = Field(None, description="when the backlog was counted")
    figures_at: datetime | None = Field(None, description="when the event log was last folded")


@router.get(
    "/reports/summary",
    response={200: SummaryOut, **error_responses(400, 401, 403, 429)},
    summary="Dashboard figures for a period",
    operation_id="reports_summary",
)
def summary(request: HttpRequest, filters: Query[SummaryQuery]) -> Any:
    """Volumes, SLA compliance, response and resolution times, satisfaction, reopen rate and
    the current backlog, in total, per day, per team, per service and per agent (the manager
    dashboard's figures; docs/reports.md says what each one means). Days are calendar days in
    the desk's reporting zone; ``from``/``to`` default to the last 30 days; a period is at
    most a year. Agents and team leads see their teams only; requesters get 403."""
    user = request.auth  # type: ignore[attr-defined]
    data = {"period": "custom" if filters.from_ or filters.to else "30"}
    data |= {k: v for k, v in {"start": filters.from_, "end": filters.to}.items() if v}
    data |= {k: v for k, v in {"team": filters.team, "service": filters.service}.items() if v}
    try:
        form = DashboardForm(data, user=user)
    except PermissionDenied:
        raise ApiError(403, _("Reports are for agents and managers.")) from None
    if not form.is_valid():
        names = {"start": "from", "end": "to"}
        fields = {names.get(k, k): v for k, v in form.errors.items() if k != "__all__"}
        raise invalid(fields)
    board = queries.dashboard(form.scope())
    return {
        "start": board.scope.start,
        "end": board.scope.end,
        "teams": board.scope.teams,
        "service": board.scope.service,
        "totals": board.totals,
        "days": [{"day": day, **figures} for day, figures in board.days],
        "by_team": [_group(r) for r in board.by_team],
        "by_service": [_group(r) for r in board.by_service],
        "by_agent": [_group(r) for r in board.by_agent],
        "backlog_at": board.backlog_at,
        "figures_at": board.folded_at,
    }


def _group(row: queries.Row) -> dict[str, Any]:
    return {"id": row.key, "name": row.label, **row.figures}
