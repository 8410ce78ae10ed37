"""The periodic SLA warning/breach scan with 100,000 open clocks in PostgreSQL (goal <= 200 ms).

Creates a throwaway database next to the one in OKNO_DATABASE_URL, migrates it, bulk-creates
100,000 open clocks (1,000 tickets x 100 cycles) whose ``next_check_at`` spreads over the next
30 days with a few hundred due now, runs the sweep's query (``okno.sla.sweep.due_clocks``) and
reports its median time; the query plan is printed to show it is an index scan on the partial
index ``sla_clock_pending``. The database is dropped afterwards. Runs in a child process so
Django is configured for the throwaway database.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from bench.scratch import is_postgres, run_child, scratch_database

CLOCKS = 100_000
TICKETS = 1_000
DUE_NOW = 300
RUNS = 50
ROOT = Path(__file__).resolve().parent.parent


def _child() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okno.settings")
    django.setup()
    import random
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from okno.accounts.models import User
    from okno.sla.models import SlaClock, SlaPolicy, SlaPolicyVersion
    from okno.sla.sweep import due_clocks
    from okno.tickets.models import Status, Ticket

    rng = random.Random(7)
    now = timezone.now()
    requester = User.objects.create_user("bench@okno.test", "x")
    status = Status.objects.get(key="open")
    tickets = Ticket.objects.bulk_create(
        [
            Ticket(title=f"T{n}", requester=requester, status=status, status_category="open")
            for n in range(TICKETS)
        ],
        batch_size=1000,
    )
    policy = SlaPolicy.objects.create(name="Bench")
    version = SlaPolicyVersion.objects.create(policy=policy, version=1, snapshot={})
    rows = []
    for n in range(CLOCKS):
        due = now + timedelta(seconds=rng.randrange(60, 30 * 86400))
        if n % (CLOCKS // DUE_NOW) == 0:
            check = now - timedelta(seconds=rng.randrange(1, 30))
        elif n % 7 == 0:
            check = None  # paused: nothing pending, not in the partial index
        else:
            check = due - timedelta(seconds=rng.randrange(0, 3600))
        rows.append(
            SlaClock(
                ticket=tickets[n % TICKETS],
                kind="resolution",
                cycle=n // TICKETS + 1,
                policy_version=version,
                state="running",
                started_at=now,
                target_seconds=28800,
                due_at=due,
                measured_at=now,
                segment_start=now,
                next_check_at=check,
            )
        )
    SlaClock.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sla_slaclock")
    qs = SlaClock.objects.filter(next_check_at__lte=now).order_by("next_check_at")
    sql, params = qs.values_list("pk", "ticket_id")[:500].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    found = due_clocks(now)  # warm-up
    timings = []
    for _ in range(RUNS):
        began = time.perf_counter()
        found = due_clocks(now)
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    print(
        json.dumps(
            {
                "ms": timings[len(timings) // 2],
                "p95": timings[int(len(timings) * 0.95)],
                "due": len(found),
                "clocks": SlaClock.objects.count(),
                "plan": plan,
            }
        )
    )


def _run_child(url: str) -> dict:
    return run_child("bench.sla_scan", [], {"OKNO_DATABASE_URL": url})


def run() -> list[tuple[str, float, str]]:
    url = os.environ.get("OKNO_DATABASE_URL", "")
    if not is_postgres(url):
        raise RuntimeError("sla_scan needs PostgreSQL: set OKNO_DATABASE_URL (make bench does)")
    with scratch_database(url, "sla") as scratch:
        result = _run_child(scratch)
    print(
        f"# sla_scan: {result['clocks']} open clocks, {result['due']} due, "
        f"p95 {result['p95']:.2f} ms; plan:",
        flush=True,
    )
    for line in result["plan"]:
        print(f"#   {line}", flush=True)
    if not any("sla_clock_pending" in line for line in result["plan"]):
        raise RuntimeError("the sweep query does not use the sla_clock_pending index")
    return [("sla_scan_ms", result["ms"], "ms")]


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child()
    else:
        for metric, value, unit in run():
            print(f"BENCH {metric} {value:.1f} {unit}")
