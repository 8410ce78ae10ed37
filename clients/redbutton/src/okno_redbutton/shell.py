"""Running the system's own tools and reading its files, never raising (best effort)."""

from __future__ import annotations

import importlib
import shutil
import subprocess
from typing import Any

psutil: Any
try:  # optional: better figures on Windows and macOS
    psutil = importlib.import_module("psutil")
except ImportError:  # pragma: no cover - depends on the machine
    psutil = None


def run(args: list[str], timeout: float = 5.0) -> str | None:
    """Output of a command, or None when it is missing, fails or takes too long."""
    if shutil.which(args[0]) is None:
        return None
    try:
        done = subprocess.run(  # noqa: S603 - fixed argument lists, no shell
            args, capture_output=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "replace")


def read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None
