"""Telegram updates → plain values. Pure: no Django, no I/O; tested on its own.

Only private chats with people are served. Groups, channels, bots' own messages and update
kinds the desk has no use for come back as ``IGNORED`` with a reason, so the webhook can log
them and answer 200 (Telegram would otherwise retry them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MESSAGE = "message"
EDITED = "edited"
IGNORED = "ignored"

COMMANDS = frozenset({"start", "help", "new", "status"})
# Media carrying one file each; ``photo`` (a list of sizes) is handled apart.
FILE_KINDS = ("document", "video", "audio", "voice", "animation", "video_note")
DEFAULT_NAMES = {
    "photo": "photo-{id}.jpg",
    "document": "document-{id}",
    "video": "video-{id}.mp4",
    "audio": "audio-{id}.mp3",
    "voice": "voice-{id}.ogg",
    "animation": "animation-{id}.mp4",
    "video_note": "video-note-{id}.mp4",
}


class UpdateError(ValueError):
    """Not a Telegram update at all (no integer ``update_id``)."""


@dataclass(frozen=True)
class FileRef:
    kind: str
    file_id: str
    filename: str
    size: int | None = None


@dataclass(frozen=True)
class Incoming:
    update_id: int
    kind: str
    reason: str = ""
    chat_id: int = 0
    message_id: int = 0
    user_id: int = 0
    first_name: str = ""
    last_name: str = ""
    username: str = ""
    language: str = ""
    text: str = ""
    command: str = ""
    files: tuple[FileRef, ...] = field(default_factory=tuple)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def has_content(self) -> bool:
        return bool(self.text.strip() or self.files)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def split_command(text: str) -> tuple[str, str]:
    """``"/new@OknoBot printer broke"`` → ``("new", "printer broke")``; other text → ``("", text)``."""
    if not text.startswith("/"):
        return "", text
    head, _sep, rest = text.partition(" ")
    if "\n" in head:
        head, _sep2, more = head.partition("\n")
        rest = more + (" " + rest if rest else "")
    name = head[1:].split("@", 1)[0].lower()
    if name not in COMMANDS:
        return "", text
    return name, rest.strip()


def _files(message: dict[str, Any], message_id: int) -> tuple[FileRef, ...]:
    found: list[FileRef] = []
    photos = message.get("photo")
    if isinstance(photos, list):
        sizes = [p for p in photos if isinstance(p, dict) and _str(p.get("file_id"))]
        if sizes:
            best = max(
                sizes, key=lambda p: (_int(p.get("width")) or 0) * (_int(p.get("height")) or 0)
            )
            found.append(
                FileRef(
                    "photo",
                    _str(best["file_id"]),
                    DEFAULT_NAMES["photo"].format(id=message_id),
                    _int(best.get("file_size")),
                )
            )
    for kind in FILE_KINDS:
        media = message.get(kind)
        if isinstance(media, dict) and _str(media.get("file_id")):
            name = _str(media.get("file_name")) or DEFAULT_NAMES[kind].format(id=message_id)
            found.append(FileRef(kind, _str(media["file_id"]), name, _int(media.get("file_size"))))
    return tuple(found)


def parse_update(update: Any) -> Incoming:
    if not isinstance(update, dict) or _int(update.get("update_id")) is None:
        raise UpdateError("not a Telegram update")
    update_id = int(update["update_id"])
    if isinstance(update.get("message"), dict):
        kind, message = MESSAGE, update["message"]
    elif isinstance(update.get("edited_message"), dict):
        kind, message = EDITED, update["edited_message"]
    else:
        known = next((k for k in update if k != "update_id"), "empty")
        return Incoming(update_id, IGNORED, reason=f"unsupported update: {known}")
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat_id, user_id = _int(chat.get("id")), _int(sender.get("id"))
    if chat.get("type") != "private":
        return Incoming(update_id, IGNORED, reason=f"chat type {chat.get('type')!s}")
    if sender.get("is_bot") is True:
        return Incoming(update_id, IGNORED, reason="sent by a bot")
    if chat_id is None or user_id is None:
        return Incoming(update_id, IGNORED, reason="no chat or sender")
    message_id = _int(message.get("message_id")) or 0
    raw = _str(message.get("text")) or _str(message.get("caption"))
    command, text = split_command(raw.strip())
    return Incoming(
        update_id=update_id,
        kind=kind,
        chat_id=chat_id,
        message_id=message_id,
        user_id=user_id,
        first_name=_str(sender.get("first_name"))[:100],
        last_name=_str(sender.get("last_name"))[:100],
        username=_str(sender.get("username"))[:100],
        language=_str(sender.get("language_code"))[:16],
        text=text,
        command=command,
        files=_files(message, message_id),
    )
