"""The webhook Telegram calls with each update.

Telegram proves itself with the secret it was given by ``setWebhook`` (header
``X-Telegram-Bot-Api-Secret-Token``). Files are fetched from the Bot API before the database
transaction; an unreachable Bot API answers 502 so that Telegram delivers the update again
(a repeated ``update_id`` is never applied twice).
"""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from okno.tickets.attachments import NewAttachment

from . import actions, parse
from .botapi import MAX_DOWNLOAD, BotApiError
from .models import Bot, InboundUpdate
from .outbound import client_for

logger = logging.getLogger(__name__)


def _fetch_files(bot: Bot, incoming: parse.Incoming) -> tuple[list[NewAttachment], list[str]]:
    """Download the update's files; too large or refused ones are named in ``skipped``."""
    files: list[NewAttachment] = []
    skipped: list[str] = []
    if not incoming.files or incoming.kind != parse.MESSAGE:
        return files, skipped
    limit = min(settings.ATTACHMENT_MAX_BYTES, MAX_DOWNLOAD)
    api = client_for(bot)
    for ref in incoming.files:
        if ref.size is not None and ref.size > limit:
            skipped.append(ref.filename)
            continue
        try:
            info = api.get_file(ref.file_id)
            content = api.download(str(info["file_path"]), limit)
        except BotApiError as exc:
            if not exc.permanent:
                raise
            skipped.append(ref.filename)
            continue
        if content:
            files.append(NewAttachment(ref.filename, content))
        else:
            skipped.append(ref.filename)
    return files, skipped


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, bot_id: int) -> HttpResponse:
    bot = Bot.objects.select_related("service").filter(pk=bot_id, enabled=True).first()
    if bot is None:
        return JsonResponse({"ok": False, "error": "unknown bot"}, status=404)
    secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not hmac.compare_digest(secret.encode(), bot.webhook_secret.encode()):
        return JsonResponse({"ok": False, "error": "wrong secret token"}, status=403)
    try:
        payload = json.loads(request.body)
        incoming = parse.parse_update(payload)
    except (ValueError, parse.UpdateError):
        return JsonResponse({"ok": False, "error": "not a Telegram update"}, status=400)
    if InboundUpdate.objects.filter(bot=bot, update_id=incoming.update_id).exists():
        return JsonResponse({"ok": True, "outcome": "duplicate"})
    try:
        files, skipped = _fetch_files(bot, incoming)
    except BotApiError as exc:
        logger.warning("Telegram bot %s: could not fetch files: %s", bot.pk, exc)
        return JsonResponse({"ok": False, "error": "files unavailable, retry"}, status=502)
    result = actions.handle_update(bot, incoming, payload=payload, files=files, skipped=skipped)
    if result.reply and result.chat is not None:
        try:
            client_for(bot).send_message(result.chat.chat_id, result.reply)
        except BotApiError as exc:  # the update is stored; a lost notice is not worth a retry
            logger.warning("Telegram bot %s: could not answer chat: %s", bot.pk, exc)
    return JsonResponse({"ok": True, "outcome": result.outcome})
