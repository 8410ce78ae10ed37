"""In-process cost of the desk's hot paths: CPU time per request and query counts.

    OKNO_DATABASE_URL=postgres://…/okno_pages .venv/bin/python -m bench.pages \
        [--profile api_create] [--only search,api]

Runs the agent queue (``/desk/?team=<Service Desk>``, as ``make bench``), the ticket page
(the bench's ~20-entry tickets), the uncached sidebar counters, the API's ticket creation
(the bench's payload and Bearer token; rate limit off and DEBUG off, as the bench's server)
and the search page for each of the bench's terms through Django's WSGI handler (what
gunicorn calls; the test client would add its own template instrumentation), signed in with
a real session row, ``OKNO_BENCH_PAGES_N`` times each (30), and prints the median and 90th
percentile of the process CPU time (``time.process_time``: what the web worker spends,
whatever else runs on the machine), the wall time, the number of queries and their SQL time.
``--profile NAME`` adds a CPU-time cProfile of that scenario (sorted by cumulative and by own
time); ``--only`` runs the scenarios whose names start with one of the given prefixes.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from bench import web


def _sample(action: Callable[[], Any], n: int) -> dict[str, float]:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    action()  # warm-up (templates, memos)
    cpu, wall, counts, sql = [], [], [], []
    for _ in range(n):
        reset_queries()  # as request_started does: the capture starts from an empty log
        with CaptureQueriesContext(connection) as ctx:
            c0, w0 = time.process_time(), time.perf_counter()
            action()
            cpu.append((time.process_time() - c0) * 1000)
            wall.append((time.perf_counter() - w0) * 1000)
        counts.append(len(ctx.captured_queries))
        sql.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
    cpu.sort()
    return {
        "cpu_p50": statistics.median(cpu),
        "cpu_p90": cpu[int(len(cpu) * 0.9) - 1],
        "wall_p50": statistics.median(wall),
        "queries": max(counts),
        "sql_ms": statistics.median(sql),
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("OKNO_DATA_DIR", str(web.ROOT / "var" / "bench" / "data"))
    os.environ.update(OKNO_DEBUG="0", OKNO_API_RATE_LIMIT="")  # as the benchmark's server
    web.setup_django()
    from django.core.cache import cache
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    from okno.accounts.models import Team, User
    from okno.desk.views import counters_key, sidebar_counters
    from okno.ops import dataset

    profile = argv[argv.index("--profile") + 1] if "--profile" in argv else ""
    n = web.setting("PAGES_N", 30)
    fx = web.prepare(0, web.setting("SEED", 42))
    agent = User.objects.get(email="agent@okno.example")
    team = Team.objects.get(name=dataset.TEAMS[0][1])
    handler = WSGIHandler()
    factory = RequestFactory()
    ticket_ids = fx.long_ticket_ids
    turn = {"i": 0}

    def call(
        path: str,
        query: str = "",
        *,
        post: bytes | None = None,
        token: str = "",
        expect: str = "200",
    ) -> None:
        """One request through the WSGI handler: the session cookie, or a Bearer token."""
        extra = (
            {"HTTP_AUTHORIZATION": token}
            if token
            else {"HTTP_COOKIE": f"sessionid={fx.session}"}  # a real session row, as the bench's
        )
        if post is not None:
            extra.update(CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(post)))
        environ = factory._base_environ(
            PATH_INFO=path,
            QUERY_STRING=query,
            REQUEST_METHOD="GET" if post is None else "POST",
            HTTP_HOST="127.0.0.1",
            **extra,
        )
        if post is not None:
            environ["wsgi.input"] = io.BytesIO(post)
        statuses = []
        body = handler(environ, lambda status, headers: statuses.append(status))
        b"".join(body)
        body.close()  # request_finished, as a WSGI server does
        assert statuses[0].startswith(expect), statuses

    def queue() -> None:
        call("/desk/", f"team={team.pk}")

    def ticket_page() -> None:
        turn["i"] += 1
        call(f"/desk/tickets/{ticket_ids[turn['i'] % len(ticket_ids)]}/")

    make = web.create_request(fx, 1)

    def api_create() -> None:
        turn["i"] += 1
        _method, path, payload, headers = make(turn["i"])
        call(path, post=payload or b"", token=(headers or {})["Authorization"], expect="201")

    def counters() -> None:
        cache.delete(counters_key(agent))
        fresh = User.objects.get(pk=agent.pk)
        sidebar_counters(fresh)

    def searcher(term: str) -> Callable[[], None]:
        return lambda: call("/search/", urlencode({"q": term}))

    scenarios = {
        "queue": queue,
        "ticket_page": ticket_page,
        "counters_uncached": counters,
        "api_create": api_create,
        **{f"search {term}": searcher(term) for term in web.SEARCH_TERMS},
    }
    from okno.tickets.models import Ticket

    print(
        f"# {Ticket.objects.count():,} tickets; n={n}; load average {os.getloadavg()}",
        flush=True,
    )
    only = argv[argv.index("--only") + 1].split(",") if "--only" in argv else []
    for name, action in scenarios.items():
        if only and not any(name.startswith(prefix) for prefix in only):
            continue
        figures = _sample(action, n)
        print(
            f"{name:18} cpu p50 {figures['cpu_p50']:6.1f} ms  p90 {figures['cpu_p90']:6.1f} ms"
            f"  wall p50 {figures['wall_p50']:6.1f} ms  queries {figures['queries']:3.0f}"
            f"  sql {figures['sql_ms']:5.1f} ms",
            flush=True,
        )
        if name == profile:
            prof = cProfile.Profile(time.process_time)  # CPU time: what the worker spends
            prof.enable()
            for _ in range(n):
                action()
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(60)
            out2 = io.StringIO()
            pstats.Stats(prof, stream=out2).sort_stats("tottime").print_stats(40)
            print(out.getvalue(), out2.getvalue(), sep="\n")
    print(f"# load average {os.getloadavg()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
