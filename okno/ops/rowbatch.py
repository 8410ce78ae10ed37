"""New rows of several models written in one round trip: the write path of a new ticket.

Opening a ticket writes the ticket, its ``created`` event, its first article, the SLA pin,
its clocks, its score and the follow-up job: seven rows in seven tables. Through
``Model.objects.create`` each is a statement compiled by the ORM and a round trip to the
server, which made up most of the cost of ``POST /api/v1/tickets`` and of an email turned
into a ticket. Here the rows are ordinary model instances (field defaults from their
constructors), converted for the database by the same field methods ``save()`` uses, and sent
as one statement on PostgreSQL: one ``INSERT … SELECT FROM jsonb_populate_recordset`` per
table in a ``WITH``, each table's rows one JSON parameter, so the statement's text is the
same for every ticket and the server parses and plans it once per connection.

``pre_save`` and ``post_save`` go out as with ``save()`` (django-tasks-db fills a job's
``run_after`` in one). What this does not do is read back database-generated values: ids
are given by the caller (``allocate_ids``) where other rows point at them; rows without an
id get theirs from the database and the instance keeps ``pk=None``. ``auto_now``/``auto_now_add`` fields left empty get the batch's one
timestamp, while a value the caller set (so that the SLA engine and the rows agree on the creation
time) is kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain
from typing import Any
from uuid import UUID

from django.db import connections, models
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from psycopg.types.json import Jsonb

_sequences: dict[tuple[str, str], str] = {}


def _sequence(connection: Any, model: type[models.Model]) -> str:
    key = (connection.alias, model._meta.db_table)
    name = _sequences.get(key)
    if name is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence(%s, %s)",
                [model._meta.db_table, model._meta.pk.column],
            )
            name = str(cursor.fetchone()[0])
        _sequences[key] = name
    return name


def allocate_ids(*wanted: type[models.Model], using: str = "default") -> list[int] | None:
    """The next id of each model's sequence, in one query (PostgreSQL). None elsewhere: the
    caller then saves those rows one by one to learn their ids."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    names = [_sequence(connection, model) for model in wanted]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["nextval(%s)"] * len(names)), names)
        return [int(value) for value in cursor.fetchone()]


def _is_timestamp(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _values(obj: models.Model, fields: list[Any], connection: Any, now: Any) -> list[Any]:
    out = []
    for field in fields:
        value = getattr(obj, field.attname)
        if value is None and _is_timestamp(field):
            value = now
            setattr(obj, field.attname, value)
        out.append(field.get_db_prep_save(value, connection))
    return out


# (model, rows given with their ids?) -> (fields, rows' database values)
Groups = list[tuple[type[models.Model], bool, list[Any], list[list[Any]]]]


def _groups(objs: list[models.Model], using: str) -> Groups:
    """The rows per model and id-or-not, in the order the models first appear, as the
    database values ``save()`` would send (``pre_save`` sent first)."""
    connection = connections[using]
    now = timezone.now()
    by_kind: dict[tuple[type[models.Model], bool], list[models.Model]] = {}
    for obj in objs:
        by_kind.setdefault((type(obj), obj.pk is not None), []).append(obj)
    out: Groups = []
    for (model, with_pk), rows in by_kind.items():
        if pre_save.has_listeners(model):
            for obj in rows:
                pre_save.send(model, instance=obj, raw=False, using=using, update_fields=None)
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        out.append((model, with_pk, fields, [_values(o, fields, connection, now) for o in rows]))
    return out


def insert_statements(
    objs: Iterable[models.Model], *, using: str = "default"
) -> list[tuple[str, list[Any]]]:
    """An INSERT … VALUES (sql, params) per model and id-or-not group."""
    quote = connections[using].ops.quote_name
    statements = []
    for model, _with_pk, fields, rows in _groups(list(objs), using):
        marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
        columns = ", ".join(quote(f.column) for f in fields)
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608
        statements.append((sql + ", ".join([marks] * len(rows)), list(chain.from_iterable(rows))))
    return statements


_json_sql: dict[tuple[Any, ...], str] = {}


def _json_statement(connection: Any, groups: Groups) -> tuple[str, list[str]]:
    """One statement for every group: each table's rows are one JSON parameter, expanded by
    ``jsonb_populate_recordset`` into the table's own row type (so each value goes through
    its column's input function, as a literal would). The text depends only on the tables,
    so it is the same for every new ticket and is prepared once per connection."""
    shape = tuple((model, with_pk) for model, with_pk, _f, _r in groups)
    sql = _json_sql.get(shape)
    if sql is None:
        quote = connection.ops.quote_name
        parts = []
        for n, (model, _with_pk, fields, _rows) in enumerate(groups):
            table = quote(model._meta.db_table)
            columns = ", ".join(quote(f.column) for f in fields)
            parts.append(
                f"w{n} AS (INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608
                f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb))"
            )
        sql = _json_sql.setdefault(shape, "WITH " + ", ".join(parts) + " SELECT 1")
    payload = [
        json.dumps(
            [{f.column: _jsonable(v) for f, v in zip(fields, row, strict=True)} for row in rows],
            ensure_ascii=False,
            allow_nan=False,
        )
        for _model, _with_pk, fields, rows in groups
    ]
    return sql, payload


def _jsonable(value: Any) -> Any:
    """A database value (what ``get_db_prep_save`` returns) as the JSON its column's input
    function reads: ISO times, text for UUIDs and decimals, the document of a JSON column."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, Jsonb):  # a field's own encoder (DjangoJSONEncoder…) decides
        return (
            value.obj if value.dumps in (None, json.dumps) else json.loads(value.dumps(value.obj))
        )
    if isinstance(value, bytes | memoryview):
        return "\\x" + bytes(value).hex()
    raise TypeError(f"no JSON form for a {type(value).__name__} column value")


def insert_rows(objs: Iterable[models.Model], *, using: str = "default") -> None:
    """INSERT every instance: one statement on PostgreSQL (prepared after a few uses), a
    statement per model elsewhere.

    Foreign keys between the rows may point either way: Django creates them deferrable on
    PostgreSQL (checked at commit) and SQLite checks them at commit too.
    """
    objs = list(objs)
    if not objs:
        return
    connection = connections[using]
    if connection.vendor == "postgresql":
        from okno.ops.lookup import prepared_cursor

        sql, payload = _json_statement(connection, _groups(objs, using))
        with prepared_cursor(connection) as cursor:
            cursor.execute(sql, payload)
    else:
        with connection.cursor() as cursor:
            for text, params in insert_statements(objs, using=using):
                cursor.execute(text, params)
    for obj in objs:  # as after save(): a later save() of a row with an id updates it
        obj._state.adding = False
        obj._state.db = using
        if post_save.has_listeners(type(obj)):
            post_save.send(
                type(obj), instance=obj, created=True, update_fields=None, raw=False, using=using
            )
