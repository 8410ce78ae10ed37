"""Reading a Red Button diagnostics report: pure functions, no Django.

The client sends a JSON object (see ``docs/integrations/redbutton.md``); it comes from a
machine we do not control, so everything here accepts *any* JSON value and never raises:
missing or garbled fields are skipped, long strings are cut, lists are capped. The same
structure feeds the plain-text ticket description (:func:`summarize`) and the agents' panel
(:func:`panel`). Rates for the abuse limits are parsed here too (:func:`parse_rate`).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

MAX_TEXT = 300
MAX_ROWS = 20
MAX_LOG_LINES = 50
MAX_DEPTH = 8
USAGE_WARNING = 90.0

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour|d|day)s?\s*$", re.I)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    """At most ``count`` presses per ``seconds``; ``count == 0`` turns the limit off."""

    count: int
    seconds: int

    @property
    def enabled(self) -> bool:
        return self.count > 0 and self.seconds > 0


def parse_rate(text: str) -> Rate:
    """``"6/h"``, ``"10/30min"``, ``"3 / 10 m"`` → :class:`Rate`; empty or ``"0"`` is off.

    Raises ``ValueError`` for anything else so a typo in the configuration is loud.
    """
    text = (text or "").strip()
    if text in {"", "0", "off", "none"}:
        return Rate(0, 0)
    match = _RATE.match(text)
    if match is None:
        raise ValueError(f"not a rate: {text!r} (use e.g. '6/h' or '10/30min')")
    count, multiplier, unit = int(match.group(1)), match.group(2), match.group(3).lower()
    seconds = (int(multiplier) if multiplier else 1) * _UNITS[unit[0]]
    return Rate(count, seconds)


def depth(value: Any, limit: int = MAX_DEPTH + 1) -> int:
    """Nesting depth of a JSON value, counted up to ``limit`` (iteratively, no recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if not isinstance(item, dict | list):
            continue
        deepest = max(deepest, level)
        if deepest >= limit:
            return deepest
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, level + 1) for child in children)
    return deepest


# --- reading fields defensively ----------------------------------------------------------------
def text(value: Any, limit: int = MAX_TEXT) -> str:
    """A printable one-line string for any JSON value ('' for null/containers)."""
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    out = "".join(ch if ch.isprintable() else " " for ch in str(value)).strip()
    return out if len(out) <= limit else out[: limit - 1] + "…"


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number_ = float(value)
    return number_ if math.isfinite(number_) else None


def percent(value: Any) -> float | None:
    number_ = number(value)
    if number_ is None or number_ < 0:
        return None
    return min(number_, 100.0)


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def rows(value: Any, limit: int = MAX_ROWS) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)][:limit]


def size(value: Any) -> str:
    """Bytes in binary units: ``1.5 GiB``; '' when not a sane number."""
    amount = number(value)
    if amount is None or amount < 0:
        return ""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if amount < 1024 or unit == "TiB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return ""  # pragma: no cover - the loop always returns


def duration(value: Any) -> str:
    """Seconds as ``3d 4h 5m``; '' when not a sane number."""
    seconds = number(value)
    if seconds is None or seconds < 0 or seconds > 100 * 365 * 86400:
        return ""
    minutes = int(seconds // 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days}d"] if days else []
    if days or hours:
        parts.append(f"{hours}h")
    parts.append(f"{minutes}m")
    return " ".join(parts)


# --- the structure the panel and the description share -----------------------------------------
@dataclass
class Usage:
    kind: str  # cpu | memory | disk
    target: str  # the mount point for disks
    percent: float
    free: str = ""
    total: str = ""

    @property
    def warning(self) -> bool:
        return self.percent >= USAGE_WARNING


@dataclass
class Probe:
    target: str
    ok: bool
    detail: str


@dataclass
class Process:
    pid: str
    name: str
    user: str
    cpu: str
    memory: str


@dataclass
class Panel:
    facts: list[tuple[str, str]] = field(default_factory=list)
    usage: list[Usage] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)
    log_source: str = ""
    log_lines: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed_probes(self) -> list[Probe]:
        return [p for p in self.probes if not p.ok]


def _system_line(diag: dict[str, Any]) -> str:
    system = mapping(diag.get("system"))
    name = text(system.get("distribution")) or " ".join(
        part for part in (text(system.get("os")), text(system.get("os_release"))) if part
    )
    machine = text(system.get("machine"))
    return f"{name} ({machine})" if name and machine else name


def _addresses(diag: dict[str, Any]) -> tuple[str, str]:
    network = mapping(diag.get("network"))
    ips: list[str] = []
    macs: list[str] = []
    for iface in rows(network.get("interfaces")):
        name = text(iface.get("name"), 40)
        if name == "lo" or name.startswith("lo"):
            continue
        addresses = iface.get("addresses")
        for address in addresses if isinstance(addresses, list) else []:
            value = text(address, 60)
            if value and not value.startswith(("127.", "::1", "fe80")):
                ips.append(value)
        mac = text(iface.get("mac"), 40)
        if mac and mac != "00:00:00:00:00:00":
            macs.append(f"{name} {mac}" if name else mac)
    primary = text(network.get("primary_ip"), 60)
    if primary and not any(ip.split("/")[0] == primary for ip in ips):
        ips.insert(0, primary)
    return ", ".join(ips[:MAX_ROWS]), ", ".join(macs[:MAX_ROWS])


def panel(value: Any) -> Panel:
    """Everything an agent wants at a glance, from any JSON value (never raises)."""
    diag = mapping(value)
    result = Panel()
    host = mapping(diag.get("host"))
    ips, macs = _addresses(diag)
    cpu = mapping(diag.get("cpu"))
    load = cpu.get("load_average")
    load_text = (
        " ".join(f"{n:.2f}" for n in (number(x) for x in load[:3]) if n is not None)
        if isinstance(load, list)
        else ""
    )
    cpu_count = number(cpu.get("count"))
    facts = [
        ("host", text(host.get("hostname"))),
        ("user", text(host.get("user"))),
        ("system", _system_line(diag)),
        ("ip", ips),
        ("mac", macs),
        ("uptime", duration(diag.get("uptime_seconds"))),
        ("cpu_model", text(cpu.get("model"))),
        ("cpu_count", f"{cpu_count:.0f}" if cpu_count is not None else ""),
        ("load", load_text),
        ("collected_at", text(diag.get("collected_at"), 40)),
    ]
    result.facts = [(label, value_) for label, value_ in facts if value_]

    cpu_percent = percent(cpu.get("percent"))
    if cpu_percent is not None:
        result.usage.append(Usage("cpu", "", cpu_percent, ""))
    memory = mapping(diag.get("memory"))
    mem_percent = percent(memory.get("percent"))
    if mem_percent is not None:
        total, available = size(memory.get("total")), size(memory.get("available"))
        result.usage.append(Usage("memory", "", mem_percent, available, total))
    for disk in rows(diag.get("disks")):
        disk_percent = percent(disk.get("percent"))
        if disk_percent is None:
            continue
        total, free = size(disk.get("total")), size(disk.get("free"))
        mount = text(disk.get("mount"), 60)
        result.usage.append(Usage("disk", mount, disk_percent, free, total))

    for probe in rows(diag.get("reachability")):
        target = text(probe.get("host"), 120)
        port = number(probe.get("port"))
        if port is not None:
            target = f"{target}:{port:.0f}"
        ms = number(probe.get("ms"))
        ok = probe.get("ok") is True
        detail = f"{ms:.0f} ms" if ok and ms is not None else text(probe.get("error"), 120)
        result.probes.append(Probe(target, ok, detail))

    for proc in rows(diag.get("processes")):
        cpu_value = number(proc.get("cpu_percent"))
        result.processes.append(
            Process(
                pid=text(proc.get("pid"), 12),
                name=text(proc.get("name"), 80),
                user=text(proc.get("user"), 40),
                cpu=f"{cpu_value:.1f} %" if cpu_value is not None else "",
                memory=size(proc.get("memory_rss")),
            )
        )

    logs = mapping(diag.get("logs"))
    result.log_source = text(logs.get("source"), 80)
    lines = logs.get("lines")
    if isinstance(lines, list):
        result.log_lines = [text(line, 500) for line in lines[-MAX_LOG_LINES:]]
    errors = mapping(diag.get("errors"))
    result.errors = [(text(k, 40), text(v)) for k, v in list(errors.items())[:MAX_ROWS]]
    return result


LABELS: dict[str, str] = {
    "heading": "Diagnostics collected by the Red Button:",
    "host": "Host",
    "user": "User",
    "system": "System",
    "ip": "IP addresses",
    "mac": "MAC addresses",
    "uptime": "Uptime",
    "cpu_model": "CPU",
    "cpu_count": "CPU cores",
    "load": "Load average",
    "collected_at": "Collected at",
    "cpu": "CPU",
    "memory": "Memory",
    "disk": "Disk",
    "used": "used",
    "free_of": "{free} free of {total}",
    "unreachable": "Unreachable",
    "reachable": "Reachable",
    "processes": "Top processes",
    "errors": "Not collected",
    "attached": "The full report is attached as JSON.",
}


def usage_label(usage: Usage, labels: dict[str, str] | None = None) -> str:
    names = {**LABELS, **(labels or {})}
    name = names.get(usage.kind, usage.kind)
    return f"{name} {usage.target}" if usage.target else name


def summarize(value: Any, comment: str = "", labels: dict[str, str] | None = None) -> str:
    """The readable plain-text part of the ticket description.

    ``labels`` overrides the English words in :data:`LABELS` (the server passes translations).
    """
    names = {**LABELS, **(labels or {})}
    info = panel(value)
    lines: list[str] = []
    comment = (comment or "").strip()
    if comment:
        lines += [comment, ""]
    lines.append(names["heading"])
    lines += [f"- {names.get(key, key)}: {value_}" for key, value_ in info.facts]
    for usage in info.usage:
        warn = "  (!)" if usage.warning else ""
        detail = ""
        if usage.free and usage.total:
            detail = ", " + names["free_of"].replace("{free}", usage.free).replace(
                "{total}", usage.total
            )
        label = usage_label(usage, names)
        lines.append(f"- {label}: {usage.percent:.0f} % {names['used']}{detail}{warn}")
    if info.probes:
        failed = info.failed_probes
        if failed:
            lines.append(
                f"- {names['unreachable']}: "
                + ", ".join(f"{p.target} ({p.detail})" if p.detail else p.target for p in failed)
            )
        reachable = [p.target for p in info.probes if p.ok]
        if reachable:
            lines.append(f"- {names['reachable']}: " + ", ".join(reachable))
    top = ", ".join(p.name for p in info.processes[:5] if p.name)
    if top:
        lines.append(f"- {names['processes']}: {top}")
    if info.errors:
        lines.append(f"- {names['errors']}: " + ", ".join(name for name, _ in info.errors))
    lines += ["", names["attached"]]
    return "\n".join(lines)


def title_hint(value: Any, comment: str = "") -> str:
    """A short title: the comment's first line, else the host name."""
    first = text((comment or "").strip().splitlines()[0] if (comment or "").strip() else "", 120)
    if first:
        return first
    return text(mapping(mapping(value).get("host")).get("hostname"), 80)


def dumps(value: Any) -> bytes:
    """Stable, readable JSON for the stored attachment (NaN/Infinity become null)."""
    return json.dumps(_finite(value), ensure_ascii=False, indent=2, sort_keys=True).encode()


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
