"""Query counts and ``EXPLAIN (ANALYZE, BUFFERS)`` of the hot pages (PostgreSQL).

    OKNO_DATABASE_URL=postgres://…/okno_bench .venv/bin/python -m bench.explain

Renders the agent queue, the ticket page (a ~20-entry ticket), search and the API list in
process with the Django test client, captures their SQL, and explains every statement that
touches the ticket tables. Writes ``var/bench/explain-<tickets>.txt`` and prints a summary.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from bench import web

TABLES = ("tickets_ticket", "tickets_article", "tickets_ticketevent", "search_")


def capture(client: Any, path: str) -> tuple[int, float, list[dict[str, str]]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        status = client.get(path).status_code
        elapsed = (time.perf_counter() - started) * 1000
    return status, elapsed, list(ctx.captured_queries)


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> int:
    os.environ.setdefault("OKNO_DATA_DIR", str(web.ROOT / "var" / "bench" / "data"))
    web.setup_django()
    from django.test import Client

    from okno.accounts.models import Team, User
    from okno.ops import dataset
    from okno.tickets.models import Ticket

    fx = web.prepare(0, web.setting("SEED", 42))  # no generation: explain what is there
    agent = User.objects.get(email="agent@okno.example")
    team = Team.objects.get(name=dataset.TEAMS[0][1])
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(agent)
    pages = {
        "queue": f"/desk/?team={team.pk}",
        "ticket page": f"/desk/tickets/{fx.long_ticket_ids[0]}/",
        "search": "/search/?q=printer",
        "api list": f"/api/v1/tickets?team={team.pk}",
    }
    count = Ticket.objects.count()
    lines = [f"# {count:,} tickets; load average {os.getloadavg()}", ""]
    for name, path in pages.items():
        status, elapsed, queries = capture(client, path)
        db_ms = sum(float(q["time"]) for q in queries) * 1000
        head = f"## {name}: GET {path} -> {status}, {len(queries)} queries, {elapsed:.0f} ms"
        head += f" in process (SQL {db_ms:.0f} ms)"
        print(head, flush=True)
        lines += [head, ""]
        for query in queries:
            sql = query["sql"]
            if not any(table in sql for table in TABLES) or not sql.lstrip().startswith("SELECT"):
                continue
            lines += [f"### {float(query['time']) * 1000:.1f} ms", sql, "", explain(sql), ""]
    out = web.OUT / f"explain-{count}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text("\n".join(lines), encoding="utf-8")
    print(f"# plans: {out}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
