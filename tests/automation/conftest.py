"""A real HTTP receiver on 127.0.0.1 that records webhook requests and fails on demand."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """``answers`` is consumed one per request: an int status, ``"timeout"`` (sleep past the
    client's timeout) or ``"redirect"``; when empty, every request gets ``default``."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    answers: list[int | str] = field(default_factory=list)
    default: int | str = 200
    sleep: float = 1.0

    def next_answer(self) -> int | str:
        return self.answers.pop(0) if self.answers else self.default


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            answer = state.next_answer()
            if answer == "timeout":
                time.sleep(state.sleep)
                answer = 200
            if answer == "redirect":
                self.send_response(302)
                self.send_header("Location", "/elsewhere")
                self.end_headers()
                return
            payload = b'{"ok": true}' if answer < 400 else b"receiver exploded " * 200
            self.send_response(int(answer))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/okno"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def drain(run_tasks, django_capture_on_commit_callbacks):
    """Run queued jobs, and the jobs they queue on commit, until nothing is ready."""

    def run(rounds: int = 10) -> None:
        for _ in range(rounds):
            with django_capture_on_commit_callbacks(execute=True):
                ran = run_tasks()
            if not ran:
                return

    return run


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.WEBHOOK_TIMEOUT = 0.5
    settings.WEBHOOK_MAX_ATTEMPTS = 6
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    settings.WEBHOOK_DISABLE_AFTER = 10
