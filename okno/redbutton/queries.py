"""Red Button reads: the diagnostics panel of a ticket, the press statistics, the client config.

``diagnostics_for(ticket)`` trusts that the caller already passed the ticket through
``accounts.queries.get_ticket_for`` (the desk ticket page does), so it reads only what hangs
off that one ticket.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Q
from django.utils.translation import gettext_lazy as _

from okno.tickets.models import Attachment, Channel, Ticket

from . import diagnostics as diag
from .models import Press

MAX_REPORTS_SHOWN = 5
MAX_JSON_READ = 4 * 1024 * 1024

FACT_LABELS = {
    "host": _("Host"),
    "user": _("User"),
    "system": _("System"),
    "ip": _("IP addresses"),
    "mac": _("MAC addresses"),
    "uptime": _("Uptime"),
    "cpu_model": _("CPU"),
    "cpu_count": _("CPU cores"),
    "load": _("Load average"),
    "collected_at": _("Collected at"),
}
USAGE_LABELS = {"cpu": _("CPU"), "memory": _("Memory"), "disk": _("Disk")}


@dataclass
class Report:
    """One press as the agents' panel shows it."""

    press: Press
    comment: str
    device: str
    panel: diag.Panel
    facts: list[tuple[str, str]]
    usage: list[dict[str, Any]]
    json_file: Attachment | None
    screenshots: list[Attachment] = field(default_factory=list)
    unreadable: bool = False


def _read_json(attachment: Attachment) -> Any:
    if attachment.size > MAX_JSON_READ:
        return None
    try:
        with attachment.file.open("rb") as handle:
            return json.loads(handle.read(MAX_JSON_READ))
    except (OSError, ValueError):
        return None


def diagnostics_for(ticket: Ticket) -> list[Report]:
    """The Red Button reports filed into ``ticket``, newest first (at most five)."""
    # Presses only ever file into Red Button tickets, so other pages cost no query.
    if ticket is None or not getattr(ticket, "pk", None) or ticket.channel != Channel.REDBUTTON:
        return []
    presses = (
        Press.objects.filter(ticket=ticket, attachment__isnull=False)
        .select_related("attachment", "device", "user")
        .order_by("-created_at", "-id")[:MAX_REPORTS_SHOWN]
    )
    reports = []
    for press in presses:
        attachment = press.attachment
        stored = _read_json(attachment) if attachment is not None else None
        record = diag.mapping(stored)
        info = diag.panel(record.get("diagnostics"))
        screenshots = []
        if attachment is not None and attachment.article_id:
            screenshots = list(
                Attachment.objects.filter(
                    article_id=attachment.article_id, content_type__startswith="image/"
                )
            )
        reports.append(
            Report(
                press=press,
                comment=diag.text(record.get("comment"), 4000),
                device=press.device.name if press.device else diag.text(record.get("device")),
                panel=info,
                facts=[(str(FACT_LABELS.get(k, k)), v) for k, v in info.facts],
                usage=[
                    {
                        "label": f"{USAGE_LABELS.get(u.kind, u.kind)} {u.target}".strip(),
                        "percent": round(u.percent),
                        "free": u.free,
                        "total": u.total,
                        "warning": u.warning,
                    }
                    for u in info.usage
                ],
                json_file=attachment,
                screenshots=screenshots,
                unreadable=stored is None,
            )
        )
    return reports


# --- statistics --------------------------------------------------------------------------------
@dataclass
class StatsRow:
    key: int | None
    name: str
    email: str
    presses: int
    tickets: int
    merged: int
    refused: int
    last_press: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "presses": self.presses,
            "tickets": self.tickets,
            "merged": self.merged,
            "refused": self.refused,
            "last_press": self.last_press,
        }

    @property
    def refused_share(self) -> int:
        return round(100 * self.refused / self.presses) if self.presses else 0


@dataclass
class Stats:
    rows: list[StatsRow]
    total: int
    tickets: int
    merged: int
    refused: int


def press_stats(*, since: datetime, until: datetime, group: str = "user") -> Stats:
    """Presses per user (or organization) in ``[since, until)``, most presses first."""
    presses = Press.objects.filter(created_at__gte=since, created_at__lt=until)
    counts = {
        "presses": Count("id"),
        "tickets": Count("id", filter=Q(throttled=False, merged_into_open_ticket=False)),
        "merged": Count("id", filter=Q(merged_into_open_ticket=True)),
        "refused": Count("id", filter=Q(throttled=True)),
        "last_press": Max("created_at"),
    }
    if group == "organization":
        grouped = presses.values("organization_id", "organization__name").annotate(**counts)
        rows = [
            StatsRow(
                key=r["organization_id"],
                name=r["organization__name"] or str(_("No organization")),
                email="",
                **{k: r[k] for k in counts},
            )
            for r in grouped.order_by("-presses", "organization__name")
        ]
    else:
        grouped = presses.values("user_id", "user__email", "user__full_name").annotate(**counts)
        rows = [
            StatsRow(
                key=r["user_id"],
                name=r["user__full_name"] or r["user__email"],
                email=r["user__email"],
                **{k: r[k] for k in counts},
            )
            for r in grouped.order_by("-presses", "user__email")
        ]
    return Stats(
        rows=rows,
        total=sum(r.presses for r in rows),
        tickets=sum(r.tickets for r in rows),
        merged=sum(r.merged for r in rows),
        refused=sum(r.refused for r in rows),
    )


# --- the client's config file ------------------------------------------------------------------
def client_config(server_url: str, token: str, hosts: list[str] | None = None) -> str:
    """The INI file the client reads (``okno-redbutton --print-config-path`` shows where)."""
    host = server_url.split("://", 1)[-1].split("/", 1)[0]
    port = "443" if server_url.startswith("https") else "80"
    target = host if ":" in host else f"{host}:{port}"
    checks = ", ".join(hosts or [target])
    return (
        "# Okno Red Button client configuration\n"
        "[okno]\n"
        f"server = {server_url.rstrip('/')}\n"
        f"token = {token}\n"
        "# host:port pairs to test with a TCP connect, comma-separated\n"
        f"hosts = {checks}\n"
        "# attach a screenshot when possible (yes/no)\n"
        "screenshot = no\n"
    )
