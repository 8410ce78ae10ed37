"""The offline queue: one JSON file per report, sent oldest first when the server answers.

Files are written atomically (temporary file + rename) and readable by the owner only, since
they hold the diagnostics. A report keeps its ``report_id`` in the queue, and the server
files a report id once, so a report resent after a lost answer never makes a second ticket.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path
from typing import Any


def _ensure(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        os.chmod(directory, 0o700)
    return directory


def enqueue(directory: Path, payload: dict[str, Any]) -> Path:
    _ensure(directory)
    name = (
        f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{payload.get('report_id', 'report')}.json"
    )
    path = directory / name
    tmp = directory / (name + ".tmp")
    fd = os.open(str(tmp), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"queued_at": time.time(), "payload": payload}, handle)
    os.replace(tmp, path)
    return path


def pending(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.json") if p.is_file())


def load(path: Path) -> tuple[dict[str, Any], float]:
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    return data["payload"], float(data.get("queued_at", 0))


def remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def set_aside(path: Path) -> Path:
    """A report the server refused for good (e.g. invalid): keep it, but stop resending."""
    target = path.with_suffix(".rejected")
    os.replace(path, target)
    return target
