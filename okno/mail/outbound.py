"""Requester notifications, rendered from template files in the requester's language.

One builder for every notification: ``emails/<name>-subject.txt`` and ``-body.txt``. Headers
make replies thread back to the ticket (Message-ID, In-Reply-To, the ``[#number]`` token), and
automatic mail says so (``Auto-Submitted: auto-replied``) so that other systems don't answer it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.message import make_msgid
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from okno.tickets.models import Article, ArticleKind, Ticket

from .models import OutboundEmail

logger = logging.getLogger(__name__)


def _choose_template(ticket: Ticket, event: str, article: Article | None) -> str | None:
    if event == "created":
        return "ticket_created"
    if (
        event == "replied"
        and article is not None
        and article.kind == ArticleKind.REPLY
        and article.author_id != ticket.requester_id
    ):
        return "ticket_replied"
    if event == "status_changed" and ticket.status_category == "resolved":
        return "ticket_resolved"
    return None


def notify_requester(ticket_id: int, event: str, *, article_id: int | None = None) -> str:
    ticket = Ticket.objects.select_related("requester", "status").filter(pk=ticket_id).first()
    if ticket is None:
        return "ticket gone"
    article = Article.objects.filter(pk=article_id).first() if article_id else None
    template = _choose_template(ticket, event, article)
    if template is None or not ticket.requester.is_active:
        return "nothing to send"
    key = f"{ticket.pk}:{template}:{article_id or ticket.status_id}:{ticket.reopen_count}"
    email = OutboundEmail.objects.filter(key=key).first()
    if email is None:
        email = _build(ticket, template, article, key)
        if email is None:
            return "already queued"
    if email.state == OutboundEmail.State.SENT:
        return "already sent"
    return _send(email, ticket)


def _build(
    ticket: Ticket, template: str, article: Article | None, key: str
) -> OutboundEmail | None:
    language = ticket.requester.language or settings.LANGUAGE_CODE
    context = {
        "ticket": ticket,
        "article": article,
        "requester": ticket.requester,
        "ticket_url": f"{settings.BASE_URL}/portal/tickets/{ticket.pk}/",
    }
    with translation.override(language):
        subject = render_to_string(f"emails/{template}-subject.txt", context).strip()
        body = render_to_string(f"emails/{template}-body.txt", context)
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(">") or "okno.localhost"
    try:
        with transaction.atomic():
            return OutboundEmail.objects.create(
                ticket=ticket,
                key=key,
                template=template,
                to=ticket.requester.email,
                subject=f"{subject} [#{ticket.pk}]",
                body_text=body,
                message_id=make_msgid(idstring=f"okno.{ticket.pk}", domain=domain),
            )
    except IntegrityError:
        return None  # another worker built it first


def _send(email: OutboundEmail, ticket: Ticket) -> str:
    first = ticket.articles.exclude(message_id="").order_by("created_at").first()
    headers = {
        "Message-ID": email.message_id,
        "Auto-Submitted": "auto-replied"
        if email.template == "ticket_created"
        else "auto-generated",
        "X-Okno-Ticket": str(ticket.pk),
    }
    if first is not None:
        headers["In-Reply-To"] = first.message_id
        headers["References"] = first.message_id
    message = EmailMessage(
        subject=email.subject, body=email.body_text, to=[email.to], headers=headers
    )
    email.attempts += 1
    try:
        message.send()
    except Exception as exc:
        email.state = OutboundEmail.State.FAILED
        email.error = f"{type(exc).__name__}: {exc}"[:2000]
        email.save(update_fields=["state", "error", "attempts"])
        logger.warning("Sending %s failed: %s", email.key, exc)
        raise
    email.state = OutboundEmail.State.SENT
    email.sent_at = timezone.now()
    email.error = ""
    email.save(update_fields=["state", "sent_at", "error", "attempts"])
    return "sent"
