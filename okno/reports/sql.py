"""The set-based SQL behind the rollups, one statement shape for SQLite and PostgreSQL.

Only three expressions differ between the databases (the local day of an instant, seconds
between two instants, a key of a JSON column); everything else is plain SQL that both run, so
the incremental fold and the full rebuild are literally the same ``INSERT … SELECT … GROUP BY``
with a different ``WHERE`` (which is what makes "rebuild equals incremental" hold).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

from .models import BUCKET_EDGES, BUCKETS, COUNTERS, KEY_FIELDS

FOLD_KINDS = ("created", "status_changed", "first_response", "reopened")
RATED = "rated"  # okno.csat.actions.RATED (not imported: it would load the csat views' forms)
MET_TOLERANCE = 60  # seconds a clock's stop may precede the event that stopped it


# Keeps the per-event rows a real subquery, so the SLA lookup runs once per event rather than
# once per SUM that mentions it.
_FENCE = {True: "OFFSET 0", False: "LIMIT -1 OFFSET 0"}


def _day(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE %s)::date"
    return f"django_datetime_cast_date({column}, %s, 'UTC')"


def _seconds(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def _json(column: str, key: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} ->> '{key}')"
    return f"json_extract({column}, '$.{key}')"


def _buckets(flag: str) -> list[str]:
    """``SUM`` expressions counting ``took`` into the histogram buckets, for rows with ``flag``."""
    out = []
    for n in range(BUCKETS):
        low = f"f.took >= {BUCKET_EDGES[n - 1]}" if n else "1 = 1"
        high = f"f.took < {BUCKET_EDGES[n]}" if n < len(BUCKET_EDGES) else "1 = 1"
        out.append(f"SUM(CASE WHEN f.{flag} = 1 AND {low} AND {high} THEN 1 ELSE 0 END)")
    return out


def _upsert(
    table: str, keys: Sequence[str], counters: Sequence[str], select: str, *, add: bool = True
) -> str:
    """``INSERT … SELECT`` adding to existing rows (``add=False``: the rows are known new)."""
    columns = ", ".join([*keys, *counters])
    if not add:
        return f"INSERT INTO {table} ({columns}) {select}"
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
    # "WHERE true": SQLite needs it to tell the upsert's ON CONFLICT from a join's ON.
    return (
        f"INSERT INTO {table} ({columns}) SELECT * FROM ({select}) AS x WHERE 1 = 1 "  # noqa: S608 - no input in names
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
    )


def fold_events(where: str, params: Sequence[Any], zone: str, *, add: bool = True) -> None:
    """Add the figures of the events matching ``where`` (on alias ``e``) to the daily rollups.

    One row per event of interest with its ticket's current dimensions and, for a first
    response or a resolution, the SLA outcome of the clock that was running at that moment
    (breached if its breach instant is not after the event), then one ``GROUP BY`` per key.
    """
    new_category = _json("e.data", "new_category")
    old_category = _json("e.data", "old_category")
    fence = _FENCE[connection.vendor == "postgresql"]
    # 1 created, 2 resolved (left the active categories), 3 reopened, 4 first response.
    events = f"""
        SELECT e.ticket_id, e.created_at,
            CASE WHEN e.kind = 'created' THEN 1 WHEN e.kind = 'reopened' THEN 3
                WHEN e.kind = 'first_response' THEN 4
                WHEN {new_category} IN ('resolved', 'closed')
                    AND {old_category} IN ('new', 'open', 'waiting') THEN 2
                ELSE 0 END AS what,
            CASE WHEN e.kind = 'status_changed' AND {new_category} = 'closed'
                THEN 1 ELSE 0 END AS closed
        FROM tickets_ticketevent e
        WHERE e.kind IN ({", ".join(f"'{k}'" for k in FOLD_KINDS)}) AND {where} {fence}
    """  # noqa: S608 - constants only; values are parameters
    met_late_enough = f"{_seconds('c.met_at', 'e.created_at')} >= -{MET_TOLERANCE}"
    facts = f"""
        SELECT {_day("e.created_at")} AS day,
            COALESCE(t.team_id, 0) AS team_id, COALESCE(t.service_id, 0) AS service_id,
            t.priority AS priority, COALESCE(t.assignee_id, 0) AS assignee_id,
            CASE WHEN e.what = 1 THEN 1 ELSE 0 END AS created,
            CASE WHEN e.what = 2 THEN 1 ELSE 0 END AS resolved,
            e.closed AS closed,
            CASE WHEN e.what = 3 THEN 1 ELSE 0 END AS reopened,
            CASE WHEN e.what = 4 THEN 1 ELSE 0 END AS responses,
            CASE WHEN e.what IN (2, 4)
                THEN {_seconds("e.created_at", "t.created_at")} ELSE 0 END AS took,
            CASE WHEN e.what IN (2, 4) THEN (
                SELECT MAX(CASE WHEN c.breached_at IS NOT NULL AND c.breached_at <= e.created_at
                    THEN 2 ELSE 1 END)
                FROM sla_slaclock c
                WHERE c.ticket_id = e.ticket_id
                    AND c.kind = CASE WHEN e.what = 4 THEN 'first_response' ELSE 'resolution' END
                    AND c.state <> 'cancelled' AND c.started_at <= e.created_at
                    AND (c.met_at IS NULL OR {met_late_enough})
            ) END AS sla
        FROM ({events}) AS e JOIN tickets_ticket t ON t.id = e.ticket_id
        WHERE e.what > 0 OR e.closed = 1 {fence}
    """  # noqa: S608 - constants only; values are parameters
    sums = [
        "SUM(f.created)",
        "SUM(f.resolved)",
        "SUM(f.closed)",
        "SUM(f.reopened)",
        "SUM(f.responses)",
        "SUM(CASE WHEN f.responses = 1 THEN f.took ELSE 0 END)",
        *_buckets("responses"),
        "SUM(CASE WHEN f.resolved = 1 THEN f.took ELSE 0 END)",
        *_buckets("resolved"),
        "SUM(CASE WHEN f.responses = 1 AND f.sla = 1 THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN f.responses = 1 AND f.sla = 2 THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN f.resolved = 1 AND f.sla = 1 THEN 1 ELSE 0 END)",
        "SUM(CASE WHEN f.resolved = 1 AND f.sla = 2 THEN 1 ELSE 0 END)",
    ]
    named = ", ".join(f"{expr} AS {name}" for expr, name in zip(sums, COUNTERS, strict=True))
    keys = ", ".join(f"f.{k}" for k in KEY_FIELDS)
    select = f"SELECT {keys}, {named} FROM ({facts}) AS f GROUP BY {keys}"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")  # compiling this plan costs seconds
            cursor.execute("SET LOCAL work_mem = '64MB'")  # sort in memory, not on disk
        cursor.execute(
            _upsert("reports_dailyrollup", KEY_FIELDS, COUNTERS, select, add=add),
            [zone, *params],
        )


CSAT_KEYS = ("day", "team_id", "service_id", "agent_id")
CSAT_COUNTERS = ("ratings", "score_sum", "satisfied", "unhappy")


def fold_ratings(where: str, params: Sequence[Any], zone: str, *, add: bool = True) -> None:
    """Add the ratings matching ``where`` (on alias ``r``) to the satisfaction rollups."""
    select = f"""
        SELECT f.day, f.team_id, f.service_id, f.agent_id, COUNT(*) AS ratings,
            SUM(f.score) AS score_sum, SUM(CASE WHEN f.score >= 4 THEN 1 ELSE 0 END) AS satisfied,
            SUM(CASE WHEN f.score <= 2 THEN 1 ELSE 0 END) AS unhappy
        FROM (SELECT {_day("r.created_at")} AS day, COALESCE(r.team_id, 0) AS team_id,
                COALESCE(r.service_id, 0) AS service_id, COALESCE(r.agent_id, 0) AS agent_id,
                r.score AS score
            FROM csat_rating r WHERE {where}) AS f
        GROUP BY f.day, f.team_id, f.service_id, f.agent_id
    """  # noqa: S608 - constants only
    with connection.cursor() as cursor:
        cursor.execute(
            _upsert("reports_csatdaily", CSAT_KEYS, CSAT_COUNTERS, select, add=add),
            [zone, *params],
        )


def rated_days(low: int, high: int, zone: str) -> list[str]:
    """Days (ISO) of the ratings whose tickets were rated or re-rated in events (low, high]."""
    sql = f"""
        SELECT DISTINCT {_day("r.created_at")} FROM csat_rating r
        WHERE r.ticket_id IN (SELECT e.ticket_id FROM tickets_ticketevent e
            WHERE e.id > %s AND e.id <= %s AND e.kind = '{RATED}')
    """  # noqa: S608 - constants only
    with connection.cursor() as cursor:
        cursor.execute(sql, [zone, low, high])
        return sorted(str(row[0]) for row in cursor.fetchall())


def snapshot_backlog(day: str) -> None:
    """Replace ``day``'s backlog snapshot with the active tickets counted now (the open-work
    partial indexes keep this proportional to the active tickets, not to the history)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_backlogsnapshot WHERE day = %s", [day])
        cursor.execute(
            "INSERT INTO reports_backlogsnapshot (day, team_id, service_id, priority, tickets)"
            " SELECT %s, COALESCE(team_id, 0), COALESCE(service_id, 0), priority, COUNT(*)"
            " FROM tickets_ticket WHERE status_category IN ('new', 'open', 'waiting')"
            " GROUP BY COALESCE(team_id, 0), COALESCE(service_id, 0), priority",
            [day],
        )
