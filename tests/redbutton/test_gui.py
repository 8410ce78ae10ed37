"""The Tk window driven for real on a virtual display (Xvfb) against the live server:
type a comment, press GET HELP, check the preview, press Send, read the ticket number.
Skipped where Xvfb is not installed: the window is optional in CI (the CLI is the contract)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from okno.tickets.models import Ticket
from tests.redbutton.test_client_e2e import (  # noqa: F401 - shared fixtures
    CLIENT_SRC,
    _reference_data,
    _rules,
    relay,
    workstation,
)

sys.path.insert(0, str(CLIENT_SRC))


@pytest.fixture(scope="session")
def display():
    """One virtual display for the whole run: Tk keeps its X connection for the life of the
    process, and a second Tk window after that server is gone kills the process."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb is not installed (the Red Button window is optional in CI)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [xvfb, "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "1024x768x24"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    before = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = f":{number}"
    yield f":{number}"
    if before is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = before
    server.terminate()
    server.wait(timeout=10)


def pump(root, until, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        root.update()
        found = until()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError("the window did not get there in time")


def test_the_window_previews_sends_and_shows_the_ticket_number(display, workstation, tmp_path):  # noqa: F811
    import tkinter as tk
    from tkinter import scrolledtext

    from okno_redbutton import config, gui

    cfg = config.load(
        path=str(workstation["home"] / ".config" / "okno-redbutton" / "config.ini"),
        spool_dir=str(tmp_path / "spool"),
        env={},
    )
    root = tk.Tk()
    try:
        window = gui.Window(root, tk, scrolledtext, cfg, ["processes"])
        window.comment.insert("1.0", "Teams crashes on start")
        window.button.invoke()
        pump(root, lambda: getattr(window, "send_button", None))
        text = window.preview_text.get("1.0", "end")
        assert "Comment:   Teams crashes on start" in text and '"diagnostics"' in text
        send = window.send_button
        send.invoke()
        message = pump(
            root, lambda: "#" in window.status.cget("text") and window.status.cget("text")
        )
        ticket = Ticket.objects.get()
        assert message == f"Your request #{ticket.pk} has been registered."
        assert ticket.title == "Red Button: Teams crashes on start" and window.exit_code == 0
    finally:
        root.destroy()
