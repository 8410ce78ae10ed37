"""Network: interfaces with their addresses, and whether the important hosts answer."""

from __future__ import annotations

import concurrent.futures
import socket
import time
from pathlib import Path
from typing import Any

from .shell import psutil, read, run

PROBE_TIMEOUT = 3.0


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

    out = run(["ip", "-j", "addr", "show"])
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
        mac = (read(str(base / name / "address")) or "").strip()
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
