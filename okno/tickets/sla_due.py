"""``Ticket.sla_due_at``: the earliest due time of the ticket's running SLA clocks, kept by
database triggers.

The desk's "Breaching soon" view and its sidebar counter ask, for every open ticket of an
agent's teams, whether a running clock is due within two hours. Asked through the clocks (an
``EXISTS`` per ticket), that read every open ticket and one clock index entry per ticket: 0.4 s
at 1M tickets for an agent of the two biggest teams, seconds at 5M. With the earliest due time
on the ticket it is one range of the partial index ``ticket_team_active_counts`` (team,
state, assignee, due), read without touching the table.

Triggers keep the column, as the search app keeps its documents: whatever writes clocks (the
SLA engine, its sweep, an import, the bulk data set, raw SQL) cannot forget it, and
``sla`` and ``tickets.actions`` need no code for it.

* A statement on ``sla_slaclock`` (insert, update of state/due/ticket, delete) recomputes the
  column of the tickets it touched, writing only where the value changes (except in the
  bulk loader's transactions, which write the value with the ticket: ``BULK_SETTING``).
* A ticket row written with a different value (a full ``save()`` of an instance loaded before
  its clocks changed) gets the computed value instead, so a stale copy can never win.

``install`` is idempotent: the migration calls it, and so does ``post_migrate`` (SQLite drops a
table's triggers when a migration rebuilds that table).
"""

from __future__ import annotations

from typing import Any

RUNNING = "('running', 'breached_running')"  # sla.models: the clock states that count down
# The bulk loader's transactions (``okno.ops.dataset``) set this: they write the tickets with
# their value already, and during a load from empty the clocks have no index to look it up
# by. The same setting as ``okno.search.schema.DEFERRED_SETTING`` (a test keeps them equal).
BULK_SETTING = "okno.search_deferred"


def _due_of(ticket: str) -> str:
    """SQL: the earliest due time of the running clocks of ticket id ``ticket``."""
    return (
        "(SELECT min(c.due_at) FROM sla_slaclock c "  # noqa: S608 - constants only
        f"WHERE c.ticket_id = {ticket} AND c.state IN {RUNNING})"
    )


# --- PostgreSQL --------------------------------------------------------------------------------
_PG_REFRESH = (
    "UPDATE tickets_ticket t SET sla_due_at = d.due FROM (SELECT x.id, "  # noqa: S608
    + _due_of("x.id")
    + " AS due FROM (SELECT DISTINCT ticket_id AS id FROM {source}) x) d "
    "WHERE t.id = d.id AND t.sla_due_at IS DISTINCT FROM d.due;"
)
PG_INSTALL = [
    # clocks -> tickets, once per statement (a bulk COPY of clocks is one UPDATE)
    "CREATE OR REPLACE FUNCTION okno_sla_due_from_clocks() RETURNS trigger "  # noqa: S608
    "LANGUAGE plpgsql AS $$ BEGIN "
    f"IF current_setting('{BULK_SETTING}', true) = 'on' THEN RETURN NULL; END IF; "
    "IF TG_OP = 'INSERT' THEN " + _PG_REFRESH.format(source="new_rows") + " "
    "ELSIF TG_OP = 'DELETE' THEN " + _PG_REFRESH.format(source="old_rows") + " "
    "ELSE "
    + _PG_REFRESH.format(
        source="(SELECT n.ticket_id FROM new_rows n JOIN old_rows o ON o.id = n.id "
        "WHERE n.state IS DISTINCT FROM o.state OR n.due_at IS DISTINCT FROM o.due_at "
        "OR n.ticket_id <> o.ticket_id UNION ALL SELECT o.ticket_id FROM new_rows n "
        "JOIN old_rows o ON o.id = n.id WHERE n.ticket_id <> o.ticket_id) AS moved"
    )
    + " END IF; RETURN NULL; END $$",
    "DROP TRIGGER IF EXISTS okno_sla_due_ai ON sla_slaclock",
    "CREATE TRIGGER okno_sla_due_ai AFTER INSERT ON sla_slaclock "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION okno_sla_due_from_clocks()",
    "DROP TRIGGER IF EXISTS okno_sla_due_au ON sla_slaclock",
    "CREATE TRIGGER okno_sla_due_au AFTER UPDATE ON sla_slaclock "
    "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION okno_sla_due_from_clocks()",
    "DROP TRIGGER IF EXISTS okno_sla_due_ad ON sla_slaclock",
    "CREATE TRIGGER okno_sla_due_ad AFTER DELETE ON sla_slaclock "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION okno_sla_due_from_clocks()",
    # a ticket written with another value gets the computed one (no cost when unchanged)
    "CREATE OR REPLACE FUNCTION okno_sla_due_of_ticket() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN NEW.sla_due_at := " + _due_of("NEW.id") + "; "
    "RETURN NEW; END $$",
    "DROP TRIGGER IF EXISTS okno_sla_due_bu ON tickets_ticket",
    "CREATE TRIGGER okno_sla_due_bu BEFORE UPDATE OF sla_due_at ON tickets_ticket "
    "FOR EACH ROW WHEN (NEW.sla_due_at IS DISTINCT FROM OLD.sla_due_at) "
    "EXECUTE FUNCTION okno_sla_due_of_ticket()",
]
PG_UNINSTALL = [
    "DROP TRIGGER IF EXISTS okno_sla_due_ai ON sla_slaclock",
    "DROP TRIGGER IF EXISTS okno_sla_due_au ON sla_slaclock",
    "DROP TRIGGER IF EXISTS okno_sla_due_ad ON sla_slaclock",
    "DROP TRIGGER IF EXISTS okno_sla_due_bu ON tickets_ticket",
    "DROP FUNCTION IF EXISTS okno_sla_due_from_clocks()",
    "DROP FUNCTION IF EXISTS okno_sla_due_of_ticket()",
]
PG_TRIGGERS = ("okno_sla_due_ai", "okno_sla_due_au", "okno_sla_due_ad", "okno_sla_due_bu")

# --- SQLite (row triggers; recursive triggers are off, so the ticket trigger stops there) ------
_SQLITE_SET = "UPDATE tickets_ticket SET sla_due_at = {due} WHERE id = {ticket};"
SQLITE_TRIGGERS = {
    "okno_sla_due_ai": "AFTER INSERT ON sla_slaclock BEGIN "
    + _SQLITE_SET.format(due=_due_of("NEW.ticket_id"), ticket="NEW.ticket_id")
    + " END",
    "okno_sla_due_au": "AFTER UPDATE OF state, due_at, ticket_id ON sla_slaclock BEGIN "
    + _SQLITE_SET.format(due=_due_of("NEW.ticket_id"), ticket="NEW.ticket_id")
    + " "
    + _SQLITE_SET.format(due=_due_of("OLD.ticket_id"), ticket="OLD.ticket_id")
    + " END",
    "okno_sla_due_ad": "AFTER DELETE ON sla_slaclock BEGIN "
    + _SQLITE_SET.format(due=_due_of("OLD.ticket_id"), ticket="OLD.ticket_id")
    + " END",
    "okno_sla_due_au_ticket": "AFTER UPDATE OF sla_due_at ON tickets_ticket "
    "WHEN NEW.sla_due_at IS NOT OLD.sla_due_at BEGIN "
    + _SQLITE_SET.format(due=_due_of("NEW.id"), ticket="NEW.id")
    + " END",
}

# Recompute every ticket whose value may be wrong: those with running clocks and those with a
# value (their clocks may have stopped while a trigger was missing).
BACKFILL = (
    "UPDATE tickets_ticket SET sla_due_at = "  # noqa: S608 - constants only
    + _due_of("tickets_ticket.id")
    + " WHERE sla_due_at IS NOT NULL OR id IN "
    + f"(SELECT ticket_id FROM sla_slaclock WHERE state IN {RUNNING})"  # noqa: S608
)
PG_BACKFILL = [
    "UPDATE tickets_ticket t SET sla_due_at = d.due FROM (SELECT ticket_id, min(due_at) AS due "  # noqa: S608
    f"FROM sla_slaclock WHERE state IN {RUNNING} GROUP BY ticket_id) d "
    "WHERE t.id = d.ticket_id AND t.sla_due_at IS DISTINCT FROM d.due",
    "UPDATE tickets_ticket t SET sla_due_at = NULL WHERE t.sla_due_at IS NOT NULL AND NOT EXISTS "  # noqa: S608
    f"(SELECT 1 FROM sla_slaclock c WHERE c.ticket_id = t.id AND c.state IN {RUNNING} "
    "AND c.due_at IS NOT NULL)",
]


def _installed(cursor: Any, vendor: str) -> set[str]:
    if vendor == "postgresql":
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgname = ANY(%s) AND NOT tgisinternal",
            [list(PG_TRIGGERS)],
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'okno_sla_due_%'"
        )
    return {row[0] for row in cursor.fetchall()}


def install(connection: Any) -> bool:
    """Create (or repair) the triggers; when any was missing, recompute every ticket's value.
    Returns True when it repaired something."""
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return False
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            complete = _installed(cursor, vendor) == set(PG_TRIGGERS)
            if complete:
                return False
            for statement in PG_INSTALL + PG_BACKFILL:
                cursor.execute(statement)
            return True
        missing = set(SQLITE_TRIGGERS) - _installed(cursor, vendor)
        for name in sorted(missing):
            cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {SQLITE_TRIGGERS[name]}")
        if missing:
            cursor.execute(BACKFILL)
        return bool(missing)


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in PG_UNINSTALL:
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
