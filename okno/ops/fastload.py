"""The big tables' secondary indexes and foreign keys, taken away for a bulk load from empty and
put back afterwards - set-based, on two connections - whatever happens to the load.

Why: maintaining some thirty B-tree, GIN and trigram indexes and twenty foreign-key checks row
by row is most of the server's work in a bulk load. Building each index once (one sort, or one
pass for GIN) and validating each foreign key with one join is several times cheaper.

What makes it safe: the statements that put everything back are written to a journal table,
``okno_bulk_load``, in the same transaction as the drops, so the database is never without its
indexes unless the journal says how to restore them.

* The load ends, fails, or is stopped (Ctrl-C): the loader calls ``restore()`` in a ``finally``.
* The process dies (``kill -9``, out of memory, power loss): the journal stays. The next
  ``okno demo --tickets N`` restores it before loading, ``okno demo --repair`` restores it on
  its own, and ``okno check`` fails until then.
* Each restoring statement commits together with its journal row's ``done`` mark, so a restore
  that is itself interrupted resumes where it stopped. The journal is dropped at the end: a
  finished load leaves no trace of it.

Inside a caller's transaction (the test suite, or a load that must be all or nothing) the same
steps run in that one transaction on one connection: then nothing is ever half done.

Primary keys and unique indexes stay in place during the load: they guard the reserved ids,
and other tables' foreign keys depend on them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction

JOURNAL = "okno_bulk_load"
# Memory for one index build or foreign-key validation (each connection, one at a time). The
# data set's biggest sort, the 37M-event index at 5M tickets, then runs in a few passes.
MAINTENANCE_MEMORY = "1GB"
INDEXES, FOREIGN_KEYS, VALIDATIONS = 1, 2, 3
PHASES = {INDEXES: "indexes", FOREIGN_KEYS: "foreign keys", VALIDATIONS: "validating"}

# (phase name, statements done, statements in the phase) for a progress display
StepReport = Callable[[str, int, int], None]


def pending() -> bool:
    """Whether an interrupted load left indexes or foreign keys to restore (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [JOURNAL])
        return bool(cursor.fetchone()[0])


def take_down(tables: Sequence[str]) -> int:
    """Journal, then drop, the foreign keys and plain secondary indexes of ``tables``; return
    how many restoring statements were journaled. Runs in one transaction (the caller's, or its
    own that commits before returning)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run pending checks before ALTER TABLE
        cursor.execute(
            f"CREATE TABLE {JOURNAL} (step serial PRIMARY KEY, phase int NOT NULL,"
            " table_name text NOT NULL, statement text NOT NULL,"
            " done boolean NOT NULL DEFAULT false)"
        )
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [list(tables)],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indrelid::regclass::text, i.indexrelid::regclass::text,"
            " pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary"
            " AND NOT i.indisunique",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        # IF NOT EXISTS: a repair after someone re-created an index by hand still completes.
        steps = [
            (INDEXES, table, ddl.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
            for table, _name, ddl in indexes
        ]
        for table, name, ddl in foreign_keys:
            add = f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl} NOT VALID'
            steps.append((FOREIGN_KEYS, table, add))
            steps.append((VALIDATIONS, table, f'ALTER TABLE {table} VALIDATE CONSTRAINT "{name}"'))
        cursor.executemany(
            f"INSERT INTO {JOURNAL} (phase, table_name, statement) VALUES (%s, %s, %s)",  # noqa: S608
            steps,
        )
        for table, name, _ddl in foreign_keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for _table, name, _ddl in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return len(steps)


def restore(*, workers: int = 2, report: StepReport | None = None, analyze: bool = False) -> int:
    """Run the journal's pending statements, phase by phase, then drop the journal; return how
    many ran. Outside a transaction, ``workers`` connections share each phase (biggest table
    first); inside one, everything runs on this connection, in that transaction. ``analyze``
    (a repair, not followed by the loader's own ``VACUUM (ANALYZE)``): fresh statistics for
    the journaled tables."""
    if not pending():
        return 0
    inline = connection.in_atomic_block or workers < 2
    ran = 0
    for phase, label in PHASES.items():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT step, statement FROM {JOURNAL} WHERE phase = %s AND NOT done"  # noqa: S608
                # Longest first, so that the two connections finish together: GIN builds
                # (the trigram one most of all) take several times longer per row than a
                # B-tree; then by table size.
                " ORDER BY statement LIKE '%% USING gin %%' DESC,"
                " pg_relation_size(table_name::regclass) DESC, step",
                [phase],
            )
            steps = cursor.fetchall()
        if report is not None:
            report(label, 0, len(steps))
        # Adding a NOT VALID foreign key is quick but locks both tables: one connection, so two
        # never wait on each other in opposite order. Index builds and validations share.
        if inline or phase == FOREIGN_KEYS:
            for done, (step, statement) in enumerate(steps, 1):
                _run_step(step, statement, close=False)
                if report is not None:
                    report(label, done, len(steps))
        else:
            with ThreadPoolExecutor(workers, thread_name_prefix="okno-restore") as pool:
                futures = [pool.submit(_run_step, step, sql, close=True) for step, sql in steps]
                for done, future in enumerate(futures, 1):
                    future.result()
                    if report is not None:
                        report(label, done, len(steps))
        ran += len(steps)
    with connection.cursor() as cursor:
        if analyze:
            cursor.execute(f"SELECT DISTINCT table_name FROM {JOURNAL}")  # noqa: S608
            for (table,) in cursor.fetchall():
                cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"DROP TABLE {JOURNAL}")
    return ran


def _run_step(step: int, statement: str, *, close: bool) -> None:
    """One restoring statement and its ``done`` mark, committed together."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_MEMORY}'")
            if close:  # its own connection among others: the cores are taken already
                cursor.execute("SET LOCAL max_parallel_maintenance_workers = 0")
            cursor.execute(statement)
            cursor.execute(f"UPDATE {JOURNAL} SET done = true WHERE step = %s", [step])  # noqa: S608
    finally:
        if close:
            connection.close()  # this worker thread's own connection
