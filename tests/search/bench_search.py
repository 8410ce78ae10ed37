"""Search latency on a synthetic dataset (not a test; run by hand on a THROWAWAY database).

    rm -f /tmp/kbbench.sqlite3
    export OKNO_DATABASE_URL=sqlite:////tmp/kbbench.sqlite3
    .venv/bin/python manage.py migrate -v0 && .venv/bin/python tests/search/bench_search.py

The same with a ``postgres://`` URL of an empty database (run ``ANALYZE`` after the load).
N tickets (default 20000) with two articles each; 3 % of the words come from a small help-desk
vocabulary, the rest are filler words.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okno.settings")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
django.setup()

from django.db import connection, transaction  # noqa: E402

from okno.accounts.models import Organization, Team, TeamMembership, User  # noqa: E402
from okno.search.backends import search  # noqa: E402
from okno.tickets.models import Article, Status, Ticket  # noqa: E402

N = int(os.environ.get("N", "20000"))
SPECIAL = [
    "принтер",
    "сканер",
    "монитор",
    "пароль",
    "почта",
    "сеть",
    "ноутбук",
    "картридж",
    "бумага",
    "доступ",
    "vpn",
    "printer",
    "scanner",
    "password",
    "network",
    "laptop",
    "принтера",
    "принтеры",
    "помилка",
    "мережа",
    "друк",
]
FILLER = [f"слово{i}" for i in range(3000)] + [f"word{i}" for i in range(3000)]
QUERIES = ("принтера", "сканер пароль", "помилки", "r7@org.test", "nothing-matches-xyz")


def pick(k: int) -> str:
    return " ".join(
        random.choice(SPECIAL) if random.random() < 0.03 else random.choice(FILLER)
        for _ in range(k)
    )


def load() -> None:
    random.seed(1)
    org = Organization.objects.create(name="Org")
    team = Team.objects.create(name="L1", line=1)
    agent = User.objects.create_user("agent@x.test", "x", role="agent")
    TeamMembership.objects.create(team=team, user=agent)
    requesters = [
        User.objects.create_user(f"r{i}@org.test", "x", organization=org) for i in range(50)
    ]
    status = Status.objects.get(key="new")
    started = time.perf_counter()
    with transaction.atomic():
        tickets = Ticket.objects.bulk_create(
            [
                Ticket(
                    title=pick(6),
                    requester=random.choice(requesters),
                    organization=org,
                    status=status,
                    status_category="new",
                    team=team,
                )
                for _ in range(N)
            ],
            batch_size=2000,
        )
        Article.objects.bulk_create(
            [
                Article(
                    ticket=t,
                    kind=random.choice(["reply", "reply", "note"]),
                    channel="web",
                    body_text=pick(60),
                )
                for t in tickets
                for _ in range(2)
            ],
            batch_size=2000,
        )
    elapsed = time.perf_counter() - started
    print(f"insert {N} tickets + {2 * N} articles, index kept by triggers: {elapsed:.1f} s")


def main() -> None:
    if not Ticket.objects.exists():
        load()
    for who in ("agent@x.test", "r1@org.test"):
        user = User.objects.get(email=who)
        for query in QUERIES:
            times = []
            for _ in range(7):
                started = time.perf_counter()
                results = search(user, query, limit=20)
                times.append(time.perf_counter() - started)
            median = statistics.median(times) * 1000
            print(
                f"{connection.vendor:10} {who:13} {query:20} hits={len(results.hits):2} "
                f"median={median:6.1f} ms"
            )


if __name__ == "__main__":
    main()
