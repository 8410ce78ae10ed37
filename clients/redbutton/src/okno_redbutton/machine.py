"""This computer: system and version, host and user, uptime, CPU, memory, disks."""

from __future__ import annotations

import contextlib
import getpass
import os
import platform
import re
import shutil
import socket
import sys
import time
from typing import Any

from .shell import psutil, read, run

REAL_FS = {
    "ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "vfat", "exfat", "ntfs", "ntfs3",
    "fuseblk", "apfs", "hfs", "f2fs", "reiserfs", "jfs", "nfs", "nfs4", "cifs", "smb3",
}  # fmt: skip


def system() -> dict[str, Any]:
    info: dict[str, Any] = {
        "os": platform.system(),
        "os_release": platform.release(),
        "os_version": platform.version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
    }
    release = read("/etc/os-release")
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


def uptime() -> float | None:
    text = read("/proc/uptime")
    if text:
        return float(text.split()[0])
    if psutil is not None:
        return time.time() - float(psutil.boot_time())
    if sys.platform == "darwin" or "bsd" in sys.platform:
        out = run(["sysctl", "-n", "kern.boottime"])
        match = re.search(r"sec = (\d+)", out or "")
        if match:
            return time.time() - int(match.group(1))
    if sys.platform.startswith("win"):
        import ctypes

        return float(ctypes.windll.kernel32.GetTickCount64()) / 1000.0  # type: ignore[attr-defined]
    return None


def _proc_stat_times() -> tuple[int, int] | None:
    text = read("/proc/stat")
    if not text:
        return None
    fields = [int(x) for x in text.splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return sum(fields), idle


def cpu(sample: float = 0.25) -> dict[str, Any]:
    info: dict[str, Any] = {"count": os.cpu_count()}
    cpuinfo = read("/proc/cpuinfo")
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
    text = read("/proc/meminfo")
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
    text = read("/proc/mounts")
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
