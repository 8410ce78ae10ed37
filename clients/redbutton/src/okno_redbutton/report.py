"""What the CLI and the window share: build a report, show it, send it or queue it, flush."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from . import __version__, collect, spool, transport
from .config import Config


@dataclass
class Result:
    """What became of one report, in words for the person at the computer."""

    state: str  # sent | queued | refused
    message: str
    ticket: int | None = None
    report_id: str = ""

    @property
    def ok(self) -> bool:
        return self.state in {"sent", "queued"}


def server_target(server: str) -> str:
    """``https://desk.example.com/`` → ``desk.example.com:443`` (for the reachability probe)."""
    parts = urlsplit(server)
    if not parts.hostname:
        return ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{host}:{port}"


def build(
    config: Config,
    *,
    comment: str = "",
    skip: list[str] | None = None,
    screenshot: bool | None = None,
) -> dict[str, Any]:
    """The exact payload that will be posted."""
    target = server_target(config.server) if config.server else ""
    hosts = ([target] if target else []) + list(config.hosts)
    diagnostics = collect.collect(
        hosts=hosts, server_host=urlsplit(config.server).hostname or "", skip=skip
    )
    payload: dict[str, Any] = {
        "report_id": str(uuid.uuid4()),
        "comment": (comment or "").strip(),
        "client": {"name": "okno-redbutton", "version": __version__},
        "diagnostics": diagnostics,
    }
    wanted = config.screenshot if screenshot is None else screenshot
    if wanted:
        image = collect.screenshot()
        if image:
            payload["screenshot_base64"] = base64.b64encode(image).decode("ascii")
    return payload


def for_display(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with the screenshot's bytes replaced by a note of its size."""
    shown = copy.deepcopy(payload)
    if shown.get("screenshot_base64"):
        size = len(base64.b64decode(shown["screenshot_base64"]))
        shown["screenshot_base64"] = f"<PNG screenshot, {size} bytes>"
    return shown


def summary_lines(payload: dict[str, Any]) -> list[str]:
    diag = payload.get("diagnostics", {})
    host = diag.get("host", {})
    system = diag.get("system", {})
    memory = diag.get("memory", {})
    lines = [
        f"Computer:  {host.get('hostname', '?')} ({system.get('distribution') or system.get('platform', '?')})",
        f"User:      {host.get('user', '?')}",
    ]
    if memory.get("percent") is not None:
        lines.append(f"Memory:    {memory['percent']:.0f} % used")
    for disk in diag.get("disks", [])[:5]:
        if disk.get("percent") is not None:
            lines.append(f"Disk {disk.get('mount')}: {disk['percent']:.0f} % used")
    for probe in diag.get("reachability", []):
        state = f"ok, {probe['ms']:.0f} ms" if probe.get("ok") else f"FAILED ({probe.get('error')})"
        lines.append(f"Reach:     {probe.get('host')}:{probe.get('port')} {state}")
    logs = diag.get("logs", {})
    lines.append(f"Log lines: {len(logs.get('lines', []))} from {logs.get('source') or 'nowhere'}")
    lines.append(f"Processes: {len(diag.get('processes', []))}")
    if payload.get("screenshot_base64"):
        lines.append("Screenshot: attached")
    if payload.get("comment"):
        lines.append(f"Comment:   {payload['comment']}")
    if diag.get("errors"):
        lines.append("Not collected: " + ", ".join(diag["errors"]))
    return lines


def preview(payload: dict[str, Any]) -> str:
    """Everything that will be sent: a short summary, then the full JSON."""
    return (
        "\n".join(summary_lines(payload))
        + "\n\nThe complete report that will be sent:\n"
        + json.dumps(for_display(payload), indent=2, ensure_ascii=False)
    )


def _sent_message(outcome: transport.Outcome) -> str:
    if outcome.ticket is None:
        return outcome.message or "Sent."
    if outcome.body and outcome.body.get("merged"):
        return f"Added to your open request #{outcome.ticket}."
    if outcome.body and outcome.body.get("duplicate"):
        return f"Already received: request #{outcome.ticket}."
    return f"Your request #{outcome.ticket} has been registered."


def send(config: Config, payload: dict[str, Any]) -> Result:
    """Send now; if the server cannot be reached (or fails), queue it for later."""
    report_id = str(payload.get("report_id", ""))
    missing = config.missing()
    if "server" in missing:
        return Result("refused", "No server configured (set server in the config file).")
    if "token" in missing:
        spool.enqueue(config.spool_dir, payload)
        return Result(
            "queued",
            "No device token configured; the report is saved and will be sent by "
            "`okno-redbutton --flush` once the token is set.",
            report_id=report_id,
        )
    outcome = transport.post_report(config.reports_url, config.token, payload, config.timeout)
    if outcome.sent:
        return Result("sent", _sent_message(outcome), outcome.ticket, report_id)
    if outcome.status == 429:
        return Result("refused", outcome.message, outcome.ticket, report_id)
    if outcome.retry:
        spool.enqueue(config.spool_dir, payload)
        return Result(
            "queued",
            "The service desk is not reachable right now "
            f"({outcome.message or outcome.status}). Your report is saved and will be sent "
            "automatically the next time the button is used, or with `okno-redbutton --flush`.",
            report_id=report_id,
        )
    return Result(
        "refused", f"The service desk refused the report: {outcome.message}", None, report_id
    )


def flush(config: Config) -> list[Result]:
    """Send every queued report, oldest first; stop at the first one that must wait."""
    results: list[Result] = []
    if config.missing():
        return results
    for path in spool.pending(config.spool_dir):
        try:
            payload, _queued_at = spool.load(path)
        except (OSError, ValueError, KeyError):
            spool.set_aside(path)
            results.append(Result("refused", f"Unreadable queued report set aside: {path.name}"))
            continue
        report_id = str(payload.get("report_id", ""))
        outcome = transport.post_report(config.reports_url, config.token, payload, config.timeout)
        if outcome.sent:
            spool.remove(path)
            results.append(Result("sent", _sent_message(outcome), outcome.ticket, report_id))
        elif outcome.retry or outcome.status in {401, 403}:
            results.append(
                Result(
                    "queued", f"Still queued: {outcome.message or outcome.status}", None, report_id
                )
            )
            break  # the server is down, busy or the token is wrong: later ones would fail too
        else:
            spool.set_aside(path)
            results.append(
                Result(
                    "refused",
                    f"The service desk refused a queued report: {outcome.message}",
                    None,
                    report_id,
                )
            )
    return results
