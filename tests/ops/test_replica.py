"""``OKNO_DATABASE_REPLICA_URL``: report reads go to the replica, everything else to the primary.

Run in a separate process, because the database aliases are fixed when Django starts; the
"replica" is the test database itself (a replica holds the same rows), so the queries are real.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from okno.ops.dbrouter import ReplicaRouter

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django, json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "okno.settings"
django.setup()
from django.apps import apps
from django.conf import settings
from django.db import connections
from okno.tickets.models import Ticket

report_model = next(iter(apps.get_app_config("reports").get_models()))
for alias in connections:
    connections[alias].force_debug_cursor = True
list(report_model.objects.all()[:1])
list(Ticket.objects.all()[:1])
print(json.dumps({
    "aliases": sorted(settings.DATABASES),
    "test_mirror": settings.DATABASES["replica"]["TEST"],
    "replica": [q["sql"] for q in connections["replica"].queries],
    "default": [q["sql"] for q in connections["default"].queries],
    "table": report_model._meta.db_table,
}))
"""


@pytest.mark.django_db
def test_report_reads_go_to_the_replica_and_the_rest_to_the_primary():
    if connection.vendor != "postgresql":
        pytest.skip("a read replica is a PostgreSQL setup (the PostgreSQL run covers it)")
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKNO_", "DJANGO_"))}
    env.update(OKNO_DATABASE_URL=url, OKNO_DATABASE_REPLICA_URL=url, OKNO_DATA_DIR="/tmp")
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["aliases"] == ["default", "replica"]
    assert seen["test_mirror"]["MIRROR"] == "default"
    assert any(seen["table"] in sql for sql in seen["replica"])
    assert not any("tickets_ticket" in sql for sql in seen["replica"])
    assert any("tickets_ticket" in sql for sql in seen["default"])
    assert not any(seen["table"] in sql for sql in seen["default"])


def test_router_without_a_replica_leaves_everything_on_the_primary(settings):
    from okno.tickets.models import Ticket

    router = ReplicaRouter()
    assert router.db_for_read(Ticket) is None
    assert router.db_for_write(Ticket) == "default"
    assert router.allow_migrate("replica", "tickets") is False
    assert router.allow_migrate("default", "tickets") is True
