"""`okno serve --with-worker` on a fresh data directory: the login page answers, jobs run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def okno(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "okno.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_fresh_install_serves_login_page_and_runs_jobs(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKNO_", "DJANGO_"))}
    env["OKNO_DATA_DIR"] = str(tmp_path / "var")
    assert okno("migrate", "--noinput", env=env).returncode == 0
    demo = okno("demo", "--if-empty", "--tickets", "5", env=env)
    assert demo.returncode == 0, demo.stderr
    assert "agent@okno.example" in demo.stdout and "password" in demo.stdout

    port = free_port()
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "okno.cli", "serve", "--with-worker", "--bind", f"127.0.0.1:{port}"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body, elapsed = b"", 0.0
        while time.monotonic() - started < 60:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as r:
                    body, elapsed = r.read(), time.monotonic() - started
                    break
            except OSError:
                time.sleep(0.3)
        assert body, "login page did not answer within 60 s"
        assert b'name="username"' in body and b"csrfmiddlewaretoken" in body
        print(f"login page served {elapsed:.1f} s after start")
        # The worker beside the server sends the demo tickets' acknowledgements.
        sent = Path(env["OKNO_DATA_DIR"]) / "sent-mail"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (sent.exists() and any(sent.iterdir())):
            time.sleep(0.5)
        assert sent.exists() and any(sent.iterdir()), "the worker sent no queued notification"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
