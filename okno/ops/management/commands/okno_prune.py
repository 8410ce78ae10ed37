"""``okno prune [--dry-run]``: the retention jobs of okno.ops.retention, once, with counts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from okno.ops.retention import run_all


class Command(BaseCommand):
    help = (
        "Run every retention job once (raw inbound mail, monitoring events, webhook deliveries, "
        "stuck webhook deliveries) and print how many rows each changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="only count what would be pruned"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        failed = []
        for name, count in run_all(dry_run=dry_run):
            if count < 0:
                failed.append(name)
                self.stdout.write(f"{name}: failed (see the log)")
            else:
                self.stdout.write(f"{name}: {count}{' (dry run)' if dry_run else ''}")
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}")
