"""Write the data set's chunks on several PostgreSQL connections at once.

Python generates the rows on one core; each chunk's ``COPY``, its set-based statements (the
search documents of a load from empty) and its commit run in a PostgreSQL backend. With every
chunk in its own transaction, chunks are independent (their ids are reserved up front), so two
connections keep both cores busy while the next chunk is generated.

A chunk is all or nothing: its rows and whatever its ``after`` statements derive from them
(the search documents) commit together, so an interrupted load never keeps half a chunk.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction


@dataclass
class Chunk:
    """The rows of one chunk, for every table (a ``BulkTable`` and its rows), and statements to
    run in the same transaction before and after they are written."""

    tables: Sequence[tuple[Any, list[tuple[Any, ...]]]]
    before: Sequence[str] = ()
    after: Sequence[tuple[str, Sequence[Any]]] = ()


def write_chunk(chunk: Chunk) -> None:
    """One chunk, all tables, one transaction, on this thread's connection."""
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in chunk.before:
            cursor.execute(statement)
        raw = getattr(cursor, "cursor", cursor)
        for table, rows in chunk.tables:
            table.write(raw, rows)
        for statement, params in chunk.after:
            cursor.execute(statement, params)


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
