"""Notification pages: the list, the top-bar bell, preferences, and the ticket panel's forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from okno.accounts.models import User
from okno.accounts.queries import get_ticket_for
from okno.desk.forms import apply_action_errors

from . import actions
from .delivery import preferences, wants
from .forms import PreferencesForm, ReminderForm, WatcherForm
from .models import Channel, Kind, Notification, Reminder
from .panel import panel_context

PAGE = 50


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user=user, shown=True, read_at__isnull=True).count()


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    rows = Notification.objects.filter(user=request.user, shown=True).select_related("ticket")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    before = request.GET.get("before", "")
    if before.isdigit():
        rows = rows.filter(pk__lt=int(before))
    page = list(rows.order_by("-id")[: PAGE + 1])
    more = len(page) > PAGE
    page = page[:PAGE]
    return render(
        request,
        "notifications/list.html",
        {
            "rows": page,
            "unread_only": unread_only,
            "next_before": page[-1].pk if more else None,
            "unread": unread_count(request.user),
        },
    )


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The counter alone (htmx polls it)."""
    return render(request, "notifications/bell.html", {"unread": unread_count(request.user)})


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
@login_required
def mark_read(request: HttpRequest) -> HttpResponse:
    if request.POST.get("all"):
        actions.mark_read(request.user)
    else:
        ids = [int(v) for v in request.POST.getlist("id") if v.isdigit()]
        actions.mark_read(request.user, ids)
    if request.htmx:
        return bell(request)
    return redirect(_safe_next(request, reverse("notifications:list")))


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification: mark it read and go to its ticket (desk or portal by role)."""
    note = Notification.objects.filter(user=request.user, pk=pk).first()
    if note is None:
        raise Http404("No such notification")
    actions.mark_read(request.user, [note.pk])
    if note.ticket_id is None:
        return redirect("notifications:list")
    name = "desk:ticket" if request.user.is_agent else "portal:ticket"
    return redirect(name, pk=note.ticket_id)


@login_required
def preference_page(request: HttpRequest) -> HttpResponse:
    prefs = preferences(request.user)
    current = {(k, c): wants(prefs, k, c) for k in Kind.values for c in Channel.values}
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_preferences(request.user, form.choices())
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


def _panel_response(
    request: HttpRequest, ticket: Any, *, status: int = 200, **forms: Any
) -> HttpResponse:
    if request.htmx:
        context = panel_context(request.user, ticket, **forms)
        return render(request, "notifications/_ticket_panel.html", context, status=status)
    if status >= 400:
        for form in forms.values():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
    return redirect(_safe_next(request, reverse("desk:ticket", args=[ticket.pk])))


@require_POST
@login_required
def watch(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket_for(request.user, pk)
    if not request.user.is_agent:
        raise PermissionDenied(_("Only agents can watch tickets."))
    people = User.objects.filter(is_active=True, role__in=("agent", "manager", "admin"))
    form = WatcherForm(request.POST, people=people, auto_id="w_%s")
    action = request.POST.get("action", "watch")
    if form.is_valid():
        other = form.cleaned_data.get("user")
        try:
            if action == "unwatch":
                actions.unwatch(ticket, actor=request.user, user=other)
            else:
                actions.watch(ticket, actor=request.user, user=other)
        except ValidationError as exc:
            apply_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    if form.errors:
        return _panel_response(request, ticket, status=400, watcher_form=form)
    return _panel_response(request, ticket)


@require_POST
@login_required
def remind(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket_for(request.user, pk)
    if not request.user.is_agent:
        raise PermissionDenied(_("Only agents can set reminders on tickets."))
    form = ReminderForm(request.POST, auto_id="r_%s")
    if form.is_valid():
        try:
            actions.add_reminder(
                ticket,
                actor=request.user,
                remind_at=form.cleaned_data["remind_at"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
    if form.errors:
        return _panel_response(request, ticket, status=400, reminder_form=form)
    if not request.htmx:
        messages.success(request, _("We will remind you."))
    return _panel_response(request, ticket)


@require_POST
@login_required
def cancel_reminder(request: HttpRequest, pk: int) -> HttpResponse:
    reminder = Reminder.objects.filter(user=request.user, pk=pk).select_related("ticket").first()
    if reminder is None:
        raise Http404("No such reminder")
    actions.cancel_reminder(reminder, actor=request.user)
    return _panel_response(request, reminder.ticket)
