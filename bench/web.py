"""Web figures of ``make bench``: a production server on PostgreSQL under a loopback HTTP client.

Steps: make sure the database exists and is migrated; load ``OKNO_BENCH_TICKETS`` tickets with
the bulk generator unless the database already holds that many (reruns are quick); start
``okno serve`` (gunicorn, 2 workers, DEBUG off); measure with one request in flight, after
warm-up requests, the agent queue, search, the ticket page and the dashboard; then ticket
creation through the API at concurrency 4; finally the resident memory of a web worker.

Scenarios that need a page which does not exist yet (search, dashboard) are skipped with a note.
Settings (environment): OKNO_BENCH_TICKETS (100000), OKNO_BENCH_REQUESTS (200 per latency
scenario), OKNO_BENCH_CAP_SECONDS (60 per scenario), OKNO_BENCH_CREATE_SECONDS (20),
OKNO_BENCH_PORT (8765), OKNO_BENCH_SEED (42).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from bench.httpload import Request, Result, Session, run_load

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
notes: list[str] = []  # printed as "# note:" lines and kept in the JSON report
details: dict[str, Any] = {}  # full summaries per scenario, kept in the JSON report

SEARCH_TERMS = ["printer", "принтер", "VPN", "пароль", "Outlook", "ошибка", "password", "доступ"]
DASHBOARD_PATHS = ["/reports/", "/reports/dashboard/", "/desk/dashboard/"]
HIDDEN_EVENTS = ("replied", "note_added", "attachment_added")


def setting(name: str, default: int) -> int:
    return int(os.environ.get(f"OKNO_BENCH_{name}", "") or default)


def note(text: str) -> None:
    notes.append(text)
    print(f"# note: {text}", flush=True)


# --- database ----------------------------------------------------------------------------------
def ensure_database(url: str) -> None:
    """Create the benchmark database when it is missing (connecting to ``postgres``)."""
    import psycopg

    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    params: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "dbname": "postgres",
        "autocommit": True,
    }
    if parts.password:
        params["password"] = unquote(parts.password)
    with psycopg.connect(**params) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(f'CREATE DATABASE "{name}"')  # name from the operator's own URL
        print(f"# created database {name}", flush=True)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okno.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


@dataclass
class Fixture:
    tickets: int
    team_id: int
    service_id: int
    session: str
    manager_session: str
    token: str
    long_ticket_ids: list[int]
    long_entries: int
    ticket_ids: list[int]
    requester_ids: list[int]
    extra: dict[str, Any] = field(default_factory=dict)


def _session_for(user: Any) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return str(store.session_key)


def prepare(tickets: int, seed: int) -> Fixture:
    """The data set and the credentials the scenarios use (a session row, an API token)."""
    import secrets

    from django.db import connection
    from django.utils import timezone

    from okno.accounts.models import ApiToken, Team, User
    from okno.ops import dataset
    from okno.tickets.models import Ticket

    have = Ticket.objects.count()
    if have < tickets:
        print(f"# generating {tickets - have:,} tickets (have {have:,})", flush=True)
        report = dataset.generate(tickets - have, seed=seed + have, stream=sys.stderr)
        print(f"# {report.summary()}", flush=True)
        for text in report.notes:
            note(text)
        details["generation"] = {
            "tickets": report.tickets,
            "articles": report.articles,
            "events": report.events,
            "clocks": report.clocks,
            "seconds": round(report.seconds, 1),
            "tickets_per_s": round(report.tickets / report.seconds, 1) if report.seconds else 0,
        }
    elif tickets and have > tickets * 1.05:
        note(f"database holds {have:,} tickets, more than the {tickets:,} asked for")
    from okno.reports.models import RollupState
    from okno.reports.rollup import rebuild

    if have < tickets or not RollupState.objects.filter(rebuilt_at__isnull=False).exists():
        result = rebuild()  # the bulk load bypasses the periodic fold: recompute the rollups
        print(f"# reports rollups: {result.rows:,} rows in {result.seconds:.1f} s", flush=True)
        details["rollup_rebuild_seconds"] = round(result.seconds, 1)
    if not User.objects.filter(email="agent@okno.example").exists():
        dataset.ensure_logins(secrets.token_urlsafe(12))
    agent = User.objects.get(email="agent@okno.example")
    manager = User.objects.get(email="manager@okno.example")
    team = Team.objects.get(name=dataset.TEAMS[0][1])
    service_id = team.services.order_by("pk").values_list("pk", flat=True).first()
    yesterday = timezone.now() - timedelta(days=1)  # a concurrent run keeps its own token
    ApiToken.objects.filter(user=agent, name="benchmark", created_at__lt=yesterday).delete()
    _token, raw = ApiToken.issue(agent, "benchmark", ["read", "write"])
    total = Ticket.objects.count()
    max_id = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    team_ids = list(agent.memberships.values_list("team_id", flat=True))
    hidden = ", ".join(["%s"] * len(HIDDEN_EVENTS))
    teams = ", ".join(["%s"] * len(team_ids)) or "NULL"
    entries = "(SELECT count(*) FROM tickets_article a WHERE a.ticket_id = t.id) + "
    entries += f"(SELECT count(*) FROM tickets_ticketevent e WHERE e.ticket_id = t.id AND e.kind NOT IN ({hidden}))"  # noqa: S608 - placeholders only
    with connection.cursor() as cursor:
        # Tickets the agent sees with a timeline closest to 20 entries, among the newest 100k.
        cursor.execute(
            f"SELECT t.id, {entries} AS n FROM tickets_ticket t"  # noqa: S608 - placeholders only
            f" WHERE t.id > %s AND t.team_id IN ({teams}) ORDER BY abs({entries} - 20), t.id"
            " LIMIT 20",
            [*HIDDEN_EVENTS, max_id - 100_000, *team_ids, *HIDDEN_EVENTS],
        )
        found = cursor.fetchall()
        # Warm the caches the way the baseline does: one sequential read of the big tables.
        for table in ("tickets_ticket", "tickets_article", "tickets_ticketevent"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - constants
    rnd = random.Random(seed)
    candidates = [rnd.randint(1, max_id) for _ in range(3000)] if max_id else []
    visible = list(
        Ticket.objects.filter(pk__in=candidates, team_id__in=team_ids).values_list("pk", flat=True)
    )
    requesters = list(
        User.objects.filter(email__contains="@customer").values_list("pk", flat=True)[:2000]
    )
    connection.close()
    return Fixture(
        tickets=total,
        team_id=team.pk,
        service_id=service_id or 0,
        session=_session_for(agent),
        manager_session=_session_for(manager),
        token=raw,
        long_ticket_ids=[pk for pk, _n in found] or visible[:1],
        long_entries=round(sum(n for _pk, n in found) / len(found)) if found else 0,
        ticket_ids=rnd.sample(visible, min(len(visible), 300)),
        requester_ids=requesters,
    )


# --- the server --------------------------------------------------------------------------------
class Server:
    """``okno serve`` (gunicorn, DEBUG off) started and stopped by the benchmark."""

    def __init__(self, port: int, workers: int = 2) -> None:
        self.port, self.workers = port, workers
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = dict(os.environ)
        env.update(OKNO_DEBUG="0", OKNO_API_RATE_LIMIT="", OKNO_LOG_LEVEL="WARNING")
        OUT.mkdir(parents=True, exist_ok=True)
        log = (OUT / "server.log").open("ab")
        command = [sys.executable, "-m", "okno.cli", "serve", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(self.workers)]
        self.proc = subprocess.Popen(
            command, env=env, stdout=log, stderr=log, cwd=ROOT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"okno serve exited, see {OUT / 'server.log'}")
            try:
                if Session(self.base, timeout=5).request("GET", "/health/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise SystemExit("okno serve did not answer /health/ within 60 s")

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        masters = children.get(self.proc.pid, [])  # okno serve -> gunicorn master -> workers
        return [pid for master in masters for pid in children.get(master, [])]

    def worker_rss_mb(self) -> float | None:
        sizes = []
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes.append(int(line.split()[1]) / 1024.0)
            except OSError:
                continue
        return max(sizes) if sizes else None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # okno serve forwards it to gunicorn
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group we started, nothing else
            self.proc.wait()


@contextmanager
def serving(port: int) -> Iterator[Server]:
    server = Server(port)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# --- scenarios ---------------------------------------------------------------------------------
def get(path: str) -> Callable[[int], Request]:
    return lambda _i: ("GET", path, None, None)


def latency(
    name: str, base: str, cookies: dict[str, str], make: Callable[[int], Request], n: int
) -> Result:
    warm = Session(base, cookies)
    for i in range(5):
        method, path, body, headers = make(-1 - i)
        warm.request(method, path, body, headers)
    result = run_load(
        base, make, cookies=cookies, requests=n, max_seconds=setting("CAP_SECONDS", 60)
    )
    details[name] = result.summary() | {"example": make(0)[1]}
    print(
        f"# {name}: n={result.n} errors={result.errors} p50={result.p(50):.1f} "
        f"p95={result.p(95):.1f} max={result.latencies_ms[-1]:.1f} ms"
        if result.n
        else f"# {name}: no successful request ({result.statuses})",
        flush=True,
    )
    return result


def probe(base: str, cookies: dict[str, str], path: str) -> tuple[int, bytes]:
    return Session(base, cookies).request("GET", path)


def queue_path(fx: Fixture) -> str:
    return f"/desk/?team={fx.team_id}"


def search_path(i: int) -> str:
    return "/search/?" + urlencode({"q": SEARCH_TERMS[i % len(SEARCH_TERMS)]})


def search_request(i: int) -> Request:
    return "GET", search_path(i), None, None


def create_request(fx: Fixture, seed: int) -> Callable[[int], Request]:
    rnd = random.Random(seed)
    headers = {"Authorization": f"Bearer {fx.token}", "Content-Type": "application/json"}

    def make(i: int) -> Request:
        payload = {
            "title": f"[bench] Printer offline on floor {rnd.randint(1, 9)} #{i}",
            "description": "Created by the benchmark through the API. Принтер не печатает.",
            "service": fx.service_id,
            "impact": rnd.choice([1, 2, 3]),
            "urgency": rnd.choice([1, 2, 3]),
            "requester": rnd.choice(fx.requester_ids) if fx.requester_ids else None,
        }
        return "POST", "/api/v1/tickets", json.dumps(payload).encode(), headers

    return make


def measure(fx: Fixture, server: Server, seed: int) -> list[tuple[str, float, str]]:
    base, n = server.base, setting("REQUESTS", 200)
    agent = {"sessionid": fx.session}
    out: list[tuple[str, float, str]] = []

    status, body = probe(base, agent, queue_path(fx))
    rows = body.count(b'href="/desk/tickets/')
    details["queue_rows_links"] = rows
    if status != 200:
        note(f"queue page answered {status}; queue figures skipped")
    else:
        r = latency("queue", base, agent, get(queue_path(fx)), n)
        if r.n:
            out += [("queue_p50_ms", r.p(50) or 0, "ms"), ("queue_p95_ms", r.p(95) or 0, "ms")]

    status, _body = probe(base, agent, search_path(0))
    if status == 404:
        note("no search page at /search/ yet; search_p95_ms skipped")
    elif status != 200:
        note(f"/search/ answered {status}; search_p95_ms skipped")
    else:
        r = latency("search", base, agent, search_request, max(n // 2, 20))
        if r.n:
            out.append(("search_p95_ms", r.p(95) or 0, "ms"))

    ids = fx.long_ticket_ids
    details["ticket_page_timeline_entries"] = fx.long_entries
    r = latency(
        "ticket_page",
        base,
        agent,
        lambda i: ("GET", f"/desk/tickets/{ids[i % len(ids)]}/", None, None),
        n,
    )
    if r.n:
        out.append(("ticket_page_p95_ms", r.p(95) or 0, "ms"))
    if fx.long_entries != 20:
        note(f"ticket page measured on tickets with ~{fx.long_entries} timeline entries")

    manager = {"sessionid": fx.manager_session}
    dashboard = next((p for p in DASHBOARD_PATHS if probe(base, manager, p)[0] == 200), None)
    if dashboard is None:
        note(f"no manager dashboard at {', '.join(DASHBOARD_PATHS)} yet; dashboard_p95_ms skipped")
    else:
        r = latency("dashboard", base, manager, get(dashboard), max(n // 2, 20))
        if r.n:
            out.append(("dashboard_p95_ms", r.p(95) or 0, "ms"))

    seconds = setting("CREATE_SECONDS", 20)
    r = run_load(base, create_request(fx, seed), duration=seconds, concurrency=4, expect=(201,))
    details["api_create"] = r.summary()
    print(f"# api_create: n={r.n} errors={r.errors} statuses={r.statuses}", flush=True)
    if r.n:
        out += [("api_create_per_s", r.rps, "/s"), ("api_create_p99_ms", r.p(99) or 0, "ms")]
    rss = server.worker_rss_mb()
    if rss is not None:
        out.append(("web_rss_mb", rss, "MB"))
    return out


def run() -> list[tuple[str, float, str]]:
    url = os.environ.get("OKNO_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        note("web figures need PostgreSQL: set OKNO_DATABASE_URL (make bench does)")
        return []
    os.environ.setdefault("OKNO_DATA_DIR", str(ROOT / "var" / "bench" / "data"))
    tickets, seed = setting("TICKETS", 100_000), setting("SEED", 42)
    ensure_database(url)
    setup_django()
    fx = prepare(tickets, seed)
    details["tickets"] = fx.tickets
    print(f"# data set: {fx.tickets:,} tickets; load average {os.getloadavg()}", flush=True)
    with serving(setting("PORT", 8765)) as server:
        return measure(fx, server, seed)
