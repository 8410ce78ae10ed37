"""New rows of several models written in one round trip: the write path of a new ticket.

Opening a ticket writes the ticket, its ``created`` event, its first article, the SLA pin,
its clocks, its score and the follow-up job: seven rows in seven tables. Through
``Model.objects.create`` each is a statement compiled by the ORM and a round trip to the
server, which made up most of the cost of ``POST /api/v1/tickets`` and of an email turned
into a ticket. Here the rows are ordinary model instances (field defaults from their
constructors), converted for the database by the same field methods ``save()`` uses, and sent
as one multi-statement string on PostgreSQL (one statement per table).

``pre_save`` and ``post_save`` go out as with ``save()`` (django-tasks-db fills a job's
``run_after`` in one). What this does not do is read back database-generated values: ids
are given by the caller (``allocate_ids``) where other rows point at them; rows without an
id get theirs from the database and the instance keeps ``pk=None``. ``auto_now``/``auto_now_add`` fields left empty get the batch's one timestamp,
while a value the caller set (so that the SLA engine and the rows agree on the creation
time) is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from typing import Any

from django.db import connections, models
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

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


def insert_statements(
    objs: Iterable[models.Model], *, using: str = "default"
) -> list[tuple[str, list[Any]]]:
    """(sql, params) per model and id-or-not group, in the order the models first appear."""
    connection = connections[using]
    quote = connection.ops.quote_name
    now = timezone.now()
    groups: dict[tuple[type[models.Model], bool], list[models.Model]] = {}
    for obj in objs:
        groups.setdefault((type(obj), obj.pk is not None), []).append(obj)
    statements = []
    for (model, with_pk), rows in groups.items():
        if pre_save.has_listeners(model):
            for obj in rows:
                pre_save.send(model, instance=obj, raw=False, using=using, update_fields=None)
        opts = model._meta
        fields = [f for f in opts.concrete_fields if with_pk or not f.primary_key]
        marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
        columns = ", ".join(quote(f.column) for f in fields)
        params: list[Any] = []
        for obj in rows:
            params.extend(_values(obj, fields, connection, now))
        sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES "  # noqa: S608 - model names
        statements.append((sql + ", ".join([marks] * len(rows)), params))
    return statements


def insert_rows(objs: Iterable[models.Model], *, using: str = "default") -> None:
    """INSERT every instance: one round trip on PostgreSQL, a statement per model elsewhere.

    Foreign keys between the rows may point either way: Django creates them deferrable on
    PostgreSQL (checked at commit) and SQLite checks them at commit too.
    """
    objs = list(objs)
    statements = insert_statements(objs, using=using)
    if not statements:
        return
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # client-side binding: several statements at once
            sql = "; ".join(text for text, _params in statements)
            cursor.execute(sql, list(chain.from_iterable(p for _s, p in statements)))
        else:
            for text, params in statements:
                cursor.execute(text, params)
    for obj in objs:  # as after save(): a later save() of a row with an id updates it
        obj._state.adding = False
        obj._state.db = using
        if post_save.has_listeners(type(obj)):
            post_save.send(
                type(obj), instance=obj, created=True, update_fields=None, raw=False, using=using
            )
