from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Check configuration, database connectivity and pending migrations."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("check", deploy=not settings.DEBUG and settings.SESSION_COOKIE_SECURE)
        try:
            connection.ensure_connection()
        except Exception as exc:
            raise CommandError(f"Database unreachable: {exc}") from exc
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise CommandError(f"{len(pending)} migration(s) pending: run `okno migrate`.")
        from okno.ops import fastload

        if fastload.pending():
            raise CommandError(
                "An interrupted bulk load left indexes or foreign keys out: run `okno demo --repair`."
            )
        vendor = connection.vendor
        self.stdout.write(self.style.SUCCESS(f"OK: database {vendor}, no pending migrations."))
