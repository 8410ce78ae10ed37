"""Red Button pages: register a device and get its config (anyone signed in), the press
statistics (agents). Writes go through ``redbutton.actions``."""

from __future__ import annotations

import csv
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import actions, queries
from .models import Device

PERIODS = (7, 30, 90, 365)


class DeviceForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Device name"),
        max_length=100,
        help_text=gettext_lazy("So you recognise it later, e.g. “Office PC” or “Laptop”."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


NEW_DEVICE_KEY = "redbutton_new_device"


@login_required
def devices(request: HttpRequest) -> HttpResponse:
    """The person's devices; registering one shows its token and config file once.

    Post/redirect/get: the raw token rides in the session to the next page view only, so a
    reload neither registers a second device nor shows the token again.
    """
    form = DeviceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, raw = actions.register_device(
                actor=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            request.session[NEW_DEVICE_KEY] = {"id": device.pk, "token": raw}
            return redirect("redbutton:devices")
    created = None
    fresh = request.session.pop(NEW_DEVICE_KEY, None) if request.method == "GET" else None
    if fresh:
        device = Device.objects.filter(pk=fresh.get("id"), owner=request.user).first()
        if device is not None:
            created = {
                "device": device,
                "token": fresh["token"],
                "config": queries.client_config(request.build_absolute_uri("/"), fresh["token"]),
            }
    response = render(
        request,
        "redbutton/devices.html",
        {
            "form": form,
            "created": created,
            "devices": Device.objects.filter(owner=request.user).order_by("-created_at"),
        },
    )
    if created:
        add_never_cache_headers(response)  # the token must not linger in caches
    return response


@require_POST
@login_required
def device_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    device = Device.objects.filter(pk=pk, owner=request.user).first()
    if device is None:
        raise Http404("No such device")
    try:
        actions.set_device_enabled(device, actor=request.user, enabled=not device.enabled)
    except PermissionDenied:
        raise Http404("No such device") from None
    if device.enabled:
        messages.success(
            request, _("The device “%(name)s” may send reports again.") % {"name": device.name}
        )
    else:
        messages.success(
            request,
            _("The device “%(name)s” is disabled; its token no longer works.")
            % {"name": device.name},
        )
    return redirect("redbutton:devices")


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    """Presses per user or organization: who may need training, who is over the limits."""
    if not request.user.is_agent:
        return redirect("portal:home")
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    days = days if 1 <= days <= 3660 else 30
    group = request.GET.get("group") if request.GET.get("group") == "organization" else "user"
    until = timezone.now()
    since = until - timedelta(days=days)
    result = queries.press_stats(since=since, until=until, group=group)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="redbutton-{group}-{days}d.csv"'
        writer = csv.writer(response)
        writer.writerow([group, "email", "presses", "tickets", "merged", "refused", "last_press"])
        for row in result.rows:
            writer.writerow(
                [
                    _csv_safe(row.name),
                    row.email,
                    row.presses,
                    row.tickets,
                    row.merged,
                    row.refused,
                    row.last_press.isoformat() if row.last_press else "",
                ]
            )
        return response
    return render(
        request,
        "redbutton/stats.html",
        {
            "stats": result,
            "days": days,
            "group": group,
            "periods": PERIODS,
            "since": since,
            "peak": max((r.presses for r in result.rows), default=0),
        },
    )


def _csv_safe(value: str) -> str:
    """Keep spreadsheet programs from running a name as a formula."""
    return "'" + value if value[:1] in {"=", "+", "-", "@"} else value
