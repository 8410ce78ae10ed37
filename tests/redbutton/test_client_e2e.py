"""The real client (``python -m okno_redbutton`` from clients/redbutton/src) against a running
Okno (pytest-django's live server): tickets, the second press, the offline queue, refusals.

"Server down" is real: the client talks to Okno through a TCP relay on its own port that the
test stops and starts, so the same config file sees connection refused, then the server.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from okno.redbutton import actions
from okno.redbutton.models import Press
from okno.tickets.models import Channel, Ticket

CLIENT_SRC = Path(__file__).resolve().parents[2] / "clients" / "redbutton" / "src"


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """Live-server tests flush the database between tests, seeded statuses and the priority
    matrix included; put them back the way the migrations do."""
    import importlib

    from django.apps import apps

    for module in (
        "okno.tickets.migrations.0002_default_statuses",
        "okno.priority.migrations.0002_default_matrix",
    ):
        importlib.import_module(module).seed(apps, None)


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.REDBUTTON_MERGE_WINDOW_MINUTES = 30
    settings.REDBUTTON_DEVICE_RATE = "3/h"
    settings.REDBUTTON_USER_RATE = "10/h"
    settings.API_RATE_LIMIT = ""


class Relay:
    """A TCP relay 127.0.0.1:<port> → the live server, which the test can switch off and on."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        if self.listener is not None:
            # shutdown wakes the thread blocked in accept(); close() alone leaves it listening
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def relay(live_server):
    parts = urlsplit(live_server.url)
    relay = Relay((parts.hostname, parts.port))
    relay.start()
    yield relay
    relay.stop()


@pytest.fixture
def workstation(tmp_path, requester, relay):
    """Rita's computer: a registered device and the config file the devices page hands out."""
    device, raw = actions.register_device(actor=requester, name="Rita's PC")
    home = tmp_path / "home"
    (home / ".config" / "okno-redbutton").mkdir(parents=True)
    config = home / ".config" / "okno-redbutton" / "config.ini"
    config.write_text(
        f"[okno]\nserver = http://127.0.0.1:{relay.port}\ntoken = {raw}\n"
        f"hosts = 127.0.0.1:{relay.port}\ntimeout = 5\n"
    )
    return {
        "home": home,
        "device": device,
        "token": raw,
        "spool": home / ".local" / "state" / "okno-redbutton" / "spool",
    }


def run_client(
    workstation, *args: str, timeout: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """The client as a person runs it; ``env`` adds or overrides variables (e.g. ``LANG``)."""
    extra = env or {}
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workstation["home"]),
        "XDG_CONFIG_HOME": str(workstation["home"] / ".config"),
        "XDG_STATE_HOME": str(workstation["home"] / ".local" / "state"),
        "PYTHONPATH": str(CLIENT_SRC),
        "LANG": "C.UTF-8",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-m", "okno_redbutton", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_one_press_files_a_ticket_with_this_machines_diagnostics(workstation, requester):
    done = run_client(workstation, "--yes", "-m", "The printer prints blank pages")
    assert done.returncode == 0, done.stderr + done.stdout
    ticket = Ticket.objects.get()
    assert f"Your request #{ticket.pk} has been registered." in done.stdout
    assert ticket.channel == Channel.REDBUTTON and ticket.requester == requester
    assert ticket.title == "Red Button: The printer prints blank pages"
    # the person saw exactly what went out: the preview holds the report id that was stored
    press = Press.objects.get()
    stored = json.loads(press.attachment.file.read())
    assert stored["report_id"] in done.stdout
    assert stored["diagnostics"]["host"]["hostname"] == socket.gethostname()
    assert {"system", "cpu", "memory", "disks", "processes", "reachability"} <= set(
        stored["diagnostics"]
    )
    assert stored["diagnostics"]["reachability"][0]["ok"] is True
    assert press.device == workstation["device"] and press.hostname == socket.gethostname()
    assert "- Host: " in ticket.articles.get().body_text


def test_second_press_adds_to_the_open_ticket_and_the_limit_refuses_the_fourth(workstation):
    first = run_client(workstation, "--yes")
    ticket = Ticket.objects.get()
    second = run_client(workstation, "--yes", "-m", "still broken")
    assert second.returncode == 0 and f"Added to your open request #{ticket.pk}." in second.stdout
    run_client(workstation, "--yes")
    fourth = run_client(workstation, "--yes")
    assert first.returncode == 0 and fourth.returncode == 1
    assert "too often" in fourth.stdout and f"#{ticket.pk}" in fourth.stdout
    assert Ticket.objects.count() == 1
    assert list(
        Press.objects.order_by("id").values_list("merged_into_open_ticket", "throttled")
    ) == [
        (False, False),
        (True, False),
        (True, False),
        (False, True),
    ]
    assert not list(workstation["spool"].glob("*.json")) if workstation["spool"].exists() else True


def test_offline_reports_are_queued_and_flushed_into_one_ticket(workstation, relay):
    relay.stop()  # the server is down
    offline = run_client(workstation, "--yes", "-m", "No network since 9:00")
    assert offline.returncode == 75, offline.stderr + offline.stdout
    assert "saved and will be sent" in offline.stdout
    queued = list(workstation["spool"].glob("*.json"))
    assert len(queued) == 1 and oct(queued[0].stat().st_mode & 0o777) == "0o600"
    assert not Ticket.objects.exists()
    still_down = run_client(workstation, "--flush")
    assert still_down.returncode == 75 and len(list(workstation["spool"].glob("*.json"))) == 1

    relay.start()  # the server is back
    flushed = run_client(workstation, "--flush")
    assert flushed.returncode == 0, flushed.stderr + flushed.stdout
    ticket = Ticket.objects.get()
    assert f"#{ticket.pk}" in flushed.stdout and "No network since 9:00" in ticket.title
    assert not list(workstation["spool"].glob("*.json"))
    # the queued report kept what was collected while offline: the failed probe is evidence
    stored = json.loads(Press.objects.get().attachment.file.read())
    assert stored["diagnostics"]["reachability"][0]["ok"] is False
    again = run_client(workstation, "--flush")
    assert again.returncode == 0 and "No queued reports." in again.stdout
    assert Ticket.objects.count() == 1


def test_a_queued_report_goes_out_before_the_next_press(workstation, relay):
    relay.stop()
    assert run_client(workstation, "--yes", "-m", "first").returncode == 75
    relay.start()
    done = run_client(workstation, "--yes", "-m", "second")
    assert done.returncode == 0
    ticket = Ticket.objects.get()
    assert ticket.title == "Red Button: first"  # the queued one came first
    assert f"Added to your open request #{ticket.pk}." in done.stdout
    assert Press.objects.count() == 2


def test_dry_run_shows_everything_and_sends_nothing(workstation, tmp_path):
    out = tmp_path / "payload.json"
    done = run_client(workstation, "--dry-run", "-m", "hello", "--output", str(out))
    assert done.returncode == 0
    payload = json.loads(out.read_text())
    assert payload["comment"] == "hello" and payload["report_id"] in done.stdout
    assert '"diagnostics"' in done.stdout and "nothing was sent" in done.stderr
    assert not Press.objects.exists() and not workstation["spool"].exists()


def test_a_wrong_token_is_refused_and_not_queued(workstation):
    done = run_client(workstation, "--yes", "--token", "okrb_not-a-real-token")
    assert done.returncode == 1 and "refused" in done.stdout
    assert not Ticket.objects.exists()
    assert not workstation["spool"].exists() or not list(workstation["spool"].glob("*.json"))


def test_without_a_terminal_the_client_asks_for_yes(workstation):
    done = run_client(workstation)
    assert done.returncode == 2 and "--yes" in done.stderr
    assert not Press.objects.exists()
