"""Collect diagnostics of this computer with the standard library (psutil when installed).

Every collector is best effort: whatever fails is skipped and named in ``errors`` so one
broken source never stops a report. Linux is read from /proc and /sys; macOS and Windows use
their standard tools (``ps``, ``tasklist``, ``wevtutil``) or psutil when it is installed.
"""

from __future__ import annotations

import concurrent.futures
import datetime
from collections.abc import Callable
from typing import Any

from .evidence import LOG_LINES, MAX_SCREENSHOT, logs, screenshot
from .machine import cpu, disks, host, memory, system, uptime
from .network import PROBE_TIMEOUT, network, parse_target, probe, reachability
from .processes import TOP_PROCESSES, processes
from .shell import psutil, read, run

__all__ = [
    "LOG_LINES",
    "MAX_SCREENSHOT",
    "PROBE_TIMEOUT",
    "SECTIONS",
    "TOP_PROCESSES",
    "collect",
    "cpu",
    "disks",
    "host",
    "logs",
    "memory",
    "network",
    "parse_target",
    "probe",
    "processes",
    "psutil",
    "reachability",
    "read",
    "run",
    "screenshot",
    "system",
    "uptime",
]  # fmt: skip

SECTIONS = (
    "system",
    "host",
    "network",
    "uptime",
    "cpu",
    "memory",
    "disks",
    "processes",
    "logs",
    "reachability",
)


def collect(
    *,
    hosts: list[str] | None = None,
    server_host: str = "",
    skip: list[str] | None = None,
    probe_timeout: float = PROBE_TIMEOUT,
) -> dict[str, Any]:
    """Every section that works on this machine, plus ``errors`` for those that did not."""
    skip_set = set(skip or [])
    report: dict[str, Any] = {
        "schema": 1,
        "collected_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    errors: dict[str, str] = {}
    collectors: dict[str, Callable[[], Any]] = {
        "system": system,
        "host": host,
        "network": lambda: network(server_host),
        "uptime": uptime,
        "cpu": cpu,
        "memory": memory,
        "disks": disks,
        "processes": processes,
        "logs": logs,
        "reachability": lambda: reachability(hosts or [], probe_timeout),
    }
    # The slow ones (sampling, subprocesses, network probes) run side by side.
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(collectors)) as pool:
        futures = {name: pool.submit(fn) for name, fn in collectors.items() if name not in skip_set}
        for name, future in futures.items():
            try:
                value = future.result(timeout=30)
            except Exception as exc:
                errors[name] = f"{exc.__class__.__name__}: {exc}"[:300]
                continue
            key = "uptime_seconds" if name == "uptime" else name
            if value is not None:
                report[key] = round(value, 1) if isinstance(value, float) else value
    if errors:
        report["errors"] = errors
    return report
