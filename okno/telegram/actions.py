"""Writes of the Telegram channel: an update becomes a ticket or a reply on the open one.

A Telegram user has no email address, so each one becomes a requester with the synthetic
address ``tg-<telegram user id>@telegram.invalid`` (``.invalid`` is reserved: mail to it can
never be delivered anywhere). One chat has one open conversation; ``/new`` starts another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from okno.accounts.actions import get_or_create_requester
from okno.accounts.models import User
from okno.tickets.actions import add_reply, open_ticket
from okno.tickets.attachments import NewAttachment
from okno.tickets.models import Channel, StatusCategory, Ticket

from . import parse
from .models import Bot, Chat, InboundUpdate

SYNTHETIC_DOMAIN = "telegram.invalid"
TITLE_LENGTH = 80


def synthetic_email(telegram_user_id: int) -> str:
    return f"tg-{telegram_user_id}@{SYNTHETIC_DOMAIN}"


def is_synthetic_email(email: str) -> bool:
    return email.lower().endswith("@" + SYNTHETIC_DOMAIN)


@dataclass
class Handled:
    """What became of an update, and what (if anything) to tell the person in the chat."""

    outcome: str
    reply: str = ""
    chat: Chat | None = None
    ticket: Ticket | None = None


def requester_for(incoming: parse.Incoming) -> User:
    name = incoming.full_name or (f"@{incoming.username}" if incoming.username else "")
    return get_or_create_requester(
        synthetic_email(incoming.user_id), actor=None, name=name or f"Telegram {incoming.user_id}"
    )


def _chat_for(bot: Bot, incoming: parse.Incoming) -> Chat:
    chat = Chat.objects.filter(bot=bot, chat_id=incoming.chat_id).first()
    if chat is None:
        try:
            with transaction.atomic():
                chat = Chat.objects.create(
                    bot=bot,
                    chat_id=incoming.chat_id,
                    telegram_user_id=incoming.user_id,
                    user=requester_for(incoming),
                    username=incoming.username,
                    language=incoming.language,
                )
        except IntegrityError:  # the same chat's other update got there first
            pass
    # Lock: two quick messages from one chat must not open two tickets.
    chat = (
        Chat.objects.select_for_update()
        .select_related("user")
        .get(bot=bot, chat_id=incoming.chat_id)
    )
    if (chat.username, chat.language) != (incoming.username, incoming.language):
        chat.username, chat.language = incoming.username, incoming.language
        chat.save(update_fields=["username", "language", "updated_at"])
    return chat


def current_ticket(chat: Chat) -> Ticket | None:
    """The conversation new messages join: the chat's ticket unless it is closed (or merged
    into another, then that one)."""
    ticket = chat.ticket
    seen = set()
    while ticket is not None and ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = ticket.merged_into
    if ticket is None or ticket.status_category == StatusCategory.CLOSED:
        return None
    if ticket.requester_id != chat.user_id:
        return None  # merged into someone else's ticket: never write into (or show) theirs
    return ticket


def title_from(incoming: parse.Incoming) -> str:
    first = next((line.strip() for line in incoming.text.splitlines() if line.strip()), "")
    if not first:
        return _("Files sent from Telegram")
    if len(first) > TITLE_LENGTH:
        first = first[: TITLE_LENGTH - 1].rstrip() + "…"
    return first


def help_text() -> str:
    return _(
        "Write your question here and we will open a request for you. Photos and files are "
        "welcome.\n/new — start another request\n/status — the status of your current request"
    )


def status_text(chat: Chat) -> str:
    ticket = current_ticket(chat)
    if ticket is None:
        return _("You have no open request. Write a message to open one.")
    return _("Request %(reference)s “%(title)s”: %(status)s.") % {
        "reference": ticket.reference,
        "title": ticket.title,
        "status": ticket.status.requester_label,
    }


def _skipped_note(skipped: Sequence[str]) -> str:
    if not skipped:
        return ""
    return _("These files could not be taken (too large or unavailable): %(names)s") % {
        "names": ", ".join(skipped)
    }


@transaction.atomic
def handle_update(
    bot: Bot,
    incoming: parse.Incoming,
    *,
    payload: dict[str, object],
    files: Sequence[NewAttachment] = (),
    skipped: Sequence[str] = (),
) -> Handled:
    """Apply one update exactly once (a repeated ``update_id`` is a no-op)."""
    try:
        with transaction.atomic():
            log = InboundUpdate.objects.create(
                bot=bot, update_id=incoming.update_id, kind=incoming.kind, payload=payload
            )
    except IntegrityError:
        return Handled("duplicate")
    if incoming.kind == parse.IGNORED:
        result = Handled(f"ignored: {incoming.reason}"[:40])
    else:
        chat = _chat_for(bot, incoming)
        language = chat.language[:2] if chat.language[:2] in {"en", "ru", "uk"} else None
        with translation.override(language or chat.user.language or None):
            result = _dispatch(bot, chat, incoming, files, skipped)
        result.chat = chat
    log.outcome = result.outcome
    log.chat = result.chat
    log.ticket = result.ticket
    log.save(update_fields=["outcome", "chat", "ticket"])
    return result


def _dispatch(
    bot: Bot,
    chat: Chat,
    incoming: parse.Incoming,
    files: Sequence[NewAttachment],
    skipped: Sequence[str],
) -> Handled:
    if incoming.kind == parse.EDITED:
        # An edit would land as a confusing second copy; ask for a new message instead.
        return Handled(
            "edit_ignored",
            _(
                "Edited messages do not reach the service desk. Please send the correction as a "
                "new message."
            ),
        )
    if incoming.command in ("start", "help"):
        return Handled(incoming.command, help_text())
    if incoming.command == "status":
        return Handled("status", status_text(chat))
    if incoming.command == "new":
        if chat.ticket_id is not None:
            chat.ticket = None
            chat.save(update_fields=["ticket", "updated_at"])
        if not incoming.text.strip() and not files:
            return Handled("new", _("Send your message and we will open a new request."))
    elif not incoming.text.strip() and not files:
        reply = _skipped_note(skipped) or _("Please send text, photos or files.")
        return Handled("unsupported", reply)
    try:
        return _write(bot, chat, incoming, files, skipped)
    except ValidationError as exc:
        return Handled(
            "invalid",
            _("We could not take this message: %(problem)s") % {"problem": " ".join(exc.messages)},
        )


def _write(
    bot: Bot,
    chat: Chat,
    incoming: parse.Incoming,
    files: Sequence[NewAttachment],
    skipped: Sequence[str],
) -> Handled:
    message_id = f"telegram:{chat.chat_id}:{incoming.message_id}"
    ticket = current_ticket(chat)
    if ticket is not None:
        add_reply(
            ticket,
            actor=chat.user,
            body=incoming.text,
            attachments=files,
            channel=Channel.CHAT,
            message_id=message_id,
        )
        if chat.ticket_id != ticket.pk:
            chat.ticket = ticket
            chat.save(update_fields=["ticket", "updated_at"])
        return Handled("replied", _skipped_note(skipped), ticket=ticket)
    description = incoming.text.strip() or _("Sent %(count)d file(s) from Telegram.") % {
        "count": len(files)
    }
    ticket = open_ticket(
        actor=chat.user,
        title=title_from(incoming),
        description=description,
        service=bot.service,
        channel=Channel.CHAT,
        attachments=files,
        message_id=message_id,
        custom_fields={"telegram_bot": bot.pk, "telegram_chat": chat.chat_id},
    )
    chat.ticket = ticket
    chat.save(update_fields=["ticket", "updated_at"])
    reply = _(
        "Thank you! Your request %(reference)s has been registered. Write here to add details; "
        "our answers will come to this chat. /status shows its status, /new starts another "
        "request."
    ) % {"reference": ticket.reference}
    note = _skipped_note(skipped)
    return Handled("opened", f"{reply}\n\n{note}" if note else reply, ticket=ticket)
