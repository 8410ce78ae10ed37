"""A recording stand-in for the Telegram Bot API on 127.0.0.1, and a bot pointed at it."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

TOKEN = "123456:TEST-token_abc"


@dataclass
class Call:
    method: str
    params: dict
    files: dict = field(default_factory=dict)


class FakeBotApi:
    """Answers like api.telegram.org for sendMessage, sendDocument, getFile, file downloads and
    setWebhook, and records every call. ``down`` makes it answer 502 like an outage."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.files: dict[str, tuple[str, bytes]] = {}
        self.down = False
        self.token = TOKEN
        self._ids = itertools.count(1000)
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, data):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                prefix = f"/file/bot{api.token}/"
                if api.down:
                    return self._json(
                        502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
                    )
                for path, content in api.files.values():
                    if self.path == prefix + path:
                        api.calls.append(Call("download", {"file_path": path}))
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(content)))
                        self.end_headers()
                        self.wfile.write(content)
                        return None
                return self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if api.down:
                    return self._json(
                        502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
                    )
                token, _, method = self.path.removeprefix("/bot").partition("/")
                if token != api.token:
                    return self._json(
                        401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                    )
                params, files = api.decode(self.headers.get("Content-Type", ""), raw)
                api.calls.append(Call(method, params, files))
                return self._json(*api.answer(method, params))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @staticmethod
    def decode(content_type: str, raw: bytes) -> tuple[dict, dict]:
        if content_type.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {content_type}\r\n\r\n".encode() + raw
            )
            params, files = {}, {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if part.get_filename():
                    files[name] = (part.get_filename(), part.get_payload(decode=True))
                else:
                    params[name] = part.get_payload(decode=True).decode()
            return params, files
        return (json.loads(raw) if raw else {}), {}

    def answer(self, method: str, params: dict) -> tuple[int, dict]:
        if method in ("sendMessage", "sendDocument"):
            result = {
                "message_id": next(self._ids),
                "date": 1763900000,
                "chat": {"id": int(params["chat_id"]), "type": "private"},
            }
            if method == "sendMessage":
                result["text"] = params["text"]
            return 200, {"ok": True, "result": result}
        if method == "getFile":
            entry = self.files.get(params.get("file_id", ""))
            if entry is None:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: invalid file_id",
                }
            path, content = entry
            return 200, {
                "ok": True,
                "result": {
                    "file_id": params["file_id"],
                    "file_unique_id": "u" + params["file_id"],
                    "file_size": len(content),
                    "file_path": path,
                },
            }
        if method in ("setWebhook", "deleteWebhook"):
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def bot_api():
    api = FakeBotApi()
    yield api
    api.close()


@pytest.fixture
def bot(db, bot_api, service):
    from okno.telegram.models import Bot

    return Bot.objects.create(
        name="Helpdesk bot", token=TOKEN, api_base_url=bot_api.url, service=service
    )


@pytest.fixture
def deliver(client, bot):
    """POST an update to the bot's webhook the way Telegram does."""

    def post(update, *, secret=None, target=None):
        target = target or bot
        return client.post(
            f"/telegram/{target.pk}/webhook",
            data=json.dumps(update),
            content_type="application/json",
            HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=target.webhook_secret
            if secret is None
            else secret,
        )

    return post
