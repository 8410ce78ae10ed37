"""Write the data set's chunks on several PostgreSQL connections at once.

Loading is bound by the server, not by Python: each row's triggers (the search documents) and
index updates run in the one backend that receives the COPY, on one core. With every chunk in
its own transaction (``--keep-indexes``, or a load smaller than what is there), chunks are
independent (their ids are reserved up front), so two connections keep two cores busy while
the next chunk is generated.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.db import connection, transaction

# (a BulkTable, its rows) for every table of one chunk
Chunk = Sequence[tuple[Any, list[tuple[Any, ...]]]]


def write_chunk(chunk: Chunk) -> None:
    """One chunk, all tables, one transaction, on this thread's connection."""
    with transaction.atomic(), connection.cursor() as cursor:
        raw = getattr(cursor, "cursor", cursor)
        for table, rows in chunk:
            table.write(raw, rows)


def _write_and_close(chunk: Chunk) -> None:
    try:
        write_chunk(chunk)
    finally:
        connection.close()  # this thread's own connection


class ChunkWriters:
    """At most ``count`` chunks in flight; ``finish()`` waits for them and re-raises a failure
    (the chunks finished before it stay, as with one connection)."""

    def __init__(self, count: int = 2) -> None:
        self.count = max(1, count)
        self.pool = ThreadPoolExecutor(max_workers=self.count, thread_name_prefix="okno-copy")
        self.pending: deque[Future[None]] = deque()

    def submit(self, chunk: Chunk) -> None:
        while len(self.pending) >= self.count:
            self.pending.popleft().result()
        self.pending.append(self.pool.submit(_write_and_close, chunk))

    def finish(self) -> None:
        try:
            while self.pending:
                self.pending.popleft().result()
        finally:
            self.pool.shutdown(wait=True)
