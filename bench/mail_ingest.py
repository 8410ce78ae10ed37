"""Email intake throughput: parse + store raw + thread + ticket or reply, on PostgreSQL
(goal >= 100/s).

Creates a throwaway database next to the one in OKNO_DATABASE_URL (PostgreSQL), migrates it,
ingests a mix of new requests (70 %), replies threaded by In-Reply-To (20 %) and by the
``[#number]`` subject token (10 %) from 50 senders, and drops the database again. The work
runs in a child process so Django is configured for the throwaway database. Without a
PostgreSQL URL it measures on a temporary SQLite file instead (and says so).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.scratch import is_postgres, run_child, scratch_database

MESSAGES = 300
ROOT = Path(__file__).resolve().parent.parent


def _messages(count: int) -> list[tuple[bytes, int | None]]:
    """(raw, index of the original it replies to) — replies only after their original."""
    from email.message import EmailMessage

    out: list[tuple[bytes, int | None]] = []
    originals: list[int] = []
    for n in range(count):
        msg = EmailMessage()
        sender = f"user{n % 50}@bench.test"
        msg["From"] = f"User {n % 50} <{sender}>"
        msg["To"] = "support@okno.test"
        msg["Message-ID"] = f"<bench-{n}@bench.test>"
        kind = n % 10
        parent = originals[(n * 7) % len(originals)] if originals and kind >= 7 else None
        if parent is None:
            msg["Subject"] = f"Problem number {n} with the printer"
            body = (
                f"Hello,\n\nthe printer on floor {n % 9} jams again.\n\nRegards,\nUser {n % 50}\n"
            )
            originals.append(n)
        elif kind < 9:
            msg["Subject"] = f"Re: Problem number {parent} with the printer"
            msg["In-Reply-To"] = f"<bench-{parent}@bench.test>"
            msg["References"] = f"<bench-{parent}@bench.test>"
            body = "Still broken.\n\nOn Monday, User wrote:\n> the printer jams\n> again\n"
        else:
            msg["Subject"] = "Re: Problem with the printer [#TOKEN{parent}]"
            body = "Any news?\n"
        msg.set_content(body)
        out.append((msg.as_bytes(), parent))
    return out


def _child() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okno.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from okno.accounts.models import Team
    from okno.mail.actions import ingest, ingest_many
    from okno.mail.models import InboundMessage

    Team.objects.create(name="Service Desk", line=1)
    batch = _messages(MESSAGES)
    # warm-up: caches, connection, first queries
    for raw, _parent in batch[:20]:
        ingest(raw)
    began = time.perf_counter()
    cpu = time.process_time()
    todo = list(enumerate(batch[20:], start=20))
    for start in range(0, len(todo), 10):  # as the poller does: chunks of 10
        chunk = []
        for n, (raw, parent) in todo[start : start + 10]:
            if b"[#TOKEN" in raw and parent is not None:
                mid = f"<bench-{parent}@bench.test>"
                row = InboundMessage.objects.filter(message_id=mid).first()
                ticket = (row.ticket_id if row else 0) or 0
                raw = raw.replace(f"[#TOKEN{parent}]".encode(), f"[#{ticket}]".encode())
            chunk.append((str(n), raw))
        for uid, row in ingest_many(chunk):
            if row.state != "processed":
                raise SystemExit(f"message {uid} not processed: {row.state} {row.error}")
    elapsed = time.perf_counter() - began
    count = len(batch) - 20
    print(
        json.dumps(
            {
                "per_s": count / elapsed,
                "cpu_ms": (time.process_time() - cpu) / count * 1000,
                "vendor": connection.vendor,
            },
        )
    )


def _run_child(url: str, media: str) -> dict:
    env = {"OKNO_DATABASE_URL": url, "OKNO_MEDIA_ROOT": media, "OKNO_TASKS_BACKEND": "database"}
    return run_child("bench.mail_ingest", [], env)


def run() -> list[tuple[str, float, str]]:
    url = os.environ.get("OKNO_DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="okno-bench-mail-") as tmp:
        if not is_postgres(url):
            print("# mail_ingest: no PostgreSQL URL, measuring on SQLite", flush=True)
            result = _run_child(f"sqlite:///{tmp}/bench.sqlite3", f"{tmp}/media")
            return [("mail_ingest_per_s", result["per_s"], "/s")]
        with scratch_database(url, "mail") as scratch:
            result = _run_child(scratch, f"{tmp}/media")
            print(
                f"# mail_ingest: {result['cpu_ms']:.1f} ms of Okno CPU per message "
                f"({os.getloadavg()[0]:.1f} load average on {os.cpu_count()} CPUs)",
                flush=True,
            )
    return [("mail_ingest_per_s", result["per_s"], "/s")]


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child()
    else:
        for metric, value, unit in run():
            print(f"BENCH {metric} {value:.1f} {unit}")
