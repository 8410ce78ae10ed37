from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, pre_migrate


def _lift_sla_due(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """SQLite: drop the ``sla_due_at`` triggers before migrations run. A migration that
    rebuilds ``tickets_ticket`` (copy, drop, rename) fails while a trigger on ``sla_slaclock``
    names it; post_migrate puts them back and recomputes the column."""
    from . import sla_due

    connection = connections[using]
    if connection.vendor == "sqlite":
        sla_due.uninstall(connection)


def _repair_sla_due(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """Install the triggers (SQLite: again, after migrations; PostgreSQL: when missing)."""
    from . import sla_due

    connection = connections[using]
    if not {"tickets_ticket", "sla_slaclock"} <= set(connection.introspection.table_names()):
        return
    with connection.cursor() as cursor:
        columns = {
            c.name for c in connection.introspection.get_table_description(cursor, "tickets_ticket")
        }
    if "sla_due_at" in columns:  # not when migrating backwards past 0004
        sla_due.install(connection)


class TicketsConfig(AppConfig):
    name = "okno.tickets"
    label = "tickets"

    def ready(self) -> None:
        pre_migrate.connect(_lift_sla_due, sender=self, dispatch_uid="okno.tickets.sla_due.lift")
        post_migrate.connect(_repair_sla_due, sender=self, dispatch_uid="okno.tickets.sla_due")
