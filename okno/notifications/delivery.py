"""Deliver one notification to one person: in the app and/or by email, per their preferences.

Texts are rendered in the recipient's language; email bodies come from template files under
``notifications/emails/`` (subject and body), with times in the recipient's time zone.
"""

from __future__ import annotations

import logging
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from okno.accounts.models import User
from okno.accounts.queries import visible_tickets
from okno.tickets.models import Ticket

from .models import Channel, Notification, Preference, default_enabled

logger = logging.getLogger(__name__)


def preferences(user: User) -> dict[tuple[str, str], bool]:
    return {
        (p.kind, p.channel): p.enabled
        for p in Preference.objects.filter(user=user).only("kind", "channel", "enabled")
    }


def wants(prefs: dict[tuple[str, str], bool], kind: str, channel: str) -> bool:
    return prefs.get((kind, channel), default_enabled(kind, channel))


def may_see(user: User, ticket: Ticket | None) -> bool:
    """Never tell anyone about a ticket they may not see (left the team, lost the role)."""
    if ticket is None:
        return True
    return user.is_active and visible_tickets(user).filter(pk=ticket.pk).exists()


def ticket_url(user: User, ticket: Ticket) -> str:
    name = "desk:ticket" if user.is_agent else "portal:ticket"
    return settings.BASE_URL.rstrip("/") + reverse(name, args=[ticket.pk])


def notify(
    user: User,
    *,
    kind: str,
    ticket: Ticket | None,
    key: str,
    message: Any,
    params: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> Notification | None:
    """Create the notification once per ``key`` and email it if the person wants that.

    ``message`` (a lazy translation) is rendered with ``params`` in the recipient's language. Returns ``None`` when nothing was
    delivered (no channel wanted, no access, or already delivered for this cause).
    """
    if not may_see(user, ticket):
        return None
    prefs = preferences(user)
    in_app, email = wants(prefs, kind, Channel.IN_APP), wants(prefs, kind, Channel.EMAIL)
    if not (in_app or email):
        return None
    with translation.override(user.language or settings.LANGUAGE_CODE):
        text = (str(message) % (params or {}))[:500]
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user,
                ticket=ticket,
                kind=kind,
                text=text,
                key=key[:100],
                shown=in_app,
                read_at=None if in_app else timezone.now(),
            )
    except IntegrityError:
        return None  # this cause was delivered already (a re-run job)
    if email and user.email:
        transaction.on_commit(lambda: send_email(notification, extra or {}))
    return notification


def send_email(notification: Notification, extra: dict[str, Any]) -> bool:
    user, ticket = notification.user, notification.ticket
    zone = zoneinfo.ZoneInfo(user.time_zone or settings.TIME_ZONE)
    with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(zone):
        context = {
            "user": user,
            "notification": notification,
            "ticket": ticket,
            "url": ticket_url(user, ticket) if ticket else "",
            "settings_url": settings.BASE_URL.rstrip("/") + reverse("notifications:preferences"),
            **extra,
        }
        subject = " ".join(
            render_to_string("notifications/emails/notification-subject.txt", context).split()
        )
        body = render_to_string("notifications/emails/notification-body.txt", context)
    try:
        send_mail(subject[:200], body, None, [user.email])
    except Exception:  # the notice is in the app; a mail outage must not fail the job
        logger.exception("Could not email notification %s to %s", notification.pk, user.pk)
        return False
    return True
