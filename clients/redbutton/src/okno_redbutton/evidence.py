"""Recent system log lines and, when asked, a screenshot: both best effort."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from .shell import run

LOG_LINES = 50
MAX_SCREENSHOT = 3 * 1024 * 1024


def _tail(path: str, lines: int) -> list[str] | None:
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            data = handle.read().decode("utf-8", "replace")
    except OSError:
        return None
    return data.splitlines()[-lines:]


def logs(lines: int = LOG_LINES) -> dict[str, Any]:
    """Recent system log lines: journald, else the syslog file; absent is fine."""
    out = run(["journalctl", "-n", str(lines), "--no-pager", "-q", "-o", "short-iso"])
    if out and out.strip():
        return {"source": "journalctl", "lines": out.splitlines()[-lines:]}
    for path in ("/var/log/syslog", "/var/log/messages", "/var/log/system.log"):
        tail = _tail(path, lines)
        if tail:
            return {"source": path, "lines": tail}
    if sys.platform.startswith("win"):
        out = run(["wevtutil", "qe", "System", f"/c:{lines}", "/rd:true", "/f:text"])
        if out:
            return {"source": "wevtutil System", "lines": out.splitlines()[-lines * 4 :]}
    return {"source": None, "lines": [], "note": "no readable system log"}


# --- reachability ------------------------------------------------------------------------------
def screenshot() -> bytes | None:
    """A PNG of the screen where a tool for it exists; None otherwise (never raises)."""
    try:
        return _screenshot()
    except Exception:
        return None


def _screenshot() -> bytes | None:
    try:
        from PIL import ImageGrab  # type: ignore[import-not-found]
    except ImportError:
        ImageGrab = None
    with tempfile.TemporaryDirectory(prefix="okno-rb-") as tmp:
        path = os.path.join(tmp, "screen.png")
        commands: list[list[str]] = []
        if sys.platform == "darwin":
            commands.append(["screencapture", "-x", "-t", "png", path])
        elif sys.platform.startswith("win"):
            script = (
                "Add-Type -AssemblyName System.Windows.Forms,System.Drawing;"
                "$b=[System.Windows.Forms.SystemInformation]::VirtualScreen;"
                "$i=New-Object System.Drawing.Bitmap $b.Width,$b.Height;"
                "$g=[System.Drawing.Graphics]::FromImage($i);"
                "$g.CopyFromScreen($b.Left,$b.Top,0,0,$i.Size);"
                f"$i.Save('{path}',[System.Drawing.Imaging.ImageFormat]::Png)"
            )
            commands.append(["powershell", "-NoProfile", "-Command", script])
        else:
            if os.environ.get("WAYLAND_DISPLAY"):
                commands.append(["grim", path])
            if os.environ.get("DISPLAY"):
                commands += [
                    ["gnome-screenshot", "-f", path],
                    ["scrot", "-o", path],
                    ["import", "-window", "root", path],
                ]
        for command in commands:
            if run(command, timeout=10) is not None and os.path.exists(path):
                data = Path(path).read_bytes()
                if data.startswith(b"\x89PNG") and len(data) <= MAX_SCREENSHOT:
                    return data
        if ImageGrab is not None and (
            not sys.platform.startswith("linux") or os.environ.get("DISPLAY")
        ):
            ImageGrab.grab(all_screens=True).save(path, "PNG")
            data = Path(path).read_bytes()
            return data if len(data) <= MAX_SCREENSHOT else None
    return None


# --- all together ------------------------------------------------------------------------------
