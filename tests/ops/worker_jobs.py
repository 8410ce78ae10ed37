"""A job for the two-worker test: records which worker process ran which number."""

from __future__ import annotations

import os
import time

from django.db import connection
from django_tasks import task


@task(queue_name="default")
def record(n: int) -> int:
    time.sleep(0.02)  # long enough that two workers interleave
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO worker_runs (n, pid) VALUES (%s, %s)", [n, os.getpid()])
    return n
