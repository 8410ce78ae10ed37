"""SLA pages: the calendar editor, the explain fragment, the compliance report, the SLA document.

Calendars and reports are for managers and administrators (others signed in get 403); the
explain fragment is for agents who may see the ticket (``get_ticket_for``); the SLA document
is for agents. Writes go through ``sla.calendar_actions``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from functools import wraps
from typing import Any
from zoneinfo import available_timezones

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from okno.accounts.queries import get_ticket_for
from okno.sla import calendar_actions, reporting
from okno.sla.businesstime import WEEKDAYS
from okno.sla.calendar_import import ImportFileError, parse_csv, parse_ics, parse_windows
from okno.sla.models import Calendar, CalendarSource, SlaPolicy, TargetKind
from okno.sla.queries import explain as explain_ticket
from okno.sla.queries import policies_overview

MAX_IMPORT_BYTES = 1024 * 1024
WEEKDAY_LABELS = {
    "mon": gettext_lazy("Monday"),
    "tue": gettext_lazy("Tuesday"),
    "wed": gettext_lazy("Wednesday"),
    "thu": gettext_lazy("Thursday"),
    "fri": gettext_lazy("Friday"),
    "sat": gettext_lazy("Saturday"),
    "sun": gettext_lazy("Sunday"),
}


def _role_required(
    check: Callable[[Any], bool],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


manager_required = _role_required(reporting.can_manage_sla)
agent_required = _role_required(lambda user: bool(user.is_agent))


# --- calendars --------------------------------------------------------------------------------


@manager_required
@require_http_methods(["GET", "POST"])
def calendars(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        zone = request.POST.get("timezone", "").strip() or "UTC"
        if not name:
            errors["name"] = _("Give the calendar a name.")
        elif zone not in available_timezones():
            errors["timezone"] = _("Unknown time zone: %s") % zone
        else:
            try:
                cal = calendar_actions.create_calendar(name=name, timezone=zone, actor=request.user)
            except ValidationError as exc:
                errors = _flat(exc)
            else:
                messages.success(request, _("Calendar created."))
                return redirect("sla:calendar", cal.pk)
    return render(
        request,
        "sla/calendars.html",
        {"calendars": Calendar.objects.order_by("name"), "errors": errors, "post": request.POST},
        status=400 if errors else 200,
    )


def _flat(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {
            k: " ".join(str(m) for e in v for m in e.messages) for k, v in exc.error_dict.items()
        }
    return {"form": " ".join(exc.messages)}


def _day(raw: str, field: str = "date") -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError({field: _("Expected a date as YYYY-MM-DD.")}) from None


def _windows(raw: str, field: str) -> list[tuple[str, str]]:
    try:
        return list(parse_windows(raw, 0, field))
    except ImportFileError as exc:
        raise ValidationError({field: exc.message}) from None


def _years(raw: str) -> list[int]:
    years: list[int] = []
    for part in raw.replace(",", " ").split():
        if "-" in part:
            lo, _dash, hi = part.partition("-")
            if not (lo.isdigit() and hi.isdigit()) or int(hi) < int(lo):
                raise ValidationError({"years": _("Expected years like 2026 or 2026-2027.")})
            years.extend(range(int(lo), int(hi) + 1))
        elif part.isdigit():
            years.append(int(part))
        else:
            raise ValidationError({"years": _("Expected years like 2026 or 2026-2027.")})
        if len(years) > 50:
            break
    return years


def _apply(request: HttpRequest, cal: Calendar) -> str:
    """Run the editor operation the form asked for; returns the success message."""
    op = request.POST.get("op", "")
    post = request.POST
    actor = request.user
    if op == "hours":
        grid = {d: _windows(post.get(f"hours_{d}", ""), f"hours_{d}") for d in WEEKDAYS}
        zone = post.get("timezone", cal.timezone).strip()
        if zone not in available_timezones():
            raise ValidationError({"timezone": _("Unknown time zone: %s") % zone})
        calendar_actions.set_weekly_hours(cal, grid, timezone=zone, actor=actor)
        return _("Weekly hours saved.")
    if op == "holiday_add":
        added = calendar_actions.add_holidays(cal, [_day(post.get("date", ""))], actor=actor)
        return _("Holiday added.") if added else _("That date already was a holiday.")
    if op == "holiday_remove":
        calendar_actions.remove_holiday(cal, _day(post.get("date", "")), actor=actor)
        return _("Holiday removed.")
    if op in ("shift_set", "break_set"):
        field = "shift_hours" if op == "shift_set" else "break_hours"
        day, windows = _day(post.get("date", "")), _windows(post.get(field, ""), field)
        if not windows:
            raise ValidationError({field: _("Give at least one window, e.g. 09:00-15:00.")})
        if op == "shift_set":
            calendar_actions.set_shift(cal, day, windows, actor=actor)
            return _("Shifted day saved.")
        calendar_actions.set_break(cal, day, windows, actor=actor)
        return _("Break saved.")
    if op == "shift_remove":
        calendar_actions.remove_shift(cal, _day(post.get("date", "")), actor=actor)
        return _("Shifted day removed.")
    if op == "break_remove":
        calendar_actions.remove_break(cal, _day(post.get("date", "")), actor=actor)
        return _("Break removed.")
    if op == "seed":
        years = _years(post.get("years", ""))
        added = calendar_actions.seed_holidays(cal, post.get("country", ""), years, actor=actor)
        return _("%d holidays added.") % added
    if op == "import":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": _("Choose an .ics or .csv file.")})
        if upload.size is None or upload.size > MAX_IMPORT_BYTES:
            raise ValidationError({"file": _("The file is larger than 1 MB.")})
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"file": _("The file is not UTF-8 text.")}) from None
        name = (upload.name or "").lower()
        is_ics = name.endswith(".ics") or text.lstrip().upper().startswith("BEGIN:VCALENDAR")
        try:
            entries = parse_ics(text) if is_ics else parse_csv(text)
        except ImportFileError as exc:
            raise ValidationError({"file": str(exc)}) from None
        count = calendar_actions.import_days(cal, entries, actor=actor)
        return _("%d dates imported.") % count
    raise ValidationError({"op": _("Unknown operation.")})


@manager_required
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest, pk: int) -> HttpResponse:
    cal = get_object_or_404(Calendar, pk=pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            message = _apply(request, cal)
        except ValidationError as exc:
            errors = _flat(exc)
        else:
            messages.success(request, message)
            return redirect("sla:calendar", cal.pk)
        cal.refresh_from_db()
    hours = cal.hours or {}
    grid = [
        (d, WEEKDAY_LABELS[d], " ".join(f"{a}-{b}" for a, b in hours.get(d, []))) for d in WEEKDAYS
    ]
    if request.method == "POST" and request.POST.get("op") == "hours":
        grid = [(d, label, request.POST.get(f"hours_{d}", "")) for d, label, _v in grid]
    return render(
        request,
        "sla/calendar.html",
        {
            "cal": cal,
            "grid": grid,
            "holidays": sorted(cal.holidays or []),
            "shifts": sorted((cal.shifts or {}).items()),
            "breaks": sorted((cal.breaks or {}).items()),
            "errors": errors,
            "post": request.POST,
            "countries": calendar_actions.supported_countries(),
            "this_year": timezone.localdate().year,
            "versions": cal.versions.order_by("-version")[:10],
        },
        status=400 if errors else 200,
    )


# --- the ticket page's explain fragment -------------------------------------------------------


@agent_required
@require_GET
def explain(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket_for(request.user, pk)
    return render(request, "sla/explain.html", {"x": explain_ticket(ticket), "ticket": ticket})


# --- compliance report ------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[date, date, dict[str, str]]:
    errors = {}
    today = timezone.localdate()
    since_d, until_d = today.replace(day=1), today
    for name in ("since", "until"):
        raw = request.GET.get(name, "").strip()
        if raw:
            try:
                value = date.fromisoformat(raw)
            except ValueError:
                errors[name] = _("Expected a date as YYYY-MM-DD.")
                continue
            if name == "since":
                since_d = value
            else:
                until_d = value
    if until_d < since_d:
        errors["until"] = _("The end is before the start.")
        until_d = since_d
    return since_d, until_d, errors


def _bounds(since_d: date, until_d: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(since_d, time.min, tzinfo=zone),
        datetime.combine(until_d + timedelta(days=1), time.min, tzinfo=zone),
    )


def _csv_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@manager_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by", "service")
    by = by if by in reporting.GROUPS else "service"
    kind = request.GET.get("kind", "")
    kind = kind if kind in TargetKind.values else ""
    since_d, until_d, errors = _period(request)
    since, until = _bounds(since_d, until_d)
    rows = reporting.compliance(by, since=since, until=until, kind=kind)
    kind_labels = dict(TargetKind.choices)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="sla-{by}-{since_d.isoformat()}-{until_d.isoformat()}.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(
            [by, "target", "finished", "met", "breached", "open", "percent_met", "penalty"]
        )
        for row in rows:
            group = row.group.date().isoformat() if isinstance(row.group, datetime) else row.group
            writer.writerow(
                [
                    _csv_safe(group if group not in (None, "") else "-"),
                    row.kind,
                    row.total,
                    row.met,
                    row.breached,
                    row.open,
                    row.percent_met,
                    row.penalty,
                ]
            )
        return response
    now = timezone.now()
    if request.GET.get("format") == "breaches-csv":
        return _breaches_csv(since_d, until_d, reporting.breaches(since, until, kind=kind), now)
    breached = reporting.breaches(since, until, kind=kind, limit=200)
    return render(
        request,
        "sla/report.html",
        {
            "rows": rows,
            "totals": reporting.totals(rows),
            "by": by,
            "groups": [(k, label) for k, (_f, label) in reporting.GROUPS.items()],
            "group_label": reporting.GROUPS[by][1],
            "kind": kind,
            "kinds": TargetKind.choices,
            "kind_labels": kind_labels,
            "since": since_d,
            "until": until_d,
            "errors": errors,
            "breaches": [(c, reporting.breach_reason(c, now)) for c in breached],
        },
    )


BREACH_COLUMNS = (
    "ticket",
    "title",
    "service",
    "organization",
    "team",
    "assignee",
    "target",
    "priority",
    "started_at",
    "due_at",
    "met_at",
    "policy",
    "penalty",
    "reason",
)


def _breaches_csv(since_d: date, until_d: date, clocks: list[Any], now: datetime) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="sla-breaches-{since_d.isoformat()}-{until_d.isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(BREACH_COLUMNS)
    for c in clocks:
        t = c.ticket
        writer.writerow(
            [
                t.pk,
                _csv_safe(t.title),
                _csv_safe(t.service.name if t.service else ""),
                _csv_safe(t.organization.name if t.organization else ""),
                _csv_safe(t.team.name if t.team else ""),
                _csv_safe(t.assignee.email if t.assignee else ""),
                c.kind,
                c.priority or "",
                c.started_at.isoformat(),
                c.due_at.isoformat() if c.due_at else "",
                c.met_at.isoformat() if c.met_at else "",
                _csv_safe(c.policy_version.policy.name),
                c.policy_version.policy.penalty_per_breach,
                _csv_safe(reporting.breach_reason(c, now)),
            ]
        )
    return response


# --- the SLA document -------------------------------------------------------------------------


@agent_required
@require_GET
def document(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policies = policies_overview()
    if pk is not None:
        policy = SlaPolicy.objects.filter(pk=pk, is_active=True).first()
        if policy is None:
            raise Http404("No such policy")
        policies = [p for p in policies if p.name == policy.name]
    from okno.catalog.models import Service

    services = Service.objects.select_related("owner_team").order_by("name")
    calendars = {p.calendar["name"]: p.calendar for p in policies if p.calendar}
    return render(
        request,
        "sla/document.html",
        {
            "policies": [_document_policy(p) for p in policies],
            "services": services,
            "calendars": [_document_calendar(c) for c in calendars.values()],
            "single": pk is not None,
            "generated": timezone.now(),
            "policy_ids": dict(SlaPolicy.objects.values_list("name", "pk")),
        },
    )


def _duration_text(target: dict[str, Any]) -> str:
    days = target.get("business_days") or 0
    if days:
        return _("%d business days") % days
    seconds = int(target.get("seconds") or 0)
    if seconds % 3600 == 0 and seconds:
        return _("%d business hours") % (seconds // 3600)
    return _("%d business minutes") % (seconds // 60)


def _document_policy(p: Any) -> dict[str, Any]:
    kinds = dict(TargetKind.choices)
    priorities = sorted({t.get("priority") for t in p.targets}, key=lambda v: (v is None, v or 0))
    matrix = []
    for prio in priorities:
        cells = {}
        for t in p.targets:
            if t.get("priority") == prio:
                cells[t["kind"]] = t
        matrix.append(
            {
                "priority": prio,
                "cells": [(k, _duration_text(cells[k]) if k in cells else None) for k in kinds],
            }
        )
    used_kinds = [k for k in kinds if any(t["kind"] == k for t in p.targets)]
    pauses = {}
    for t in p.targets:
        if t.get("pause"):
            pauses.setdefault(kinds.get(t["kind"], t["kind"]), set()).update(t["pause"])
    return {
        "o": p,
        "kinds": [(k, kinds[k]) for k in used_kinds],
        "matrix": [
            {"priority": r["priority"], "cells": [c for c in r["cells"] if c[0] in used_kinds]}
            for r in matrix
        ],
        "pauses": {k: sorted(v) for k, v in pauses.items()},
        "warn": sorted({w for t in p.targets for w in t.get("warn", [])}),
        "reopen": sorted({t.get("reopen", "continue") for t in p.targets}),
        "calendar_source": dict(CalendarSource.choices).get(p.calendar_source, p.calendar_source),
        "penalty": p.penalty_per_breach if p.penalty_per_breach not in ("0", "0.00") else "",
    }


def _document_calendar(c: dict[str, Any]) -> dict[str, Any]:
    hours = c.get("hours") or {}
    weekly = hours_total = 0.0
    rows = []
    for d in WEEKDAYS:
        spans = hours.get(d, []) if hours else [["00:00", "24:00"]]
        for a, b in spans:
            ah, am = (int(x) for x in a.split(":"))
            bh, bm = (int(x) for x in b.split(":"))
            weekly += (bh * 60 + bm - ah * 60 - am) / 60
        rows.append((WEEKDAY_LABELS[d], ", ".join(f"{a}–{b}" for a, b in spans)))
    hours_total = weekly
    return {
        "name": c["name"],
        "version": c.get("version"),
        "timezone": c.get("timezone", "UTC"),
        "rows": rows,
        "weekly_hours": hours_total,
        "availability": round(100 * hours_total / 168, 1),
        "holidays": sorted(c.get("holidays", [])),
        "shifts": sorted((c.get("shifts") or {}).items()),
        "always": not hours,
    }
