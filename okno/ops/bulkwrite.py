"""Write the data set's chunks on several PostgreSQL connections at once.

Python generates the rows on one core; each chunk's ``COPY``, its set-based statements (the
search documents of a load from empty) and its commit run in a PostgreSQL backend. With every
chunk in its own transaction, chunks are independent (their ids are reserved up front), so two
connections keep both cores busy while the next chunk is generated.

A chunk is all or nothing: its rows and whatever its ``after`` statements derive from them
(the search documents) commit together, so an interrupted load never keeps half a chunk.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Sequence
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


class ChunkWriters:
    """``count`` writer threads, each with its own connection for the whole load, taking chunks
    from a short queue (Python waits when the writers are behind). ``finish()`` lets them end,
    closes their connections and re-raises the first failure; after a failure the remaining
    chunks are not written (the chunks finished before it stay, as with one connection)."""

    def __init__(self, count: int = 2) -> None:
        self.todo: queue.Queue[Chunk | None] = queue.Queue(maxsize=max(1, count))
        self.errors: list[BaseException] = []
        self.threads = [
            threading.Thread(target=self._run, name=f"okno-copy-{n}", daemon=True)
            for n in range(max(1, count))
        ]
        for thread in self.threads:
            thread.start()

    def _run(self) -> None:
        try:
            while (chunk := self.todo.get()) is not None:
                if not self.errors:
                    try:
                        write_chunk(chunk)
                    except BaseException as exc:  # handed to the main thread by finish()
                        self.errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    def submit(self, chunk: Chunk) -> None:
        if self.errors:
            raise self.errors[0]
        self.todo.put(chunk)

    def finish(self, *, abandon: bool = False) -> None:
        """Wait for the chunks in flight; ``abandon`` (an interrupted load): drop the queued
        ones that no writer has started."""
        if abandon:
            with contextlib.suppress(queue.Empty):
                while True:
                    self.todo.get_nowait()
        for _thread in self.threads:
            self.todo.put(None)
        for thread in self.threads:
            thread.join()
        if self.errors:
            raise self.errors[0]
