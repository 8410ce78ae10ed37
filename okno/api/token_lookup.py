"""The API token of a request, with its user and organization, in one prepared statement.

Every API call authenticates, and a monitoring storm is thousands of calls a second; building
the same three-table query through the ORM took longer than running it. The SQL is built once
per process from the models' own columns, and rows become model instances with ``from_db``, as
the ORM itself does.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection, models

from okno.accounts.models import ApiToken, Organization, User

PARTS: tuple[type[models.Model], ...] = (ApiToken, User, Organization)


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.concrete_fields)


@cache
def _sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    token, user, org = (quote(m._meta.db_table) for m in PARTS)
    selected = ", ".join(
        f"{table}.{quote(f.column)}"
        for table, model in zip((token, user, org), PARTS, strict=True)
        for f in _columns(model)
    )
    return (
        f"SELECT {selected} FROM {token} "  # noqa: S608 - model tables and columns only
        f"INNER JOIN {user} ON {user}.{quote('id')} = {token}.{quote('user_id')} "
        f"LEFT OUTER JOIN {org} ON {org}.{quote('id')} = {user}.{quote('organization_id')} "
        f"WHERE {token}.{quote('key_hash')} = %s"
    )


@cache
def _layout(vendor: str) -> list[tuple[type[models.Model], list[str], list[Any], int]]:
    """Per model: attnames, (column expression, its converters) and the primary key's index."""
    layout = []
    for model in PARTS:
        fields = _columns(model)
        converting = []
        for field in fields:
            col = field.get_col(model._meta.db_table)
            converters = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            converting.append((col, converters))
        pk = [f.primary_key for f in fields].index(True)
        layout.append((model, [f.attname for f in fields], converting, pk))
    return layout


def token_by_hash(key_hash: str) -> ApiToken | None:
    """The token with this hash (``key_hash`` is unique), ``token.user`` and
    ``token.user.organization`` filled in, or None."""
    with connection.cursor() as cursor:
        cursor.execute(_sql(connection.vendor), [key_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    instances: list[Any] = []
    start = 0
    for model, attnames, converting, pk in _layout(connection.vendor):
        values = list(row[start : start + len(attnames)])
        start += len(attnames)
        for n, (col, converters) in enumerate(converting):
            for converter in converters:
                values[n] = converter(values[n], col, connection)
        instances.append(None if values[pk] is None else model.from_db("default", attnames, values))
    token, user, organization = instances
    user.organization = organization
    token.user = user
    return token  # type: ignore[no-any-return]
