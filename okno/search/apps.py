from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate

REQUIRED_TABLES = {"search_ticketdocument", "tickets_ticket", "tickets_article", "kb_article"}


def _repair_index(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """SQLite loses a table's triggers when a migration rebuilds that table: put them back."""
    from . import schema

    connection = connections[using]
    if set(connection.introspection.table_names()) >= REQUIRED_TABLES:
        schema.install(connection)


class SearchConfig(AppConfig):
    name = "okno.search"
    label = "search"

    def ready(self) -> None:
        post_migrate.connect(_repair_index, sender=self, dispatch_uid="okno.search.repair")
