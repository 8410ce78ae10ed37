"""Every Red Button write: registering and disabling devices, filing a press.

Filing follows three rules against the "users will flood support" objection:

1. **Rate limits** per device and per user (``REDBUTTON_DEVICE_RATE``, ``REDBUTTON_USER_RATE``,
   e.g. ``"6/h"``): a press over the limit files nothing and answers with a clear message, the
   time to wait and the open ticket to add to instead.
2. **Second press**: within ``REDBUTTON_MERGE_WINDOW_MINUTES`` of the previous press from the
   same device (or the same person, without a device), while that ticket is still open, the new
   diagnostics are added to it as a reply instead of opening another ticket.
3. **Every press is recorded** (:class:`~okno.redbutton.models.Press`), refused ones too, for
   the statistics page.

A report the client sends twice (same ``report_id``, e.g. after a lost response from the
offline queue) files one ticket: the second call returns the first result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.tickets import actions as ticket_actions
from okno.tickets.attachments import NewAttachment
from okno.tickets.models import ACTIVE_CATEGORIES, Channel, Ticket, TicketType

from . import diagnostics as diag
from .models import Device, Press

REPORT_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_COMMENT = 4000
SCREENSHOT_TYPES = {"image/png", "image/jpeg"}


# --- configuration (read at call time, so settings and tests may change it) --------------------
def device_rate() -> diag.Rate:
    return diag.parse_rate(getattr(settings, "REDBUTTON_DEVICE_RATE", "6/h"))


def user_rate() -> diag.Rate:
    return diag.parse_rate(getattr(settings, "REDBUTTON_USER_RATE", "10/h"))


def merge_window() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "REDBUTTON_MERGE_WINDOW_MINUTES", 30)))


def max_report_bytes() -> int:
    return int(getattr(settings, "REDBUTTON_MAX_REPORT_KB", 1024)) * 1024


def summary_labels() -> dict[str, str]:
    """The words of the plain-text summary, in the active language."""
    return {
        "heading": _("Diagnostics collected by the Red Button:"),
        "host": _("Host"),
        "user": _("User"),
        "system": _("System"),
        "ip": _("IP addresses"),
        "mac": _("MAC addresses"),
        "uptime": _("Uptime"),
        "cpu_model": _("CPU"),
        "cpu_count": _("CPU cores"),
        "load": _("Load average"),
        "collected_at": _("Collected at"),
        "cpu": _("CPU"),
        "memory": _("Memory"),
        "disk": _("Disk"),
        "used": _("used"),
        "free_of": _("{free} free of {total}"),
        "unreachable": _("Unreachable"),
        "reachable": _("Reachable"),
        "processes": _("Top processes"),
        "errors": _("Not collected"),
        "attached": _("The full report is attached as JSON."),
    }


# --- devices -----------------------------------------------------------------------------------
@transaction.atomic
def register_device(*, actor: User, name: str, owner: User | None = None) -> tuple[Device, str]:
    """A new device for ``owner`` (default: the actor); returns it and its raw token, once.

    Anyone signed in may register a device for themselves; agents may register one for
    somebody else (setting up a colleague's workstation).
    """
    owner = owner or actor
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Name the device, e.g. “Rita's laptop”.")]
    elif len(name) > 100:
        errors["name"] = [_("Keep the name under 100 characters.")]
    if owner.pk != actor.pk and not actor.is_agent:
        errors["owner"] = [_("Only agents may register a device for somebody else.")]
    if not owner.is_active:
        errors["owner"] = [_("This person's account is disabled.")]
    if errors:
        raise ValidationError(errors)
    raw = Device.new_token()
    device = Device(name=name, owner=owner, organization=owner.organization, created_by=actor)
    device.set_token(raw)
    device.save()
    return device, raw


@transaction.atomic
def set_device_enabled(device: Device, *, actor: User, enabled: bool) -> Device:
    """Disable (or re-enable) a device: its token stops working at once."""
    if device.owner_id != actor.pk and not actor.sees_all_tickets:
        raise PermissionDenied(_("Only the owner or a manager may change this device."))
    Device.objects.filter(pk=device.pk).update(enabled=enabled)
    device.enabled = enabled
    return device


# --- filing a press ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportResult:
    press: Press | None
    ticket: Ticket | None
    created: bool = False
    merged: bool = False
    duplicate: bool = False
    throttled: bool = False
    retry_after: int = 0
    message: str = ""


def _validate(
    diagnostics: Any, comment: str, report_id: str, screenshot: bytes | None
) -> tuple[bytes, str]:
    errors: dict[str, list[str]] = {}
    stored = b""
    if not isinstance(diagnostics, dict):
        errors["diagnostics"] = [_("Diagnostics must be a JSON object.")]
    elif diag.depth(diagnostics) > diag.MAX_DEPTH:
        errors["diagnostics"] = [
            _("Diagnostics are nested too deeply (at most %(n)d levels).") % {"n": diag.MAX_DEPTH}
        ]
    else:
        stored = diag.dumps(diagnostics)
        if len(stored) > max_report_bytes():
            errors["diagnostics"] = [
                _("Diagnostics are larger than %(kb)d KB.") % {"kb": max_report_bytes() // 1024}
            ]
    if len(comment) > MAX_COMMENT:
        errors["comment"] = [_("Keep the comment under %(n)d characters.") % {"n": MAX_COMMENT}]
    if report_id and not REPORT_ID.match(report_id):
        errors["report_id"] = [_("Use up to 64 letters, digits, dots, dashes or underscores.")]
    if screenshot is not None:
        kind = filetype.guess(screenshot[:8192]) if screenshot else None
        if kind is None or kind.mime not in SCREENSHOT_TYPES:
            errors["screenshot"] = [_("The screenshot must be a PNG or JPEG image.")]
        elif len(screenshot) > settings.ATTACHMENT_MAX_BYTES:
            errors["screenshot"] = [_("The screenshot is too large.")]
    if errors:
        raise ValidationError(errors)
    return stored, (comment or "").strip()


def _recent(presses: Any, since: datetime) -> Any:
    return presses.filter(throttled=False, created_at__gte=since)


def _over_limit(presses: Any, rate: diag.Rate, now: datetime) -> int:
    """Seconds to wait when ``presses`` already used up ``rate``; 0 when within it."""
    if not rate.enabled:
        return 0
    window = _recent(presses, now - timedelta(seconds=rate.seconds))
    if window.count() < rate.count:
        return 0
    oldest = window.order_by("-created_at").values_list("created_at", flat=True)[rate.count - 1]
    return max(1, int((oldest + timedelta(seconds=rate.seconds) - now).total_seconds()) + 1)


def _own_presses(user: User, device: Device | None) -> Any:
    if device is not None:
        return Press.objects.filter(device=device)
    return Press.objects.filter(user=user, device__isnull=True)


def open_redbutton_ticket(user: User, device: Device | None) -> Ticket | None:
    """The ticket the last recent press went to, while it is still open."""
    window = merge_window()
    if window <= timedelta(0):
        return None
    last = (
        _own_presses(user, device)
        .filter(
            throttled=False,
            ticket__isnull=False,
            ticket__requester=user,
            ticket__status_category__in=ACTIVE_CATEGORIES,
            ticket__merged_into__isnull=True,
            created_at__gte=timezone.now() - window,
        )
        .select_related("ticket")
        .first()
    )
    return last.ticket if last is not None else None


def _wait_text(seconds: int) -> str:
    minutes = max(1, (seconds + 59) // 60)
    return _("%(n)d min") % {"n": minutes}


@transaction.atomic
def file_report(
    *,
    user: User,
    device: Device | None = None,
    diagnostics: Any,
    comment: str = "",
    report_id: str = "",
    screenshot: bytes | None = None,
    client: dict[str, Any] | None = None,
) -> ReportResult:
    """One press of the button; see the module docstring for the rules."""
    if device is not None and (not device.enabled or device.owner_id != user.pk):
        raise PermissionDenied(_("This device is disabled or belongs to somebody else."))
    comment = comment or ""
    report_id = (report_id or "").strip()
    stored_diag, comment = _validate(diagnostics, comment, report_id, screenshot)
    # Serialise presses of one person so concurrent presses cannot both pass the limit check.
    user = (
        User.objects.select_for_update(of=("self",)).select_related("organization").get(pk=user.pk)
    )
    now = timezone.now()

    if report_id:
        earlier = (
            Press.objects.filter(user=user, report_id=report_id).select_related("ticket").first()
        )
        if earlier is not None:
            return ReportResult(
                earlier,
                earlier.ticket,
                duplicate=True,
                merged=earlier.merged_into_open_ticket,
                message=_("This report was already received."),
            )

    hostname = diag.text(diag.mapping(diagnostics.get("host")).get("hostname"), 255)
    open_ticket = open_redbutton_ticket(user, device)
    waits = []
    if device is not None:
        waits.append(_over_limit(Press.objects.filter(device=device), device_rate(), now))
    waits.append(_over_limit(Press.objects.filter(user=user), user_rate(), now))
    retry_after = max(waits)
    if retry_after:
        press = Press.objects.create(
            device=device,
            user=user,
            organization=user.organization,
            ticket=open_ticket,
            throttled=True,
            hostname=hostname,
        )
        if open_ticket is not None:
            message = _(
                "You have pressed the Red Button too often. Your request #%(n)d is open and "
                "being worked on; add details there. You can press again in %(wait)s."
            ) % {"n": open_ticket.pk, "wait": _wait_text(retry_after)}
        else:
            message = _(
                "You have pressed the Red Button too often. Please call the service desk if it "
                "is urgent, or press again in %(wait)s."
            ) % {"wait": _wait_text(retry_after)}
        return ReportResult(
            press, open_ticket, throttled=True, retry_after=retry_after, message=message
        )

    stamp = now.strftime("%Y%m%d-%H%M%S")
    shot_name = ""
    files = []
    if screenshot:
        kind = filetype.guess(screenshot[:8192])
        shot_name = f"screenshot-{stamp}.{kind.extension if kind else 'png'}"
    record = {
        "schema": 1,
        "report_id": report_id,
        "comment": comment,
        "client": client or {},
        "device": device.name if device is not None else "",
        "screenshot": shot_name,
        "diagnostics": diagnostics,
    }
    json_bytes = diag.dumps(record) if stored_diag else b"{}"
    json_name = f"redbutton-{stamp}.json"
    files.append(NewAttachment(json_name, json_bytes))
    if screenshot:
        files.append(NewAttachment(shot_name, screenshot))
    summary = diag.summarize(diagnostics, comment, summary_labels())

    if open_ticket is not None:
        article = ticket_actions.add_reply(
            open_ticket,
            actor=user,
            body=_("The Red Button was pressed again.") + "\n\n" + summary,
            attachments=files,
            channel=Channel.REDBUTTON,
        )
        attachment = article.attachments.filter(filename=json_name).first()
        ticket, created, merged = open_ticket, False, True
        message = _("Added to your open request #%(n)d.") % {"n": ticket.pk}
    else:
        what = diag.title_hint(diagnostics, comment) or _("a workstation")
        ticket = ticket_actions.open_ticket(
            actor=user,
            requester=user,
            title=_("Red Button: %(what)s") % {"what": what},
            description=summary,
            type=TicketType.INCIDENT,
            channel=Channel.REDBUTTON,
            attachments=files,
        )
        attachment = ticket.attachments.filter(filename=json_name).first()
        created, merged = True, False
        message = _("Your request #%(n)d has been registered.") % {"n": ticket.pk}
    press = Press.objects.create(
        device=device,
        user=user,
        organization=user.organization,
        ticket=ticket,
        attachment=attachment,
        merged_into_open_ticket=merged,
        report_id=report_id,
        hostname=hostname,
    )
    return ReportResult(press, ticket, created=created, merged=merged, message=message)
