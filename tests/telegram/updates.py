"""Update payloads as Telegram sends them to a webhook (shapes recorded from the Bot API,
ids and names changed). Each builder takes the ``update_id`` so tests can replay or vary it."""

from __future__ import annotations

import copy

ANNA = {
    "id": 500100200,
    "is_bot": False,
    "first_name": "Anna",
    "last_name": "Kovalenko",
    "username": "anna_k",
    "language_code": "en",
}
PRIVATE_CHAT = {
    "id": 500100200,
    "first_name": "Anna",
    "last_name": "Kovalenko",
    "username": "anna_k",
    "type": "private",
}
DATE = 1763901234


def _message(update_id: int, message_id: int, **content) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "from": copy.deepcopy(ANNA),
            "chat": copy.deepcopy(PRIVATE_CHAT),
            "date": DATE,
            **content,
        },
    }


def text(update_id: int, body: str, message_id: int | None = None) -> dict:
    return _message(update_id, message_id or update_id - 900000, text=body)


def command(update_id: int, name: str, rest: str = "") -> dict:
    body = f"/{name}" + (f" {rest}" if rest else "")
    update = text(update_id, body)
    update["message"]["entities"] = [{"offset": 0, "length": len(name) + 1, "type": "bot_command"}]
    return update


def photo(update_id: int, caption: str = "") -> dict:
    sizes = [
        {
            "file_id": "AgACAgIAAxkBAAIBsmall",
            "file_unique_id": "AQADs",
            "file_size": 1203,
            "width": 90,
            "height": 67,
        },
        {
            "file_id": "AgACAgIAAxkBAAIBlarge",
            "file_unique_id": "AQADl",
            "file_size": 52011,
            "width": 1280,
            "height": 960,
        },
        {
            "file_id": "AgACAgIAAxkBAAIBmedium",
            "file_unique_id": "AQADm",
            "file_size": 15402,
            "width": 320,
            "height": 240,
        },
    ]
    content = {"photo": sizes}
    if caption:
        content["caption"] = caption
    return _message(update_id, update_id - 900000, **content)


def document(update_id: int, caption: str = "") -> dict:
    content = {
        "document": {
            "file_name": "error-log.txt",
            "mime_type": "text/plain",
            "file_id": "BQACAgIAAxkBAAIBdoc",
            "file_unique_id": "AgADdoc",
            "file_size": 64,
        }
    }
    if caption:
        content["caption"] = caption
    return _message(update_id, update_id - 900000, **content)


def sticker(update_id: int) -> dict:
    return _message(
        update_id,
        update_id - 900000,
        sticker={
            "file_id": "CAACAgIAAxkBAAIBstk",
            "file_unique_id": "AgADstk",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        },
    )


def edited(update_id: int, message_id: int, body: str) -> dict:
    update = text(update_id, body, message_id)
    message = update.pop("message")
    message["edit_date"] = DATE + 60
    update["edited_message"] = message
    return update


def group_message(update_id: int, body: str) -> dict:
    update = text(update_id, body)
    update["message"]["chat"] = {"id": -1001234567890, "title": "Office chat", "type": "supergroup"}
    return update


def from_bot(update_id: int, body: str) -> dict:
    update = text(update_id, body)
    update["message"]["from"] = {
        "id": 777000111,
        "is_bot": True,
        "first_name": "OtherBot",
        "username": "other_bot",
    }
    return update


def callback_query(update_id: int) -> dict:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": copy.deepcopy(ANNA),
            "chat_instance": "-1234",
            "data": "button",
        },
    }
