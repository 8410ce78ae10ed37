"""Escalation notices to agents (assignee, team leads, managers) as outbound email rows.

Built in the firing's transaction (one row per recipient, unique key: never twice) and sent by
a background job after commit, in each recipient's language and time zone.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation

from okno.accounts.models import User
from okno.mail.models import OutboundEmail
from okno.sla.models import SlaClock, TargetKind
from okno.tickets.models import Ticket

logger = logging.getLogger(__name__)


def queue_notices(
    ticket: Ticket, clock: SlaClock, kind: str, percent: int | None, users: list[User]
) -> list[OutboundEmail]:
    template = "sla_warning" if kind == "sla_warning" else "sla_breached"
    built = []
    for user in users:
        key = f"sla:{clock.pk}:{template}:{percent or 0}:{user.pk}"
        if OutboundEmail.objects.filter(key=key).exists():
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            zone = ZoneInfo(user.time_zone or settings.TIME_ZONE)
            due = clock.due_at.astimezone(zone) if clock.due_at else None
            context = {
                "ticket": ticket,
                "percent": percent,
                "target_label": str(TargetKind(clock.kind).label),
                "due_at": formats.date_format(due, "DATETIME_FORMAT") if due else "",
                "ticket_url": f"{settings.BASE_URL}/desk/tickets/{ticket.pk}/",
            }
            subject = render_to_string(f"emails/{template}-subject.txt", context).strip()
            body = render_to_string(f"emails/{template}-body.txt", context)
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "okno.localhost"
        try:
            with transaction.atomic():
                email = OutboundEmail.objects.create(
                    ticket=ticket,
                    key=key,
                    template=template,
                    to=user.email,
                    subject=f"{subject} [#{ticket.pk}]"[:500],
                    body_text=body,
                    message_id=make_msgid(idstring=f"okno.{ticket.pk}", domain=domain),
                )
        except IntegrityError:
            continue
        built.append(email)
        transaction.on_commit(lambda pk=email.pk: _enqueue(pk))
    return built


def _enqueue(email_id: int) -> None:
    from okno.sla.tasks import send_notice

    try:
        send_notice.enqueue(email_id=email_id)
    except Exception:  # the firing is committed; a queue outage must not surface
        logger.exception("Could not queue SLA notice %s", email_id)


def send(email_id: int) -> str:
    email = OutboundEmail.objects.filter(pk=email_id).first()
    if email is None:
        return "gone"
    if email.state == OutboundEmail.State.SENT:
        return "already sent"
    message = EmailMessage(
        subject=email.subject,
        body=email.body_text,
        to=[email.to],
        headers={
            "Message-ID": email.message_id,
            "Auto-Submitted": "auto-generated",
            "X-Okno-Ticket": str(email.ticket_id),
        },
    )
    email.attempts += 1
    try:
        message.send()
    except Exception as exc:
        email.state = OutboundEmail.State.FAILED
        email.error = f"{type(exc).__name__}: {exc}"[:2000]
        email.save(update_fields=["state", "error", "attempts"])
        raise
    email.state = OutboundEmail.State.SENT
    email.sent_at = timezone.now()
    email.error = ""
    email.save(update_fields=["state", "sent_at", "error", "attempts"])
    return "sent"
