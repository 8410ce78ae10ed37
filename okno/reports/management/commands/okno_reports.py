"""``okno reports rebuild [--since DATE]`` and ``okno reports fold``.

``rebuild`` recomputes the daily rollups from the event log and the ratings with set-based SQL
(run it after a bulk load, after changing ``OKNO_TIME_ZONE``, or to repair); ``fold`` runs the
periodic incremental step once (the worker does it every minute).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since: expected YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = "Dashboard rollups: rebuild from the event log, or fold new events once."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        rebuild = sub.add_parser("rebuild", help="recompute the rollups with set-based SQL")
        rebuild.add_argument(
            "--since", type=str, help="only days from this reporting day on (YYYY-MM-DD)"
        )
        sub.add_parser("fold", help="fold the events since the last run now")

    def handle(self, *args: Any, **options: Any) -> None:
        from okno.reports import rollup

        if options["sub"] == "fold":
            report = rollup.fold()
            if report.skipped:
                self.stdout.write("another worker is folding; nothing done")
            else:
                self.stdout.write(f"folded {report.events} event ids in {report.batches} batches")
            return
        since = _date(options["since"]) if options["since"] else None
        result = rollup.rebuild(since=since)
        self.stdout.write(
            f"rebuilt {result.rows:,} daily rows and {result.rating_rows:,} satisfaction rows"
            f" up to event {result.watermark:,} in {result.seconds:.1f} s"
        )
