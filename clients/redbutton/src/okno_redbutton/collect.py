"""Collect diagnostics of this computer with the standard library (psutil when installed).

Every collector is best effort: whatever fails is skipped and named in ``errors`` so one
broken source never stops a report. Linux is read from /proc and /sys; macOS and Windows use
their standard tools (``ps``, ``tasklist``, ``ipconfig``) or psutil when it is installed.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import getpass
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:  # optional
    import psutil  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the machine
    psutil = None

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
TOP_PROCESSES = 10
LOG_LINES = 50
PROBE_TIMEOUT = 3.0
MAX_SCREENSHOT = 3 * 1024 * 1024
REAL_FS = {
    "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "vfat", "exfat", "ntfs", "ntfs3",
    "fuseblk", "apfs", "hfs", "f2fs", "reiserfs", "jfs", "nfs", "nfs4", "cifs", "smb3",
}  # fmt: skip


def _run(args: list[str], timeout: float = 5.0) -> str | None:
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


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


# --- system, host ------------------------------------------------------------------------------
def system() -> dict[str, Any]:
    info: dict[str, Any] = {
        "os": platform.system(),
        "os_release": platform.release(),
        "os_version": platform.version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
    }
    release = _read("/etc/os-release")
    if release:
        match = re.search(r'^PRETTY_NAME="?([^"\n]*)"?', release, re.M)
        if match:
            info["distribution"] = match.group(1)
    elif sys.platform == "darwin":
        version = platform.mac_ver()[0]
        if version:
            info["distribution"] = f"macOS {version}"
    elif sys.platform.startswith("win"):
        info["distribution"] = f"Windows {platform.release()} ({platform.version()})"
    return info


def host() -> dict[str, Any]:
    try:
        user = getpass.getuser()
    except Exception:
        user = ""
    name = socket.gethostname()
    try:
        fqdn = socket.getfqdn()
    except OSError:
        fqdn = name
    return {"hostname": name, "fqdn": fqdn, "user": user}


# --- network -----------------------------------------------------------------------------------
def primary_ip(target: str = "192.0.2.1") -> str | None:
    """The source address the OS would use towards ``target`` (a UDP connect sends nothing)."""
    family = socket.AF_INET6 if ":" in target else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.connect((target, 9))
            return str(sock.getsockname()[0])
    except OSError:
        return None


def _interfaces_ip_json() -> list[dict[str, Any]] | None:
    import json

    out = _run(["ip", "-j", "addr", "show"])
    if not out:
        return None
    try:
        data = json.loads(out)
    except ValueError:
        return None
    interfaces = []
    for item in data:
        addresses = [
            f"{a.get('local')}/{a.get('prefixlen')}"
            for a in item.get("addr_info", [])
            if a.get("local")
        ]
        interfaces.append(
            {"name": item.get("ifname", ""), "mac": item.get("address", ""), "addresses": addresses}
        )
    return interfaces


def _interfaces_sys() -> list[dict[str, Any]]:
    interfaces = []
    base = Path("/sys/class/net")
    names = sorted(p.name for p in base.iterdir()) if base.is_dir() else []
    for name in names:
        mac = (_read(str(base / name / "address")) or "").strip()
        interfaces.append({"name": name, "mac": mac, "addresses": []})
    return interfaces


def _interfaces_psutil() -> list[dict[str, Any]]:
    interfaces = []
    link = getattr(psutil, "AF_LINK", None)
    for name, addrs in psutil.net_if_addrs().items():
        entry: dict[str, Any] = {"name": name, "mac": "", "addresses": []}
        for addr in addrs:
            if addr.family == link:
                entry["mac"] = addr.address.replace("-", ":").lower()
            elif addr.family in (socket.AF_INET, socket.AF_INET6):
                entry["addresses"].append(addr.address)
        interfaces.append(entry)
    return interfaces


def network(server_host: str = "") -> dict[str, Any]:
    if psutil is not None:
        interfaces = _interfaces_psutil()
    else:
        interfaces = _interfaces_ip_json() or _interfaces_sys()
    result: dict[str, Any] = {"interfaces": interfaces[:32]}
    ip = primary_ip(_resolve(server_host) or "192.0.2.1") if server_host else primary_ip()
    if ip:
        result["primary_ip"] = ip
    if not any(i.get("mac") for i in interfaces):
        import uuid

        node = uuid.getnode()
        if not (node >> 40) & 1:  # a real MAC, not a random stand-in
            mac = ":".join(f"{(node >> s) & 0xFF:02x}" for s in range(40, -1, -8))
            interfaces.append({"name": "", "mac": mac, "addresses": []})
    return result


def _resolve(name: str) -> str | None:
    try:
        return socket.getaddrinfo(name, None)[0][4][0]  # type: ignore[return-value]
    except (OSError, IndexError):
        return None


# --- uptime, cpu, memory, disks ----------------------------------------------------------------
def uptime() -> float | None:
    text = _read("/proc/uptime")
    if text:
        return float(text.split()[0])
    if psutil is not None:
        return time.time() - psutil.boot_time()
    if sys.platform == "darwin" or "bsd" in sys.platform:
        out = _run(["sysctl", "-n", "kern.boottime"])
        match = re.search(r"sec = (\d+)", out or "")
        if match:
            return time.time() - int(match.group(1))
    if sys.platform.startswith("win"):
        import ctypes

        return float(ctypes.windll.kernel32.GetTickCount64()) / 1000.0  # type: ignore[attr-defined]
    return None


def _proc_stat_times() -> tuple[int, int] | None:
    text = _read("/proc/stat")
    if not text:
        return None
    fields = [int(x) for x in text.splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields), idle


def cpu(sample: float = 0.25) -> dict[str, Any]:
    info: dict[str, Any] = {"count": os.cpu_count()}
    cpuinfo = _read("/proc/cpuinfo")
    if cpuinfo:
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
        if match:
            info["model"] = match.group(1).strip()
    if "model" not in info:
        info["model"] = platform.processor()
    with contextlib.suppress(AttributeError, OSError):
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    if psutil is not None:
        info["percent"] = psutil.cpu_percent(interval=sample)
        return info
    first = _proc_stat_times()
    if first is not None:
        time.sleep(sample)
        second = _proc_stat_times()
        if second is not None and second[0] > first[0]:
            busy = (second[0] - first[0]) - (second[1] - first[1])
            info["percent"] = round(100.0 * busy / (second[0] - first[0]), 1)
    return info


def memory() -> dict[str, Any]:
    if psutil is not None:
        vm, swap = psutil.virtual_memory(), psutil.swap_memory()
        return {
            "total": vm.total,
            "available": vm.available,
            "percent": vm.percent,
            "swap_total": swap.total,
            "swap_used": swap.used,
        }
    text = _read("/proc/meminfo")
    if text:
        values = {}
        for line in text.splitlines():
            name, _, rest = line.partition(":")
            parts = rest.split()
            if parts and parts[0].isdigit():
                values[name] = int(parts[0]) * 1024
        total = values.get("MemTotal", 0)
        available = values.get("MemAvailable", values.get("MemFree", 0))
        return {
            "total": total,
            "available": available,
            "percent": round(100.0 * (total - available) / total, 1) if total else None,
            "swap_total": values.get("SwapTotal", 0),
            "swap_used": values.get("SwapTotal", 0) - values.get("SwapFree", 0),
        }
    if sys.platform.startswith("win"):
        return _memory_windows()
    return {}


def _memory_windows() -> dict[str, Any]:  # pragma: no cover - Windows only
    import ctypes

    class Status(ctypes.Structure):
        _fields_ = [
            ("dwLength", ctypes.c_ulong),
            ("dwMemoryLoad", ctypes.c_ulong),
            ("ullTotalPhys", ctypes.c_ulonglong),
            ("ullAvailPhys", ctypes.c_ulonglong),
            ("ullTotalPageFile", ctypes.c_ulonglong),
            ("ullAvailPageFile", ctypes.c_ulonglong),
            ("ullTotalVirtual", ctypes.c_ulonglong),
            ("ullAvailVirtual", ctypes.c_ulonglong),
            ("sullAvailExtendedVirtual", ctypes.c_ulonglong),
        ]

    status = Status()
    status.dwLength = ctypes.sizeof(Status)
    ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status))  # type: ignore[attr-defined]
    return {
        "total": status.ullTotalPhys,
        "available": status.ullAvailPhys,
        "percent": float(status.dwMemoryLoad),
    }


def _mount_points() -> list[tuple[str, str, str]]:
    if psutil is not None:
        return [(p.device, p.mountpoint, p.fstype) for p in psutil.disk_partitions(all=False)]
    text = _read("/proc/mounts")
    if text:
        mounts = []
        for line in text.splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[2] in REAL_FS:
                mounts.append((parts[0], parts[1].replace("\\040", " "), parts[2]))
        return mounts
    if sys.platform.startswith("win"):
        import string

        return [
            (f"{d}:", f"{d}:\\", "") for d in string.ascii_uppercase if os.path.exists(f"{d}:\\")
        ]
    return [("", "/", "")]


def disks() -> list[dict[str, Any]]:
    result = []
    seen = set()
    for device, mount, fstype in _mount_points():
        if device in seen and device.startswith("/dev/"):
            continue  # bind mounts of the same device
        try:
            usage = shutil.disk_usage(mount)
        except OSError:
            continue
        seen.add(device)
        result.append(
            {
                "device": device,
                "mount": mount,
                "fstype": fstype,
                "total": usage.total,
                "used": usage.used,
                "free": usage.free,
                "percent": round(100.0 * usage.used / usage.total, 1) if usage.total else None,
            }
        )
        if len(result) >= 20:
            break
    if not result:
        usage = shutil.disk_usage(os.path.abspath(os.sep))
        result.append(
            {
                "device": "",
                "mount": os.path.abspath(os.sep),
                "fstype": "",
                "total": usage.total,
                "used": usage.used,
                "free": usage.free,
                "percent": round(100.0 * usage.used / usage.total, 1) if usage.total else None,
            }
        )
    return result


# --- processes ---------------------------------------------------------------------------------
def _proc_snapshot() -> dict[int, tuple[str, int, int, int]]:
    """pid -> (name, cpu ticks, rss bytes, uid) for every readable /proc/<pid>."""
    page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
    snapshot = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _read(f"/proc/{entry}/stat")
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
    out = _run(["ps", "-axo", "pid=,pcpu=,rss=,user=,comm="])
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

    out = _run(["tasklist", "/fo", "csv", "/nh"])
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


# --- logs --------------------------------------------------------------------------------------
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
    out = _run(["journalctl", "-n", str(lines), "--no-pager", "-q", "-o", "short-iso"])
    if out and out.strip():
        return {"source": "journalctl", "lines": out.splitlines()[-lines:]}
    for path in ("/var/log/syslog", "/var/log/messages", "/var/log/system.log"):
        tail = _tail(path, lines)
        if tail:
            return {"source": path, "lines": tail}
    if sys.platform.startswith("win"):
        out = _run(["wevtutil", "qe", "System", f"/c:{lines}", "/rd:true", "/f:text"])
        if out:
            return {"source": "wevtutil System", "lines": out.splitlines()[-lines * 4 :]}
    return {"source": None, "lines": [], "note": "no readable system log"}


# --- reachability ------------------------------------------------------------------------------
def parse_target(target: str, default_port: int = 443) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port`` → (host, port)."""
    target = target.strip()
    if target.startswith("["):
        host_, _, rest = target[1:].partition("]")
        port = rest.lstrip(":")
        return host_, int(port) if port.isdigit() else default_port
    if target.count(":") == 1:
        host_, port = target.split(":")
        return host_, int(port) if port.isdigit() else default_port
    return target, default_port


def probe(target: str, timeout: float = PROBE_TIMEOUT) -> dict[str, Any]:
    host_, port = parse_target(target)
    start = time.monotonic()
    try:
        with socket.create_connection((host_, port), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        if isinstance(exc, socket.timeout):
            reason = f"timed out after {timeout:g} s"
        return {"host": host_, "port": port, "ok": False, "ms": None, "error": str(reason)}
    return {
        "host": host_,
        "port": port,
        "ok": True,
        "ms": round((time.monotonic() - start) * 1000, 1),
        "error": None,
    }


def reachability(targets: list[str], timeout: float = PROBE_TIMEOUT) -> list[dict[str, Any]]:
    targets = list(dict.fromkeys(t for t in targets if t.strip()))[:20]
    if not targets:
        return []
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, len(targets))) as pool:
        return list(pool.map(lambda t: probe(t, timeout), targets))


# --- screenshot --------------------------------------------------------------------------------
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
            if _run(command, timeout=10) is not None and os.path.exists(path):
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
