"""Writes of the web widget: a visitor's message becomes a ticket, attempts are counted.

The visitor is registered as a requester by email (``accounts.actions``), the ticket is opened
by ``tickets.actions.open_ticket`` on the ``widget`` channel; replies then reach the requester
through the ordinary email notifications.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.actions import get_or_create_requester
from okno.tickets.actions import open_ticket
from okno.tickets.attachments import NewAttachment
from okno.tickets.models import Channel, Ticket

from .models import Submission, Widget

MAX_FILES = 5
MAX_MESSAGE = 20_000
TITLE_LENGTH = 80
RATE_WINDOW = timedelta(hours=1)


class RateLimited(Exception):
    """Too many requests from one address; ``retry_after`` seconds until the next is allowed."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


class Spam(Exception):
    """The honeypot was filled in."""


def client_key(address: str) -> str:
    """A keyed hash of the visitor's address: countable, not reversible without the key."""
    return hmac.new(
        settings.SECRET_KEY.encode(), f"widget:{address}".encode(), hashlib.sha256
    ).hexdigest()


def check_rate_limit(widget: Widget, key: str) -> None:
    if not widget.rate_limit:
        return
    since = timezone.now() - RATE_WINDOW
    recent = list(
        Submission.objects.filter(widget=widget, client_key=key, created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: widget.rate_limit]
    )
    if len(recent) >= widget.rate_limit:
        oldest = recent[-1]
        retry = int((oldest + RATE_WINDOW - timezone.now()).total_seconds()) + 1
        raise RateLimited(max(retry, 1))


def title_from(message: str) -> str:
    first = next((line.strip() for line in message.splitlines() if line.strip()), "")
    if len(first) > TITLE_LENGTH:
        first = first[: TITLE_LENGTH - 1].rstrip() + "…"
    return first


def submit_request(
    widget: Widget,
    *,
    name: str,
    email: str,
    message: str,
    attachments: Sequence[NewAttachment] = (),
    honeypot: str = "",
    page_url: str = "",
    origin: str = "",
    address: str = "",
) -> Ticket:
    """Register a visitor's request. Raises ``Spam``, ``RateLimited`` or ``ValidationError``
    (keyed by the form's field names). The ticket, its requester and the counted submission
    are one transaction; a spam attempt is counted on its own, so it still uses up the limit."""
    key = client_key(address)
    check_rate_limit(widget, key)
    if honeypot.strip():
        Submission.objects.create(
            widget=widget, client_key=key, origin=origin[:200], outcome=Submission.Outcome.SPAM
        )
        raise Spam
    errors: dict[str, list[str]] = {}
    name = " ".join(name.split())[:200]
    email = email.strip()
    message = message.strip()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid email address so we can answer you.")]
    if not message:
        errors["message"] = [_("Tell us how we can help.")]
    elif len(message) > MAX_MESSAGE:
        errors["message"] = [
            _("Keep the message under %(limit)d characters.") % {"limit": MAX_MESSAGE}
        ]
    if len(attachments) > MAX_FILES:
        errors["attachments"] = [_("Attach at most %(count)d files.") % {"count": MAX_FILES}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return _open(widget, name, email, message, attachments, page_url, origin, key)


def _open(
    widget: Widget,
    name: str,
    email: str,
    message: str,
    attachments: Sequence[NewAttachment],
    page_url: str,
    origin: str,
    key: str,
) -> Ticket:
    custom_fields = {"widget": widget.public_id}
    if page_url:
        custom_fields["page"] = page_url[:500]
    try:
        requester = get_or_create_requester(email, actor=None, name=name)
        ticket = open_ticket(
            actor=None,
            requester=requester,
            title=title_from(message),
            description=message,
            service=widget.service,
            channel=Channel.WIDGET,
            attachments=attachments,
            custom_fields=custom_fields,
        )
    except ValidationError as exc:
        aliases = {"description": "message", "title": "message", "requester": "email"}
        if hasattr(exc, "error_dict"):
            raise ValidationError(
                {aliases.get(field, field): msgs for field, msgs in exc.message_dict.items()}
            ) from exc
        raise
    Submission.objects.create(
        widget=widget,
        client_key=key,
        origin=origin[:200],
        outcome=Submission.Outcome.ACCEPTED,
        ticket=ticket,
    )
    return ticket
