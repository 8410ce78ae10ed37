"""The manager dashboard and its CSV export (figures from ``reports.queries``, rollups only)."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import charts, queries
from .forms import DashboardForm

TABLES = ("team", "service", "agent", "day")
CSV_COLUMNS = (
    "created",
    "resolved",
    "backlog",
    "reopened",
    "reopen_rate",
    "first_responses",
    "first_response_avg_seconds",
    "first_response_median_seconds",
    "resolution_avg_seconds",
    "resolution_median_seconds",
    "sla_first_response_met",
    "sla_first_response_breached",
    "sla_first_response_percent",
    "sla_resolution_met",
    "sla_resolution_breached",
    "sla_resolution_percent",
    "csat_count",
    "csat_average",
)


def _form(request: HttpRequest) -> DashboardForm:
    if not queries.can_see_reports(request.user):
        raise PermissionDenied(_("Reports are for agents and managers."))
    data = request.GET.copy()
    if not data.get("period"):  # a bare link shows the last 30 days, dates alone a custom range
        data["period"] = "custom" if data.get("start") or data.get("end") else "30"
    return DashboardForm(data, user=request.user)  # type: ignore[arg-type]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Volumes, SLA compliance, response and resolution times, satisfaction and backlog."""
    form = _form(request)
    if not form.is_valid():
        return render(request, "reports/dashboard.html", {"form": form}, status=400)
    board = queries.dashboard(form.scope())
    context: dict[str, Any] = {
        "form": form,
        "board": board,
        "query": request.GET.urlencode(),
        "volume_chart": charts.volume_chart(
            board.days,
            _("Tickets created and resolved per day"),
            _("Bars per day: created, then resolved. The table below has the numbers."),
        ),
        "sla_chart": charts.compliance_chart(
            board.days,
            _("SLA compliance per day"),
            _("Lines: first response and resolution targets met, in percent of clocks stopped."),
        ),
    }
    return render(request, "reports/dashboard.html", context)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """One of the dashboard's tables as CSV (same period, filters and scope as the page)."""
    form = _form(request)
    table = request.GET.get("table", "team")
    if table not in TABLES or not form.is_valid():
        return HttpResponse(_("Unknown table or invalid period."), status=400)
    board = queries.dashboard(form.scope())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"okno-{table}-{board.scope.start}-{board.scope.end}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow([table, "id", *CSV_COLUMNS])
    if table == "day":
        for day, figures in board.days:
            writer.writerow([day.isoformat(), "", *(_cell(figures[c]) for c in CSV_COLUMNS)])
        return response
    for row in {"team": board.by_team, "service": board.by_service, "agent": board.by_agent}[table]:
        writer.writerow([_safe(row.label), row.key, *(_cell(row.figures[c]) for c in CSV_COLUMNS)])
    return response


def _cell(value: object) -> object:
    return "" if value is None else value


def _safe(text: str) -> str:
    """Names starting with = + - @ would run as formulas in a spreadsheet."""
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text
