"""Monitoring event intake: accepted-and-stored events per second through the HTTP endpoint
(Django's test client, the full middleware + auth + ninja stack) on PostgreSQL, goal >= 2,000/s,
and whether processing keeps up: every event processed within 60 s after the storm ends.

The storm: 100 hosts x 5 checks (500 distinct alerts over 10 services), each re-sent many times,
as Alertmanager webhook payloads of 10 alerts (``events_per_s``: Alertmanager sends groups), then
generic batches of 100 events (``events_batch100_per_s``) and single-event generic requests
(``events_single_per_s``). A worker process runs ``process_pending`` the whole time, as
``okno worker`` would. Creates a throwaway database next to the one in OKNO_DATABASE_URL and
drops it again; without a PostgreSQL URL it measures on a temporary SQLite file (and says so).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.scratch import is_postgres, run_child, scratch_database

ROOT = Path(__file__).resolve().parent.parent
BATCHED_REQUESTS = 1_000  # x 10 alerts: a typical Alertmanager group
BIG_REQUESTS = 100  # x 100 events: a storm sent in big batches
BIG = 100
SINGLE_REQUESTS = 500
PER_REQUEST = 10
CATCH_UP_LIMIT = 60.0


def _django() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okno.settings")
    django.setup()


def _alert(n: int, started: str) -> dict:
    host, check = divmod(n % 500, 5)
    return {
        "status": "firing",
        "labels": {
            "alertname": f"Check{check}",
            "instance": f"host{host}:9100",
            "service": f"service{host % 10}",
            "severity": ("critical", "warning", "info")[check % 3],
        },
        "annotations": {"summary": f"Check{check} failing on host{host}"},
        "startsAt": started,
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": f"{n % 500:016x}",
    }


def _child(stop_file: str) -> None:
    _django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    call_command("migrate", verbosity=0)
    from okno.accounts.models import ApiToken, Team, TeamMembership, User
    from okno.alerts.models import Event, EventState

    team = Team.objects.create(name="Service Desk", line=1)
    user = User.objects.create_user("prometheus@bench.test", None, role="agent")
    TeamMembership.objects.create(team=team, user=user)
    _token, raw = ApiToken.issue(user, "bench", scopes=["events"])
    client = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {raw}")
    worker = subprocess.Popen(
        [sys.executable, "-m", "bench.events", "--worker", stop_file],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    started = "2026-11-23T10:00:00Z"
    batched = [
        json.dumps(
            {
                "version": "4",
                "status": "firing",
                "receiver": "okno",
                "alerts": [_alert(r * PER_REQUEST + i, started) for i in range(PER_REQUEST)],
            }
        )
        for r in range(BATCHED_REQUESTS)
    ]
    big = [
        json.dumps(
            {
                "events": [
                    {
                        "source": "zabbix",
                        "fingerprint": f"zbx-{(r * BIG + i) % 400}",
                        "severity": "high",
                        "summary": f"Trigger {(r * BIG + i) % 400} fired",
                        "host": f"node{(r * BIG + i) % 80}",
                        "service": f"cluster{(r * BIG + i) % 8}",
                    }
                    for i in range(BIG)
                ]
            }
        )
        for r in range(BIG_REQUESTS)
    ]
    singles = [
        json.dumps(
            {
                "source": "nagios",
                "fingerprint": f"nagios-{n % 300}",
                "severity": "warning",
                "summary": f"Check {n % 300} failing",
                "host": f"host{n % 60}",
            }
        )
        for n in range(SINGLE_REQUESTS)
    ]

    def post(path: str, body: str) -> None:
        response = client.post(path, data=body, content_type="application/json")
        if response.status_code != 202:
            raise SystemExit(f"{path}: HTTP {response.status_code} {response.content[:300]!r}")

    for body in batched[:20]:  # warm-up
        post("/api/v1/events/alertmanager", body)
    began, cpu = time.perf_counter(), time.process_time()
    for body in batched[20:]:
        post("/api/v1/events/alertmanager", body)
    batched_s = time.perf_counter() - began
    batched_cpu = time.process_time() - cpu
    began_big, cpu = time.perf_counter(), time.process_time()
    for body in big:
        post("/api/v1/events", body)
    big_s = time.perf_counter() - began_big
    big_cpu = time.process_time() - cpu
    began_single, cpu = time.perf_counter(), time.process_time()
    for body in singles:
        post("/api/v1/events", body)
    single_s = time.perf_counter() - began_single
    single_cpu = time.process_time() - cpu
    ingest_end = time.perf_counter()
    sent = BATCHED_REQUESTS * PER_REQUEST + BIG_REQUESTS * BIG + SINGLE_REQUESTS
    stored = Event.objects.count()
    if stored != sent:
        raise SystemExit(f"stored {stored} of {sent} events")
    Path(stop_file).write_text("stop", encoding="utf-8")
    try:
        worker.wait(timeout=CATCH_UP_LIMIT * 3)
    except subprocess.TimeoutExpired:
        worker.kill()
    caught_up = time.perf_counter() - ingest_end
    states = dict(
        Event.objects.order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    pending = states.get(EventState.RECEIVED, 0)
    failed = states.get(EventState.FAILED, 0)
    from okno.tickets.models import Ticket

    print(
        json.dumps(
            {
                "per_s": (BATCHED_REQUESTS - 20) * PER_REQUEST / batched_s,
                "single_per_s": SINGLE_REQUESTS / single_s,
                "big_per_s": BIG_REQUESTS * BIG / big_s,
                "per_cpu_s": (BATCHED_REQUESTS - 20) * PER_REQUEST / batched_cpu,
                "big_per_cpu_s": BIG_REQUESTS * BIG / big_cpu,
                "single_per_cpu_s": SINGLE_REQUESTS / single_cpu,
                "catch_up_s": caught_up,
                "pending": pending,
                "failed": failed,
                "events": sent,
                "tickets": Ticket.objects.count(),
                "vendor": connection.vendor,
            }
        )
    )


def _worker(stop_file: str) -> None:
    """Process events like ``okno worker`` until told to stop and nothing is left."""
    _django()
    from okno.alerts.actions import process_pending
    from okno.alerts.models import Event, EventState

    deadline = None
    while True:
        done = process_pending()
        if Path(stop_file).exists():
            deadline = deadline or time.monotonic() + CATCH_UP_LIMIT * 2
            if not Event.objects.filter(state=EventState.RECEIVED).exists():
                return
            if time.monotonic() > deadline:
                return
        if not done:
            time.sleep(0.05)


def _run_child(url: str, tmp: str) -> dict:
    env = {
        "OKNO_DATABASE_URL": url,
        "OKNO_MEDIA_ROOT": f"{tmp}/media",
        "OKNO_TASKS_BACKEND": "database",
    }
    return run_child("bench.events", [f"{tmp}/stop"], env)


def _report(result: dict) -> list[tuple[str, float, str]]:
    print(
        f"# events: {result['events']} stored on {result['vendor']}, "
        f"{result['tickets']} tickets, {result['pending']} left unprocessed, "
        f"{result['failed']} failed; caught up {result['catch_up_s']:.1f} s after the storm "
        f"({'OK' if result['catch_up_s'] <= CATCH_UP_LIMIT and not result['pending'] else 'TOO SLOW'}"
        f", limit {CATCH_UP_LIMIT:.0f} s)",
        flush=True,
    )
    return [
        ("events_per_s", result["per_s"], "/s"),
        ("events_batch100_per_s", result["big_per_s"], "/s"),
        ("events_single_per_s", result["single_per_s"], "/s"),
        ("events_catch_up_s", result["catch_up_s"], "s"),
        # per second of the client+server process's own CPU time (excludes PostgreSQL's):
        # what one application core sustains, independent of other load on the machine
        ("events_per_cpu_s", result["per_cpu_s"], "/s"),
        ("events_batch100_per_cpu_s", result["big_per_cpu_s"], "/s"),
        ("events_single_per_cpu_s", result["single_per_cpu_s"], "/s"),
    ]


def run() -> list[tuple[str, float, str]]:
    url = os.environ.get("OKNO_DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="okno-bench-events-") as tmp:
        if not is_postgres(url):
            print("# events: no PostgreSQL URL, measuring on SQLite", flush=True)
            return _report(_run_child(f"sqlite:///{tmp}/bench.sqlite3", tmp))
        with scratch_database(url, "events") as scratch:
            result = _run_child(scratch, tmp)
    return _report(result)


if __name__ == "__main__":
    if "--child" in sys.argv:
        _child(sys.argv[-1])
    elif "--worker" in sys.argv:
        _worker(sys.argv[-1])
    else:
        for metric, value, unit in run():
            print(f"BENCH {metric} {value:.1f} {unit}")
