"""``OKNO_TASKS_BACKEND=rq``: jobs live in Redis and ``okno worker`` runs them with RQ.

A real Redis (its own database number, flushed before and after) and real processes: a ticket
opened with the Redis backend queues its follow-ups after commit, and the worker sends the
requester's acknowledgement. With ``CI=true`` a missing Redis fails instead of skipping.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("OKNO_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")

SETUP = (
    "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'okno.settings'; django.setup()\n"
)
OPEN_TICKET = (
    SETUP
    + """
from django.db import transaction
from okno.accounts.models import User
from okno.tickets import actions
from django_rq import get_queue
requester = User.objects.create_user("rq-requester@example.com", "x", full_name="Rita")
with transaction.atomic():
    ticket = actions.open_ticket(actor=requester, title="Printer jams", description="Every page")
    assert get_queue("default").count == 0, "nothing is queued before the commit"
print(ticket.pk, get_queue("default").count)
"""
)


@pytest.fixture
def redis_db():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis not reachable: {exc}")
    client.flushdb()
    yield client
    client.flushdb()


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    return done.stdout


def test_redis_backend_queues_after_commit_and_the_worker_runs_the_followups(redis_db, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OKNO_", "DJANGO_"))}
    env.update(
        OKNO_DATA_DIR=str(tmp_path),
        OKNO_TASKS_BACKEND="rq",
        OKNO_TASKS_REDIS_URL=REDIS_URL,
    )
    run([sys.executable, "-m", "okno.cli", "migrate", "--noinput"], env)
    ticket_id, queued = map(int, run([sys.executable, "-c", OPEN_TICKET], env).split())
    assert queued == 1  # the fan-out job, in Redis, after the commit
    out = run([sys.executable, "-m", "okno.cli", "worker", "--batch"], env)
    assert "RQ on" in out
    sent = list((tmp_path / "sent-mail").iterdir())
    assert sent, "the worker sent no acknowledgement"
    text = "".join(p.read_text(encoding="utf-8", errors="replace") for p in sent)
    assert f"[#{ticket_id}]" in text and "rq-requester@example.com" in text
    assert redis_db.llen("rq:queue:default") == 0
