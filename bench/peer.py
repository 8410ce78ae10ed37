"""`make bench-peer`: the same scenarios against django-helpdesk and Okno, side by side.

The django-helpdesk baseline lives read-only in ``../shared/peer-bench`` (override with
``OKNO_PEER_BENCH``); it is copied to ``var/peer-bench/`` and set up there as its README says: a
virtualenv from ``requirements.lock.txt``, its own PostgreSQL role and database (``hdbench``,
created through ``psql -U postgres -h 127.0.0.1``), ``migrate`` + ``loaddata``. Both systems get
``OKNO_BENCH_TICKETS`` tickets of the same shape over three years; then, one system at a time
with the other stopped, the queue page, keyword search ("printer"), a random ticket's page and
ticket creation through the API (concurrency 4) are measured with the same client code.

django-helpdesk shows its list in two requests (an HTML shell, then the DataTables JSON with the
rows); its queue and search figures are the sum of both (what a browser waits for). Output:
``BENCH okno_<x>``, ``BENCH peer_<x>`` and ``BENCH ratio_<x>`` (peer / okno for times, okno /
peer for throughput, so > 1 always means Okno is faster), plus ``var/bench/peer-<time>.json``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import stat
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import web
from bench.httpload import run_load

ROOT = web.ROOT
PEER_SOURCE = Path(os.environ.get("OKNO_PEER_BENCH", str(ROOT.parent / "shared" / "peer-bench")))
PEER = ROOT / "var" / "peer-bench"
PEER_PORT = 8766
PEER_DB = {"HD_DB_NAME": "hdbench", "HD_DB_USER": "hdbench", "HD_DB_PASSWORD": "hdbench"}
SEARCH_WORD = "printer"  # the baseline's SEARCH_COMMON
PEER_SCENARIOS = "list_queue_html,list_queue_json,search_common_html,search_common_json,detail"


def sh(command: list[str], **kw: Any) -> subprocess.CompletedProcess[str]:
    print("# $ " + " ".join(command), flush=True)
    return subprocess.run(command, check=True, text=True, **kw)


def psql(sql: str) -> str:
    """Run SQL as the PostgreSQL superuser over TCP (as the project's tests do)."""
    url = os.environ.get("OKNO_PEER_PSQL", "postgresql://postgres@127.0.0.1:5432/postgres")
    out = subprocess.run(["psql", url, "-tAc", sql], check=True, text=True, capture_output=True)
    return out.stdout.strip()


def setup_peer() -> dict[str, str]:
    """Copy the baseline, build its virtualenv and database (each step only once)."""
    if not (PEER / "README.md").exists():
        shutil.copytree(PEER_SOURCE, PEER, dirs_exist_ok=True)
        for path in [PEER, *PEER.rglob("*")]:  # the source is read-only
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    python = PEER / "venv" / "bin" / "python"
    if not (PEER / "venv" / ".installed").exists():
        sh([sys.executable, "-m", "venv", str(PEER / "venv")])
        sh([str(python), "-m", "pip", "install", "-q", "-r", str(PEER / "requirements.lock.txt")])
        (PEER / "venv" / ".installed").touch()
    if psql("SELECT 1 FROM pg_roles WHERE rolname = 'hdbench'") != "1":
        psql("CREATE ROLE hdbench LOGIN PASSWORD 'hdbench' CREATEDB")
    if psql("SELECT 1 FROM pg_database WHERE datname = 'hdbench'") != "1":
        psql("CREATE DATABASE hdbench OWNER hdbench ENCODING 'UTF8' TEMPLATE template0")
    env = dict(os.environ) | PEER_DB
    env.pop("DJANGO_SETTINGS_MODULE", None)
    project = PEER / "hdproject"
    sh([str(python), "manage.py", "migrate", "-v0"], cwd=project, env=env)
    sh([str(python), "manage.py", "loaddata", "emailtemplate.json", "-v0"], cwd=project, env=env)
    return env


def peer_ticket_count(env: dict[str, str]) -> int:
    python = PEER / "venv" / "bin" / "python"
    code = (
        "import psycopg,os;c=psycopg.connect(dbname='hdbench',user='hdbench',password='hdbench',"
        "host='127.0.0.1');print(c.execute('SELECT count(*) FROM helpdesk_ticket').fetchone()[0])"
    )
    return int(sh([str(python), "-c", code], env=env, capture_output=True).stdout.strip())


def run_peer(tickets: int, env: dict[str, str], requests: int, cap: float, create: float) -> Any:
    python = str(PEER / "venv" / "bin" / "python")
    if peer_ticket_count(env) != tickets:
        started = time.perf_counter()
        sh([python, "gen/generate.py", "--tickets", str(tickets), "--span-days", "1095"],
           cwd=PEER, env=env)  # fmt: skip
        print(f"# django-helpdesk data: {time.perf_counter() - started:.0f} s", flush=True)
    server = [str(PEER / "bench" / "server.sh")]
    sh([*server, "start", "2", str(PEER_PORT)], cwd=PEER, env=env)
    label = f"okno-peer-{tickets}"
    try:
        for only, extra in (
            (PEER_SCENARIOS, []),
            ("create_api", ["--create-seconds", str(create)]),
        ):
            sh(
                [python, "bench/run_bench.py", "--base", f"http://127.0.0.1:{PEER_PORT}",
                 "--label", label, "--only", only, "--n", str(requests),
                 "--n-search", str(max(requests // 2, 20)), "--cap-seconds", str(cap), *extra],
                cwd=PEER, env=env,
            )  # fmt: skip
    finally:
        sh([*server, "stop"], cwd=PEER, env=env)
    results = PEER / "results"
    latency = json.loads(
        (results / f"bench_{label}_{PEER_SCENARIOS.replace(',', '+')}.json").read_text()
    )
    created = json.loads((results / f"bench_{label}_create_api.json").read_text())
    return latency["latency"] | {"create_api": created["create"]["api"]}


def run_okno(tickets: int, seed: int, requests: int, create: float) -> dict[str, Any]:
    url = os.environ.get("OKNO_DATABASE_URL", "")
    os.environ.setdefault("OKNO_DATA_DIR", str(ROOT / "var" / "bench" / "data"))
    web.ensure_database(url)
    web.setup_django()
    fx = web.prepare(tickets, seed)
    agent = {"sessionid": fx.session}
    ids = fx.ticket_ids
    search = "/search/?" + urlencode({"q": SEARCH_WORD})
    out: dict[str, Any] = {}
    with web.serving(web.setting("PORT", 8765)) as server:
        base = server.base
        queue = web.latency("okno_queue", base, agent, web.get(web.queue_path(fx)), requests)
        out["queue"] = queue.summary()
        if web.probe(base, agent, search)[0] == 200:
            out["search"] = web.latency(
                "okno_search", base, agent, web.get(search), max(requests // 2, 20)
            ).summary()
        else:
            web.note("no search page at /search/; the search comparison is skipped")
        out["detail"] = web.latency(
            "okno_ticket",
            base,
            agent,
            lambda i: ("GET", f"/desk/tickets/{ids[i % len(ids)]}/", None, None),
            requests,
        ).summary()
        create_run = run_load(
            base, web.create_request(fx, seed), duration=create, concurrency=4, expect=(201,)
        )
        out["create_api"] = create_run.summary()
    out["tickets"] = fx.tickets
    return out


def sum_p95(*parts: dict[str, Any] | None) -> float | None:
    values = [p.get("p95_ms") for p in parts if p]
    return sum(values) if values and None not in values else None  # type: ignore[arg-type]


def main() -> int:
    if not PEER_SOURCE.exists() and not (PEER / "README.md").exists():
        print(f"# no baseline at {PEER_SOURCE}; set OKNO_PEER_BENCH", flush=True)
        return 2
    tickets, seed = web.setting("TICKETS", 100_000), web.setting("SEED", 42)
    requests, cap = web.setting("REQUESTS", 200), web.setting("CAP_SECONDS", 60)
    create = web.setting("CREATE_SECONDS", 20)
    load_before = os.getloadavg()
    env = setup_peer()
    okno = run_okno(tickets, seed, requests, create)
    peer = run_peer(tickets, env, requests, cap, create)
    rows: list[tuple[str, float | None, float | None, str]] = [
        ("queue_p95_ms", okno["queue"]["p95_ms"],
         sum_p95(peer.get("list_queue_html"), peer.get("list_queue_json")), "ms"),
        ("search_p95_ms", (okno.get("search") or {}).get("p95_ms"),
         sum_p95(peer.get("search_common_html"), peer.get("search_common_json")), "ms"),
        ("ticket_page_p95_ms", okno["detail"]["p95_ms"], (peer.get("detail") or {}).get("p95_ms"),
         "ms"),
        ("api_create_per_s", okno["create_api"]["rps"], peer["create_api"].get("rps"), "/s"),
        ("api_create_p99_ms", okno["create_api"]["p99_ms"], peer["create_api"].get("p99_ms"),
         "ms"),
    ]  # fmt: skip
    figures = []
    for name, ours, theirs, unit in rows:
        ratio = None
        if ours and theirs:
            ratio = ours / theirs if unit == "/s" else theirs / ours
        for who, value in (("okno", ours), ("peer", theirs)):
            if value is not None:
                print(f"BENCH {who}_{name} {value:.1f} {unit}", flush=True)
        if ratio is not None:
            print(f"BENCH ratio_{name} {ratio:.1f} x", flush=True)
        figures.append({"name": name, "okno": ours, "peer": theirs, "unit": unit, "ratio": ratio})
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "when": stamp,
        "tickets": tickets,
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "figures": figures,
        "okno": okno,
        "peer": peer,
        "notes": web.notes,
    }
    web.OUT.mkdir(parents=True, exist_ok=True)
    path = web.OUT / f"peer-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"# results: {path}", flush=True)
    return 0


if __name__ == "__main__":
    random.seed(0)
    sys.exit(main())
