"""Plumbing shared by the benchmarks that measure on a throwaway database in a child process
(so Django is configured for that database): create it next to ``OKNO_DATABASE_URL``, drop
it afterwards, and read the child's JSON result from its last line of output."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


@contextlib.contextmanager
def scratch_database(url: str, prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database on the server of ``url``; its URL, dropped at the end."""
    import psycopg

    parts = urlsplit(url)
    name = f"okno_bench_{prefix}_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_child(module: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
    """``python -m module --child *args`` with ``env`` over ours; its last stdout line as JSON."""
    out = subprocess.run(  # our own module
        [sys.executable, "-m", module, "--child", *args],
        env={**os.environ, "OKNO_SECRET_KEY": "bench", **env},
        cwd=ROOT,
        capture_output=True,
        check=False,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{module} child failed:\n{out.stderr[-3000:]}{out.stdout[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]
