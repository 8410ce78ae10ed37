"""Search documents kept by database triggers (see ``schema.py``), never written from Python.

On PostgreSQL these tables hold the ``tsvector`` of each ticket, ticket article and KB
article. On SQLite the same job is done by FTS5 virtual tables (not Django models, created in
the migrations); these tables then stay empty. They are ordinary Django models so that test
database flushes (``TRUNCATE`` on PostgreSQL) clear them along with the rows they describe.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class TsVectorField(models.Field):  # type: ignore[type-arg]
    """``tsvector`` on PostgreSQL, plain text elsewhere (unused there)."""

    description = "Full-text search vector"

    def db_type(self, connection: Any) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


class TicketDocument(models.Model):
    ticket_id = models.BigIntegerField(primary_key=True)
    document = TsVectorField(null=True)
    plain = models.TextField(default="", blank=True)

    class Meta:
        verbose_name = "ticket search document"

    def __str__(self) -> str:
        return f"ticket {self.ticket_id}"


class TicketArticleDocument(models.Model):
    article_id = models.BigIntegerField(primary_key=True)
    ticket_id = models.BigIntegerField(db_index=True)
    kind = models.CharField(max_length=8)
    document = TsVectorField(null=True)

    class Meta:
        verbose_name = "ticket article search document"

    def __str__(self) -> str:
        return f"article {self.article_id}"


class KbDocument(models.Model):
    article_id = models.BigIntegerField(primary_key=True)
    document = TsVectorField(null=True)

    class Meta:
        verbose_name = "knowledge base search document"

    def __str__(self) -> str:
        return f"kb {self.article_id}"
