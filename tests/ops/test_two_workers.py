"""Two ``okno worker`` processes on one PostgreSQL share the queue: every job runs exactly once
(jobs are claimed with ``SELECT … FOR UPDATE SKIP LOCKED``) and both take a share.

The scale-out setup of docs/performance.md, in miniature: a throwaway database, real worker
processes, real jobs. With ``CI=true`` a missing PostgreSQL fails the test instead of skipping.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
SERVER = os.environ.get("OKNO_TEST_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
JOBS = 200


def _admin_connection():
    psycopg = pytest.importorskip("psycopg")
    try:
        return psycopg.connect(f"{SERVER}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc}")


@pytest.fixture
def pg_database():
    name = f"okno_workers_{uuid.uuid4().hex[:8]}"
    admin = _admin_connection()
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{SERVER}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


SETUP = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'okno.settings'; django.setup()\n"
)


def test_two_worker_processes_run_every_job_exactly_once(pg_database, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKNO_", "DJANGO_"))}
    env.update(OKNO_DATABASE_URL=pg_database, OKNO_DATA_DIR=str(tmp_path))
    migrate = subprocess.run(
        [sys.executable, "-m", "okno.cli", "migrate", "--noinput"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    _python(
        SETUP + "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('CREATE TABLE worker_runs (n integer, pid integer)')\n",
        env,
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "okno.cli", "worker", "--no-scheduler", "--interval", "0.1"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for worker in workers:  # both are up before the first job exists
            assert worker.stdout is not None
            line = worker.stdout.readline()
            assert "Okno worker" in line, line
        _python(
            SETUP + "from django.db import transaction\n"
            "from tests.ops.worker_jobs import record\n"
            "with transaction.atomic():\n"
            f"    for n in range({JOBS}):\n"
            "        record.enqueue(n)\n",
            env,
        )
        count = (
            SETUP + "from django.db import connection\n"
            "with connection.cursor() as c:\n"
            "    c.execute('SELECT count(*), count(DISTINCT n), count(DISTINCT pid) "
            "FROM worker_runs')\n"
            "    print(*c.fetchone())\n"
        )
        deadline = time.monotonic() + 120
        runs = distinct = pids = 0
        while time.monotonic() < deadline:
            runs, distinct, pids = map(int, _python(count, env).split())
            if runs >= JOBS:
                break
            time.sleep(0.5)
        time.sleep(1.0)  # a job run twice would show up now
        runs, distinct, pids = map(int, _python(count, env).split())
        assert (runs, distinct) == (JOBS, JOBS), "every job once, none twice"
        assert pids == 2, "both worker processes took jobs"
        states = _python(
            SETUP + "from django_tasks_db.models import DBTaskResult\n"
            "from django.db.models import Count\n"
            "print(dict(DBTaskResult.objects.values_list('status').annotate(n=Count('id'))"
            ".values_list('status', 'n')))\n",
            env,
        )
        assert states.strip() == f"{{'SUCCESSFUL': {JOBS}}}", states
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
