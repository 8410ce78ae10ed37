"""Fixed-shape lookups on hot paths, their SQL built once per process.

The request that opens a ticket (API, email) and every ticket action read a few rows by key
with their to-one relations: the API token with its user and organization, the requester with
their organization, the ticket locked with its status and people. Through the ORM each read
compiles the same joined query again, which costs more than the server takes to run it. A
``JoinedLookup`` builds that SQL once from the models' own columns and turns rows into model
instances with ``from_db`` and the fields' converters, exactly as the ORM does, with the
relations in the instances' caches as ``select_related`` would leave them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, models

LOOKUPS = {"exact": "{col} = %s", "iexact": "UPPER({col}{cast}) = UPPER(%s)"}


def prepared_cursor(connection: Any) -> Any:
    """On PostgreSQL a cursor with server-side binding, so that psycopg prepares the
    statement once it has run ``prepare_threshold`` times on this connection (settings
    ``OKNO_DATABASE_PREPARE``); Django's own cursors bind on the client and never prepare.
    While queries are logged (DEBUG, query-count tests) Django's own cursor runs the same
    statement, so that the log shows its SQL."""
    prepare = connection.settings_dict["OPTIONS"].get("prepare_threshold")
    if connection.vendor != "postgresql" or prepare is None or connection.queries_logged:
        return connection.cursor()
    import psycopg

    connection.ensure_connection()
    return connection._prepare_cursor(psycopg.Cursor(connection.connection))


@dataclass(frozen=True)
class _Part:
    model: type[models.Model]
    alias: str
    parent: int | None  # index of the part holding the foreign key (None: the root)
    field: Any  # that foreign key (None for the root)


class JoinedLookup:
    """``SELECT`` one model and some of its to-one relations where fields equal values.

    ``relations``: ``select_related``-style paths (``"user"``, ``"user__organization"``);
    ``where``: ``(field, lookup)`` pairs (``exact`` or ``iexact``), values given to
    :meth:`get` and :meth:`all`; ``order_by``: root fields, ``-`` for descending (default:
    the primary key); ``limit``: the most rows :meth:`all` returns (None: no limit);
    ``lock``: ``FOR UPDATE OF`` the root row (PostgreSQL).
    """

    def __init__(
        self,
        model: type[models.Model],
        relations: Sequence[str] = (),
        *,
        where: Sequence[tuple[str, str]] = (("pk", "exact"),),
        order_by: Sequence[str] = ("pk",),
        limit: int | None = None,
        lock: bool = False,
        using: str = "default",
    ) -> None:
        self.model, self.using, self.lock = model, using, lock
        self.where, self.order_by, self.limit = list(where), list(order_by), limit
        self.parts = [_Part(model, "t0", None, None)]
        for path in relations:
            parent = 0
            names = path.split("__")
            for depth, name in enumerate(names):
                prefix = "__".join(names[: depth + 1])
                known = [i for i, p in enumerate(self.parts) if self._path_of(i) == prefix]
                if known:
                    parent = known[0]
                    continue
                field = self.parts[parent].model._meta.get_field(name)
                if not (field.many_to_one or field.one_to_one) or not field.concrete:
                    raise ValueError(f"{path}: {name} is not a forward to-one relation")
                self.parts.append(_Part(field.related_model, f"t{len(self.parts)}", parent, field))
                parent = len(self.parts) - 1
        self._compiled: tuple[str, str, list[Any]] | None = None

    def _path_of(self, index: int) -> str:
        names = []
        while self.parts[index].parent is not None:
            names.append(self.parts[index].field.name)
            index = self.parts[index].parent  # type: ignore[assignment]
        return "__".join(reversed(names))

    def _compile(self) -> tuple[str, str, list[Any]]:
        connection = connections[self.using]
        quote = connection.ops.quote_name
        selected, layout, joins = [], [], []
        optional = [False] * len(self.parts)
        for i, part in enumerate(self.parts):
            fields = list(part.model._meta.concrete_fields)
            converting = []
            for field in fields:
                selected.append(f"{part.alias}.{quote(field.column)}")
                col = field.get_col(part.alias)
                converting.append(
                    (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
                )
            pk = [f.primary_key for f in fields].index(True)
            layout.append((part, [f.attname for f in fields], converting, pk))
            if part.parent is None:
                continue
            parent = self.parts[part.parent]
            optional[i] = optional[part.parent] or part.field.null
            kind = "LEFT OUTER JOIN" if optional[i] else "INNER JOIN"
            target = part.field.target_field.column
            joins.append(
                f"{kind} {quote(part.model._meta.db_table)} {part.alias} ON "
                f"{part.alias}.{quote(target)} = {parent.alias}.{quote(part.field.column)}"
            )
        root = self.model._meta
        conditions = []
        for name, lookup in self.where:
            field = root.pk if name == "pk" else root.get_field(name)
            cast = "::text" if connection.vendor == "postgresql" else ""  # as Django's iexact
            conditions.append(LOOKUPS[lookup].format(col=f"t0.{quote(field.column)}", cast=cast))
        order = []
        for name in self.order_by:
            field = root.pk if name.lstrip("-") == "pk" else root.get_field(name.lstrip("-"))
            order.append(f"t0.{quote(field.column)}" + (" DESC" if name[0] == "-" else ""))
        if not {"pk", root.pk.name} & {n.lstrip("-") for n in self.order_by}:
            order.append(f"t0.{quote(root.pk.column)}")  # a total order, as the ORM's first()
        base = (
            f"SELECT {', '.join(selected)} FROM {quote(root.db_table)} t0 "  # noqa: S608
            + " ".join(joins)
            + (" WHERE " + " AND ".join(conditions) if conditions else "")
            + " ORDER BY "
            + ", ".join(order)
        )
        lock = ""
        if self.lock and connection.features.has_select_for_update_of:
            lock = " FOR UPDATE OF t0"
        elif self.lock and connection.features.has_select_for_update:
            lock = " FOR UPDATE"
        many = base + (f" LIMIT {int(self.limit)}" if self.limit is not None else "")
        return base + " LIMIT 1" + lock, many + lock, layout

    def get(self, *values: Any) -> Any:
        """The first root instance with its relations, or None. One value per ``where`` pair."""
        rows = self._rows(values, many=False)
        return rows[0] if rows else None

    def all(self, *values: Any) -> list[Any]:
        """Every matching root instance (up to ``limit``) in order, relations filled in."""
        return self._rows(values, many=True)

    def _rows(self, values: Sequence[Any], *, many: bool) -> list[Any]:
        if self._compiled is None:
            self._compiled = self._compile()
        one, every, layout = self._compiled
        connection = connections[self.using]
        with prepared_cursor(connection) as cursor:
            cursor.execute(every if many else one, list(values))
            rows = cursor.fetchall()
        return [self._instance(row, layout, connection) for row in rows]

    def _instance(self, row: Sequence[Any], layout: list[Any], connection: Any) -> Any:
        instances: list[Any] = []
        start = 0
        for part, attnames, converting, pk in layout:
            chunk = list(row[start : start + len(attnames)])
            start += len(attnames)
            for n, (col, converters) in enumerate(converting):
                for converter in converters:
                    chunk[n] = converter(chunk[n], col, connection)
            instance = (
                None if chunk[pk] is None else part.model.from_db(self.using, attnames, chunk)
            )
            instances.append(instance)
            if part.parent is not None and instances[part.parent] is not None:
                part.field.set_cached_value(instances[part.parent], instance)
        return instances[0]
