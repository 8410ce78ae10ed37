"""Agent replies back to Telegram: the follow-up handler ``on_ticket_event``.

Registered in ``okno.tickets.tasks.FOLLOWUP_HANDLERS``; runs as a background job after a ticket
change commits. Each text and file is an ``OutboundMessage`` keyed by what it carries, claimed
before sending, so a retried job sends nothing twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from okno.tickets.models import Article, ArticleKind, Attachment, StatusCategory, Ticket

from .botapi import BotApi, BotApiError
from .models import Bot, Chat, OutboundMessage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    key: str
    text: str = ""
    article: Article | None = None
    attachment: Attachment | None = None


def client_for(bot: Bot) -> BotApi:
    return BotApi(bot.api_base_url, bot.get_token())


def _items(ticket: Ticket, event: str, article: Article | None) -> list[Item]:
    if (
        event == "replied"
        and article is not None
        and article.ticket_id == ticket.pk
        and article.kind == ArticleKind.REPLY
        and article.author_id != ticket.requester_id
    ):
        items = []
        if article.body_text.strip():
            text = _("Reply on your request %(reference)s “%(title)s”:") % {
                "reference": ticket.reference,
                "title": ticket.title,
            }
            items.append(Item(f"reply:{article.pk}", f"{text}\n\n{article.body_text}", article))
        items += [
            Item(f"file:{a.pk}", article=article, attachment=a) for a in article.attachments.all()
        ]
        return items
    if event == "status_changed" and ticket.status_category == StatusCategory.RESOLVED:
        text = _(
            "Your request %(reference)s “%(title)s” has been resolved. If the problem is still "
            "there, just write here."
        ) % {"reference": ticket.reference, "title": ticket.title}
        return [Item(f"resolved:{ticket.pk}:{ticket.reopen_count}", text)]
    return []


def on_ticket_event(ticket_id: int, event: str, *, article_id: int | None = None) -> str:
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first()
    if ticket is None:
        return "ticket gone"
    chats = Chat.objects.filter(user_id=ticket.requester_id, bot__enabled=True)
    bot_id = (ticket.custom_fields or {}).get("telegram_bot")
    if isinstance(bot_id, int):  # opened through one bot: answer through that one only
        chats = chats.filter(bot_id=bot_id)
    chats = list(chats.select_related("bot"))
    if not chats:
        return "no chat"
    article = Article.objects.filter(pk=article_id).first() if article_id else None
    sent = 0
    failure: BotApiError | None = None
    for chat in chats:
        language = chat.language[:2] if chat.language[:2] in {"en", "ru", "uk"} else None
        with translation.override(language or ticket.requester.language or None):
            items = _items(ticket, event, article)
        for item in items:
            try:
                sent += deliver(chat, ticket, item)
            except BotApiError as exc:
                failure = failure or exc
    if failure is not None and not failure.permanent:
        raise failure  # the job fails visibly; a re-run sends only what is still missing
    return f"sent {sent}" if sent else "nothing to send"


def deliver(chat: Chat, ticket: Ticket, item: Item) -> int:
    """Send one item once. Returns 1 when this call sent it, 0 when it was already done."""
    message, _created = OutboundMessage.objects.get_or_create(
        chat=chat,
        key=item.key,
        defaults={
            "ticket": ticket,
            "article": item.article,
            "attachment": item.attachment,
            "text": item.text,
        },
    )
    claimed = OutboundMessage.objects.filter(
        pk=message.pk, state__in=[OutboundMessage.State.QUEUED, OutboundMessage.State.FAILED]
    ).update(state=OutboundMessage.State.SENDING, attempts=F("attempts") + 1)
    if not claimed:
        return 0  # sent already, or another worker is sending it right now
    try:
        api = client_for(chat.bot)
        if item.attachment is not None:
            with item.attachment.file.open("rb") as handle:
                content = handle.read()
            results = [
                api.send_document(
                    chat.chat_id,
                    item.attachment.filename,
                    content,
                    item.attachment.content_type,
                    caption=ticket.reference,
                )
            ]
        else:
            results = api.send_message(chat.chat_id, item.text)
    except (BotApiError, OSError) as exc:
        OutboundMessage.objects.filter(pk=message.pk).update(
            state=OutboundMessage.State.FAILED, error=str(exc)[:2000]
        )
        logger.warning("Telegram delivery %s to chat %s failed: %s", item.key, chat.pk, exc)
        raise
    first = results[0] if results and isinstance(results[0], dict) else {}
    OutboundMessage.objects.filter(pk=message.pk).update(
        state=OutboundMessage.State.SENT,
        sent_at=timezone.now(),
        error="",
        telegram_message_id=first.get("message_id"),
    )
    return 1
