"""Search latency and plans on a bulk data set (not a test; run by hand against PostgreSQL).

    export OKNO_DATABASE_URL=postgres://postgres@127.0.0.1:5432/okno_search_bench
    .venv/bin/okno migrate && .venv/bin/okno demo --tickets 300000 --seed 42
    .venv/bin/python tests/search/explain_search.py [--plans] [--repeat 7] [WORD ...]

For the benchmark's agent (``agent@okno.example``: two teams, about a quarter of the tickets),
the demo requester and the most active requester, times ``search(user, word, limit=20)`` (all
kinds, median and max of ``--repeat`` runs) and sums the server-side execution time of its
full-text statements from ``EXPLAIN (ANALYZE, BUFFERS)``; ``--plans`` prints those plans.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okno.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from okno.accounts.models import User  # noqa: E402
from okno.search.backends import search  # noqa: E402
from okno.tickets.models import Ticket  # noqa: E402

WORDS = ["printer", "принтер", "VPN", "пароль", "Outlook", "ошибка", "password", "доступ"]
FULL_TEXT_TABLES = ("search_ticketdocument", "search_ticketarticledocument", "search_kbdocument")


def people() -> list[User]:
    found = [User.objects.get(email="agent@okno.example")]
    demo = User.objects.filter(email="requester@customer001.example").first()
    if demo is not None:
        found.append(demo)
    busiest = (
        Ticket.objects.values("requester_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("requester_id", flat=True)
        .first()
    )
    if busiest is not None:
        found.append(User.objects.get(pk=busiest))
    return found


def explain(sql: str, show: bool) -> float:
    """Execution time (ms) of one captured statement; prints the plan when asked."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    if show:
        print("\n".join("    " + line for line in lines))
    total = next((line for line in lines if line.startswith("Execution Time")), "0 0")
    return float(total.split()[2])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("words", nargs="*", default=WORDS)
    parser.add_argument("--plans", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"{Ticket.objects.count()} tickets on {connection.vendor}")
    for user in people():
        visible = "all" if user.sees_all_tickets else "scoped"
        print(f"== {user.email} ({user.role}, {visible})")
        for word in args.words:
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                results = search(user, word, limit=20)
                times.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as captured:
                search(user, word, limit=20)
            sql_ms = 0.0
            for query in captured.captured_queries:
                if any(table in query["sql"] for table in FULL_TEXT_TABLES):
                    if args.plans:
                        print(f"  -- {word}: {query['sql'][:160]}…")
                    sql_ms += explain(query["sql"], args.plans)
            print(
                f"  {word:10} hits={len(results.hits):2} more={'yes' if results.next_cursor else 'no'}"
                f"  median={statistics.median(times):7.1f} ms  max={max(times):7.1f} ms"
                f"  full-text SQL={sql_ms:7.1f} ms"
            )


if __name__ == "__main__":
    main()
