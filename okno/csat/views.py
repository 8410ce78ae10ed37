"""The rating page (from the resolution email or the portal) and the satisfaction report."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.queries import get_ticket_for
from okno.desk.forms import apply_action_errors

from . import queries
from .actions import rate_ticket
from .forms import PeriodForm, RatingForm
from .links import read_token
from .models import Rating


@login_required
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the scale (``?score=N`` preselects, nothing is saved on GET: mail scanners
    open links); POST records the rating."""
    try:
        ticket_id, reopen_count = read_token(token)
    except signing.SignatureExpired:
        return render(request, "csat/expired.html", status=410)
    except signing.BadSignature:
        raise Http404("No such rating link") from None
    ticket = get_ticket_for(request.user, ticket_id)
    if ticket.requester_id != request.user.pk:
        raise PermissionDenied(_("Only the requester can rate this request."))
    existing = Rating.objects.filter(ticket=ticket, reopen_count=reopen_count).first()
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                rate_ticket(
                    ticket,
                    actor=request.user,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    reopen_count=reopen_count,
                )
            except ValidationError as exc:
                apply_action_errors(form, exc)
            else:
                messages.success(request, _("Thank you for your feedback!"))
                return redirect("portal:ticket", pk=ticket.pk)
        status = 400
    else:
        initial: dict[str, object] = {}
        if existing is not None:
            initial = {"score": existing.score, "comment": existing.comment}
        score = request.GET.get("score", "")
        if score in {"1", "2", "3", "4", "5"}:
            initial["score"] = int(score)
        form = RatingForm(initial=initial)
        status = 200
    return render(
        request,
        "csat/rate.html",
        {
            "ticket": ticket,
            "form": form,
            "existing": existing,
            "stale": reopen_count != ticket.reopen_count,
        },
        status=status,
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Ratings per agent, team or service over a period (in the viewer's time zone)."""
    if not request.user.is_agent:
        raise PermissionDenied(_("Reports are for agents and managers."))
    form = PeriodForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    if request.GET and valid:
        start, end, group = (
            form.cleaned_data["start"],
            form.cleaned_data["end"],
            form.cleaned_data["group"],
        )
    else:
        end = timezone.localdate()
        start, group = end - timedelta(days=29), "agent"
        if not request.GET:
            form = PeriodForm(initial={"start": start, "end": end, "group": group})
    context: dict[str, object] = {"form": form, "start": start, "end": end, "group": group}
    if valid:
        zone = timezone.get_current_timezone()
        since = timezone.make_aware(datetime.combine(start, time.min), zone)
        until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone)
        ratings = queries.in_period(queries.visible_ratings(request.user), since, until)
        totals = queries.summary(ratings)
        resolved = queries.resolved_count(request.user, since, until)
        context.update(
            totals=totals,
            rows=queries.by_group(ratings, group),
            comments=queries.recent_comments(ratings),
            resolved=resolved,
            response_rate=round(100.0 * totals["count"] / resolved, 1) if resolved else None,
        )
    return render(request, "csat/report.html", context, status=200 if valid else 400)
