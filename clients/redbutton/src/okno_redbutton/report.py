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
from .i18n import _, ngettext


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
        shown["screenshot_base64"] = ngettext(
            "<PNG screenshot, %(size)d byte>", "<PNG screenshot, %(size)d bytes>", size
        ) % {"size": size}
    return shown


def summary_lines(payload: dict[str, Any]) -> list[str]:
    """The summary above the JSON; labels in one column, as wide as the longest label."""
    diag = payload.get("diagnostics", {})
    host = diag.get("host", {})
    system = diag.get("system", {})
    memory = diag.get("memory", {})
    labels = {
        "computer": _("Computer:"),
        "user": _("User:"),
        "memory": _("Memory:"),
        "reach": _("Reach:"),
        "logs": _("Log lines:"),
        "processes": _("Processes:"),
        "comment": _("Comment:"),
    }
    width = max(len(label) for label in labels.values())

    def row(key: str, value: str) -> str:
        return f"{labels[key]:<{width}} {value}"

    used = _("%(percent).0f %% used")
    lines = [
        row(
            "computer",
            f"{host.get('hostname', '?')} "
            f"({system.get('distribution') or system.get('platform', '?')})",
        ),
        row("user", str(host.get("user", "?"))),
    ]
    if memory.get("percent") is not None:
        lines.append(row("memory", used % {"percent": memory["percent"]}))
    for disk in diag.get("disks", [])[:5]:
        if disk.get("percent") is not None:
            lines.append(
                _("Disk %(mount)s:") % {"mount": disk.get("mount")}
                + " "
                + used % {"percent": disk["percent"]}
            )
    for probe in diag.get("reachability", []):
        if probe.get("ok"):
            state = _("ok, %(ms).0f ms") % {"ms": probe["ms"]}
        else:
            state = _("FAILED (%(error)s)") % {"error": probe.get("error")}
        lines.append(row("reach", f"{probe.get('host')}:{probe.get('port')} {state}"))
    logs = diag.get("logs", {})
    count = len(logs.get("lines", []))
    source = logs.get("source")
    if source:
        logs_text = _("%(count)d from %(source)s") % {"count": count, "source": source}
    else:
        logs_text = _("%(count)d (no readable system log)") % {"count": count}
    lines.append(row("logs", logs_text))
    lines.append(row("processes", str(len(diag.get("processes", [])))))
    if payload.get("screenshot_base64"):
        lines.append(_("Screenshot: attached"))
    if payload.get("comment"):
        lines.append(row("comment", payload["comment"]))
    if diag.get("errors"):
        lines.append(_("Not collected:") + " " + ", ".join(diag["errors"]))
    return lines


def preview(payload: dict[str, Any]) -> str:
    """Everything that will be sent: a short summary, then the full JSON (keys untranslated)."""
    return (
        "\n".join(summary_lines(payload))
        + "\n\n"
        + _("The complete report that will be sent:")
        + "\n"
        + json.dumps(for_display(payload), indent=2, ensure_ascii=False)
    )


def _sent_message(outcome: transport.Outcome) -> str:
    if outcome.ticket is None:
        return outcome.message or _("Sent.")
    if outcome.body and outcome.body.get("merged"):
        return _("Added to your open request #%(n)d.") % {"n": outcome.ticket}
    if outcome.body and outcome.body.get("duplicate"):
        return _("Already received: request #%(n)d.") % {"n": outcome.ticket}
    return _("Your request #%(n)d has been registered.") % {"n": outcome.ticket}


def send(config: Config, payload: dict[str, Any]) -> Result:
    """Send now; if the server cannot be reached (or fails), queue it for later."""
    report_id = str(payload.get("report_id", ""))
    missing = config.missing()
    if "server" in missing:
        return Result("refused", _("No server configured (set server in the config file)."))
    if "token" in missing:
        spool.enqueue(config.spool_dir, payload)
        return Result(
            "queued",
            _(
                "No device token configured; the report is saved and will be sent by "
                "`okno-redbutton --flush` once the token is set."
            ),
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
            _(
                "The service desk is not reachable right now (%(reason)s). Your report is "
                "saved and will be sent automatically the next time the button is used, or "
                "with `okno-redbutton --flush`."
            )
            % {"reason": outcome.message or outcome.status},
            report_id=report_id,
        )
    return Result(
        "refused",
        _("The service desk refused the report: %(reason)s") % {"reason": outcome.message},
        None,
        report_id,
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
            results.append(
                Result(
                    "refused",
                    _("Unreadable queued report set aside: %(file)s") % {"file": path.name},
                )
            )
            continue
        report_id = str(payload.get("report_id", ""))
        outcome = transport.post_report(config.reports_url, config.token, payload, config.timeout)
        if outcome.sent:
            spool.remove(path)
            results.append(Result("sent", _sent_message(outcome), outcome.ticket, report_id))
        elif outcome.retry or outcome.status in {401, 403}:
            results.append(
                Result(
                    "queued",
                    _("Still queued: %(reason)s") % {"reason": outcome.message or outcome.status},
                    None,
                    report_id,
                )
            )
            break  # the server is down, busy or the token is wrong: later ones would fail too
        else:
            spool.set_aside(path)
            results.append(
                Result(
                    "refused",
                    _("The service desk refused a queued report: %(reason)s")
                    % {"reason": outcome.message},
                    None,
                    report_id,
                )
            )
    return results
