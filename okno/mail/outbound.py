"""Requester notifications, rendered from template files in the requester's language.

One builder for every notification: ``emails/<name>-subject.txt``, ``-body.txt`` and
``-body.html`` (on the shared ``emails/base.html``), sent as multipart/alternative. Headers
make replies thread back to the ticket (Message-ID, In-Reply-To, References, the ``[#number]``
token), and automatic mail says so (``Auto-Submitted``) so that other systems don't answer it.
Sending runs in a background job after the ticket change commits; a failed send is retried with
exponential backoff and, when every attempt failed, written on the ticket's timeline.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from email import encoders
from email.mime.base import MIMEBase
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEMultipart, make_msgid
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

from okno.tickets.models import Article, ArticleKind, Channel, StatusCategory, Ticket

from .models import InboundMessage, OutboundEmail
from .parse import sanitize_html
from .quotes import trim_reply_html

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 60
DEFAULT_ACK_LIMIT_PER_HOUR = 5
# Addresses that are machines: never acknowledged, whatever their mail looked like.
AUTOMATED_SENDER = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|auto-?reply|daemon|"
    r"notifications?|listserv|majordomo)([+\-.].*)?@",
    re.IGNORECASE,
)
AUTOMATIC_TEMPLATES = {"ticket_created", "ticket_resolved", "ticket_status_changed"}


def is_automated_address(address: str) -> bool:
    return bool(AUTOMATED_SENDER.match(address or ""))


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
    if event == "status_changed":
        if ticket.status_category == StatusCategory.RESOLVED:
            return "ticket_resolved"
        if ticket.status_category in (StatusCategory.WAITING, StatusCategory.CLOSED):
            return "ticket_status_changed"
    return None


def _source_message(ticket: Ticket) -> InboundMessage | None:
    return (
        InboundMessage.objects.filter(ticket=ticket)
        .select_related("mailbox")
        .order_by("received_at", "id")
        .first()
    )


def _ack_limited(ticket: Ticket, address: str) -> bool:
    source = _source_message(ticket)
    limit = (
        source.mailbox.ack_limit_per_hour
        if source is not None and source.mailbox is not None
        else DEFAULT_ACK_LIMIT_PER_HOUR
    )
    recent = OutboundEmail.objects.filter(
        to__iexact=address,
        template="ticket_created",
        created_at__gte=timezone.now() - timedelta(hours=1),
    ).count()
    return recent >= limit


def notify_requester(ticket_id: int, event: str, *, article_id: int | None = None) -> str:
    ticket = Ticket.objects.select_related("requester", "status").filter(pk=ticket_id).first()
    if ticket is None:
        return "ticket gone"
    article = Article.objects.filter(pk=article_id).first() if article_id else None
    template = _choose_template(ticket, event, article)
    if template is None or not ticket.requester.is_active:
        return "nothing to send"
    if is_automated_address(ticket.requester.email):
        return "automated sender: no notification"
    if ticket.requester.email.lower().endswith(".invalid"):
        # Reserved TLD (RFC 2606): people reached only through another channel, e.g. Telegram
        # users registered as tg-<id>@telegram.invalid, get their replies there, not by email.
        return "no email address"
    key = f"{ticket.pk}:{template}:{article_id or ticket.status_id}:{ticket.reopen_count}"
    email = OutboundEmail.objects.filter(key=key).first()
    if email is None:
        if template == "ticket_created" and _ack_limited(ticket, ticket.requester.email):
            return "acknowledgement rate limit reached"
        email = _build(ticket, template, article, key)
        if email is None:
            return "already queued"
    if email.state == OutboundEmail.State.SENT:
        return "already sent"
    return send_email(email.pk)


def _build(
    ticket: Ticket, template: str, article: Article | None, key: str
) -> OutboundEmail | None:
    language = ticket.requester.language or settings.LANGUAGE_CODE
    context = {
        "ticket": ticket,
        "article": article,
        "requester": ticket.requester,
        "status_label": ticket.status.requester_label,
        "ticket_url": f"{settings.BASE_URL}/portal/tickets/{ticket.pk}/",
    }
    context["message_html"] = article_html(article) if article is not None else ""
    with translation.override(language):
        context["status_label"] = ticket.status.requester_label
        context["language"] = language
        subject = " ".join(render_to_string(f"emails/{template}-subject.txt", context).split())
        body = render_to_string(f"emails/{template}-body.txt", context)
        body_html = render_to_string(f"emails/{template}-body.html", context)
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rsplit("@", 1)[-1] or "okno.localhost"
    try:
        with transaction.atomic():
            return OutboundEmail.objects.create(
                ticket=ticket,
                article=article,
                key=key,
                template=template,
                to=ticket.requester.email,
                subject=f"{subject} [#{ticket.pk}]"[:500],
                body_text=body,
                body_html=body_html,
                message_id=make_msgid(idstring=f"okno.{ticket.pk}", domain=domain),
            )
    except IntegrityError:
        return None  # another worker built it first


def article_html(article: Article) -> SafeString:
    """The message as HTML for the mail: the article's sanitized HTML when it has some (from an
    email, cut at the quoted history the requester already has), else its text escaped, with
    line breaks and links."""
    if article.body_html.strip():
        markup = sanitize_html(article.body_html)  # stored sanitized; cleaned again for mail
        if article.channel == Channel.EMAIL:
            markup = trim_reply_html(markup)
        return mark_safe(markup)  # noqa: S308 - sanitized by nh3 just above
    escaped = urlize(article.body_text, nofollow=True, autoescape=True)
    return mark_safe(linebreaks(escaped))  # noqa: S308 - escaped by urlize just above


def thread_ids(email: OutboundEmail) -> list[str]:
    """Message-IDs of the conversation so far, oldest first (for In-Reply-To/References)."""
    known = list(
        Article.objects.filter(ticket_id=email.ticket_id, created_at__lte=email.created_at)
        .exclude(message_id="")
        .values_list("created_at", "message_id")
    )
    known += list(
        OutboundEmail.objects.filter(
            ticket_id=email.ticket_id, created_at__lt=email.created_at, state="sent"
        ).values_list("created_at", "message_id")
    )
    ids: list[str] = []
    for _when, mid in sorted(known):
        if mid not in ids:
            ids.append(mid)
    return ids


def _message(email: OutboundEmail) -> EmailMultiAlternatives:
    headers = {"Message-ID": email.message_id, "X-Okno-Ticket": str(email.ticket_id)}
    if email.template in AUTOMATIC_TEMPLATES:
        headers["Auto-Submitted"] = (
            "auto-replied" if email.template == "ticket_created" else "auto-generated"
        )
        headers["X-Auto-Response-Suppress"] = "All"
    ids = thread_ids(email)
    if ids:
        headers["In-Reply-To"] = ids[-1]
        headers["References"] = " ".join([ids[0], *ids[1:][-9:]])
    source = _source_message(email.ticket)
    reply_to = (
        [source.mailbox.address] if source and source.mailbox and source.mailbox.address else None
    )
    message = _HtmlMail(
        subject=email.subject,
        body=email.body_text,
        to=[email.to],
        headers=headers,
        reply_to=reply_to,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    if email.article_id and email.template == "ticket_replied":
        for attachment in email.article.attachments.all():  # type: ignore[union-attr]
            with attachment.file.open("rb") as handle:
                data = handle.read()
            cid = attachment.content_id.strip("<> ")
            if cid and email.body_html and f"cid:{cid}" in email.body_html:
                message.related.append(_inline_part(attachment.filename, data, cid, attachment))
            else:
                message.attach(attachment.filename, data, attachment.content_type)
    return message


class _HtmlMail(EmailMultiAlternatives):
    """Django's alternative mail, with images the HTML shows (``cid:``) kept beside the HTML in
    multipart/related: alternative(text, related(html, images)), inside mixed with the files."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.related: list[MIMEBase] = []

    def _create_alternatives(self, msg: Any) -> Any:
        msg = super()._create_alternatives(msg)
        if self.related and msg.is_multipart():
            html_part = msg.get_payload()[-1]
            related = SafeMIMEMultipart(_subtype="related", encoding=self.encoding)
            related.attach(html_part)
            for part in self.related:
                related.attach(part)
            msg.get_payload()[-1] = related
        return msg


def _inline_part(filename: str, data: bytes, cid: str, attachment: Any) -> MIMEBase:
    main, _sep, sub = (attachment.content_type or "application/octet-stream").partition("/")
    part = MIMEBase(main, sub or "octet-stream")
    part.set_payload(data)
    encoders.encode_base64(part)
    part.add_header("Content-ID", f"<{cid}>")
    part.add_header("Content-Disposition", "inline", filename=filename)
    return part


def send_email(email_id: int) -> str:
    """One delivery attempt; on failure, schedule the next one or give up visibly."""
    email = OutboundEmail.objects.select_related("ticket", "article").filter(pk=email_id).first()
    if email is None:
        return "email gone"
    if email.state == OutboundEmail.State.SENT:
        return "already sent"
    email.attempts += 1
    try:
        _message(email).send()
    except Exception as exc:
        email.state = OutboundEmail.State.FAILED
        email.error = f"{type(exc).__name__}: {exc}"[:2000]
        email.next_attempt_at = None
        if email.attempts < MAX_ATTEMPTS:
            delay = RETRY_BASE_SECONDS * 2 ** (email.attempts - 1)
            email.next_attempt_at = timezone.now() + timedelta(seconds=delay)
        email.save(update_fields=["state", "error", "attempts", "next_attempt_at"])
        logger.warning("Sending %s failed (attempt %s): %s", email.key, email.attempts, exc)
        if email.next_attempt_at is not None:
            _schedule_retry(email)
            return f"failed, retry at {email.next_attempt_at.isoformat()}"
        from .actions import record_mail_failed

        record_mail_failed(email)
        return "failed for good"
    email.state = OutboundEmail.State.SENT
    email.sent_at = timezone.now()
    email.error = ""
    email.next_attempt_at = None
    email.save(update_fields=["state", "sent_at", "error", "attempts", "next_attempt_at"])
    return "sent"


def _schedule_retry(email: OutboundEmail) -> None:
    from .tasks import send_outbound_email

    try:
        send_outbound_email.using(run_after=email.next_attempt_at).enqueue(email_id=email.pk)
    except Exception:
        logger.exception("Could not schedule a retry of %s", email.key)
