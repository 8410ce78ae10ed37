"""A small Telegram Bot API client on the standard library (only the few methods Okno uses).

The base URL is configurable (a self-hosted Bot API server, or the tests' recording server).
The token is part of every URL, so it is kept out of every error message and log line.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote, urlsplit

TIMEOUT = 15
MAX_TEXT = 4096
# What getFile can hand out on the public Bot API server.
MAX_DOWNLOAD = 20 * 1024 * 1024


class BotApiError(Exception):
    """The Bot API said no (``error_code`` from Telegram) or could not be reached (code 0)."""

    def __init__(self, description: str, error_code: int = 0, retry_after: int | None = None):
        super().__init__(description)
        self.description = description
        self.error_code = error_code
        self.retry_after = retry_after

    @property
    def permanent(self) -> bool:
        """400/403/404: the request itself is wrong or the user blocked the bot."""
        return self.error_code in (400, 403, 404)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Cut a long text into messages Telegram accepts, preferring line breaks."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= limit // 2:
            cut = limit
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text or not chunks:
        chunks.append(text)
    return chunks


class BotApi:
    def __init__(self, base_url: str, token: str, *, timeout: int = TIMEOUT) -> None:
        if urlsplit(base_url).scheme not in {"http", "https"}:
            raise BotApiError("The Bot API base URL must be http(s)")
        if not token:
            raise BotApiError("The bot has no token")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _hide(self, text: str) -> str:
        return text.replace(self.token, "***")

    def _open(
        self,
        path: str,
        *,
        data: bytes | None = None,
        content_type: str = "",
        limit: int = MAX_DOWNLOAD,
    ) -> bytes:
        # The scheme is checked in __init__: only http(s) reaches urllib.
        request = urllib.request.Request(  # noqa: S310
            f"{self.base_url}/{path}",
            data=data,
            headers={"Content-Type": content_type} if content_type else {},
            method="POST" if data is not None else "GET",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                content = bytes(response.read(limit + 1))
                if len(content) > limit:
                    raise BotApiError("The file is too big", 400)
                return content
        except urllib.error.HTTPError as exc:
            body = exc.read()
            try:
                data = json.loads(body)
            except ValueError:
                raise BotApiError(f"HTTP {exc.code}", exc.code) from None
            raise self._error(data, exc.code) from None
        except (urllib.error.URLError, OSError) as exc:
            raise BotApiError(self._hide(f"Bot API unreachable: {exc}")) from None

    def _error(self, data: Any, status: int) -> BotApiError:
        if not isinstance(data, dict):
            return BotApiError(f"HTTP {status}", status)
        params = data.get("parameters") or {}
        return BotApiError(
            self._hide(str(data.get("description") or f"HTTP {status}")),
            int(data.get("error_code") or status),
            params.get("retry_after") if isinstance(params, dict) else None,
        )

    def _result(self, body: bytes) -> Any:
        try:
            data = json.loads(body)
        except ValueError:
            raise BotApiError("The Bot API answered with something that is not JSON") from None
        if not isinstance(data, dict) or not data.get("ok"):
            raise self._error(data, 200)
        return data.get("result")

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        body = json.dumps(params or {}).encode()
        return self._result(
            self._open(f"bot{self.token}/{method}", data=body, content_type="application/json")
        )

    def send_message(self, chat_id: int, text: str) -> list[dict[str, Any]]:
        return [
            self.call("sendMessage", {"chat_id": chat_id, "text": chunk})
            for chunk in split_text(text)
        ]

    def send_document(
        self, chat_id: int, filename: str, content: bytes, content_type: str, caption: str = ""
    ) -> Any:
        boundary = f"okno-{secrets.token_hex(12)}"
        safe_name = quote(filename, safe=" ._-()")
        parts = [
            ("chat_id", None, str(chat_id).encode(), None),
            ("document", safe_name, content, content_type or "application/octet-stream"),
        ]
        if caption:
            parts.append(("caption", None, caption[:1024].encode(), None))
        body = bytearray()
        for name, fname, data, ctype in parts:
            body += f"--{boundary}\r\n".encode()
            disposition = f'form-data; name="{name}"'
            if fname is not None:
                disposition += f'; filename="{fname}"'
            body += f"Content-Disposition: {disposition}\r\n".encode()
            if ctype:
                body += f"Content-Type: {ctype}\r\n".encode()
            body += b"\r\n" + data + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        return self._result(
            self._open(
                f"bot{self.token}/sendDocument",
                data=bytes(body),
                content_type=f"multipart/form-data; boundary={boundary}",
            )
        )

    def get_file(self, file_id: str) -> dict[str, Any]:
        result = self.call("getFile", {"file_id": file_id})
        if not isinstance(result, dict) or not result.get("file_path"):
            raise BotApiError("getFile returned no file path", 400)
        return result

    def download(self, file_path: str, max_bytes: int) -> bytes:
        return self._open(f"file/bot{self.token}/{quote(file_path)}", limit=max_bytes)

    def set_webhook(self, url: str, secret_token: str, allowed_updates: list[str]) -> Any:
        return self.call(
            "setWebhook",
            {"url": url, "secret_token": secret_token, "allowed_updates": allowed_updates},
        )
