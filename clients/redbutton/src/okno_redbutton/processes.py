"""The busiest processes: by CPU over a short sample, then by memory."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from typing import Any

from .shell import psutil, read, run

TOP_PROCESSES = 10


def _proc_snapshot() -> dict[int, tuple[str, int, int, int]]:
    """pid -> (name, cpu ticks, rss bytes, uid) for every readable /proc/<pid>."""
    page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
    snapshot = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = read(f"/proc/{entry}/stat")
        if not stat or ")" not in stat:
            continue
        name = stat[stat.find("(") + 1 : stat.rfind(")")]
        rest = stat[stat.rfind(")") + 2 :].split()
        try:
            ticks = int(rest[11]) + int(rest[12])
            rss = int(rest[21]) * page
            uid = os.stat(f"/proc/{entry}").st_uid
        except (IndexError, ValueError, OSError):
            continue
        snapshot[int(entry)] = (name, ticks, rss, uid)
    return snapshot


def _user_name(uid: int, cache: dict[int, str]) -> str:
    if uid not in cache:
        try:
            import pwd

            cache[uid] = pwd.getpwuid(uid).pw_name
        except (ImportError, KeyError):
            cache[uid] = str(uid)
    return cache[uid]


def processes(sample: float = 0.25) -> list[dict[str, Any]]:
    """The busiest processes: by CPU over a short sample, then by memory."""
    if psutil is not None:
        procs = list(psutil.process_iter(["pid", "name", "username", "memory_info"]))
        for p in procs:
            with contextlib.suppress(psutil.Error):
                p.cpu_percent(None)
        time.sleep(sample)
        rows = []
        for p in procs:
            try:
                rows.append(
                    {
                        "pid": p.info["pid"],
                        "name": p.info["name"],
                        "user": p.info.get("username") or "",
                        "cpu_percent": p.cpu_percent(None),
                        "memory_rss": p.info["memory_info"].rss if p.info.get("memory_info") else 0,
                    }
                )
            except psutil.Error:
                continue
        return _top(rows)
    if os.path.isdir("/proc/self"):
        first = _proc_snapshot()
        start = time.monotonic()
        time.sleep(sample)
        second = _proc_snapshot()
        elapsed = time.monotonic() - start
        hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        users: dict[int, str] = {}
        rows = []
        for pid, (name, ticks, rss, uid) in second.items():
            before = first.get(pid)
            cpu_ticks = ticks - before[1] if before else 0
            rows.append(
                {
                    "pid": pid,
                    "name": name,
                    "user": _user_name(uid, users),
                    "cpu_percent": round(100.0 * cpu_ticks / hz / elapsed, 1) if elapsed else 0.0,
                    "memory_rss": rss,
                }
            )
        return _top(rows)
    if sys.platform.startswith("win"):
        return _processes_tasklist()
    out = run(["ps", "-axo", "pid=,pcpu=,rss=,user=,comm="])
    rows = []
    for line in (out or "").splitlines():
        parts = line.split(None, 4)
        if len(parts) == 5:
            try:
                rows.append(
                    {
                        "pid": int(parts[0]),
                        "cpu_percent": float(parts[1]),
                        "memory_rss": int(parts[2]) * 1024,
                        "user": parts[3],
                        "name": os.path.basename(parts[4]),
                    }
                )
            except ValueError:
                continue
    return _top(rows)


def _processes_tasklist() -> list[dict[str, Any]]:  # pragma: no cover - Windows only
    import csv
    import io

    out = run(["tasklist", "/fo", "csv", "/nh"])
    rows = []
    for row in csv.reader(io.StringIO(out or "")):
        if len(row) >= 5:
            digits = re.sub(r"\D", "", row[4])
            rows.append(
                {
                    "pid": int(row[1]) if row[1].isdigit() else row[1],
                    "name": row[0],
                    "user": "",
                    "cpu_percent": None,
                    "memory_rss": int(digits) * 1024 if digits else 0,
                }
            )
    return _top(rows)


def _top(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_cpu = sorted(rows, key=lambda r: r.get("cpu_percent") or 0.0, reverse=True)
    by_mem = sorted(rows, key=lambda r: r.get("memory_rss") or 0, reverse=True)
    chosen: list[dict[str, Any]] = []
    seen = set()
    for row in [r for r in by_cpu[:5] if (r.get("cpu_percent") or 0) > 0] + by_mem:
        if row["pid"] not in seen:
            seen.add(row["pid"])
            chosen.append(row)
        if len(chosen) >= TOP_PROCESSES:
            break
    return chosen
