from __future__ import annotations

import contextlib
import secrets
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from okno.accounts.models import User
from okno.ops.demo import DemoLogins, create_demo, credentials_file, format_logins, read_logins


class Command(BaseCommand):
    help = (
        "Create demo data (teams, services, people, tickets) and print the demo logins. "
        "With --tickets 1000 or more, a benchmark-sized data set is bulk-loaded instead "
        "(COPY on PostgreSQL; see docs/performance.md)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="only when no user exists")
        parser.add_argument("--tickets", type=int, default=40)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--span-days", type=int, default=None, help="history length of a bulk data set"
        )
        parser.add_argument(
            "--quiet", action="store_true", help="no progress bar on stderr (bulk data sets)"
        )
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="bulk data sets: keep indexes, foreign keys and search triggers (a database "
            "in use)",
        )
        parser.add_argument(
            "--repair",
            action="store_true",
            help="only put back the indexes and foreign keys an interrupted bulk load left out",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["repair"]:
            from okno.ops import dataset, fastload

            if not fastload.pending():
                self.stdout.write("Nothing to repair: no interrupted bulk load.")
                return
            progress = dataset.Progress(1, None if options["quiet"] else sys.stderr)
            ran = fastload.restore(report=progress.step, analyze=True)
            self.stdout.write(
                self.style.SUCCESS(f"Repaired: {ran} statements of an interrupted load.")
            )
            return
        if options["if_empty"] and User.objects.exists():
            saved = read_logins()
            if saved:
                self.stdout.write(saved)
            else:
                self.stdout.write("Users exist already; no demo data created.")
            return
        if options["tickets"] < 0:
            raise CommandError("--tickets must not be negative")
        from okno.ops import dataset

        if options["tickets"] < dataset.BULK_THRESHOLD:
            logins = create_demo(tickets=options["tickets"], seed=options["seed"])
            self.stdout.write(
                self.style.SUCCESS(f"Demo data created: {options['tickets']} tickets.")
            )
            self.stdout.write(format_logins(logins))
            return
        password = secrets.token_urlsafe(9)
        extra = {"span_days": options["span_days"]} if options["span_days"] else {}
        try:
            report = dataset.generate(
                options["tickets"],
                seed=options["seed"],
                password=password,
                stream=None if options["quiet"] else sys.stderr,
                keep_indexes=options["keep_indexes"],
                **extra,
            )
        except KeyboardInterrupt:
            from okno.ops import fastload

            # stopped again while the indexes were being put back (and a connection that was
            # interrupted mid-query may not answer: then say it anyway)
            pending = True
            with contextlib.suppress(Exception):
                pending = fastload.pending()
            if pending:
                sys.stderr.write("\nIf indexes were being restored: run `okno demo --repair`.\n")
            raise
        admin, agent, _manager, requester = dataset.ensure_logins(password)
        logins = DemoLogins(admin, agent, requester, password)
        credentials_file().write_text(format_logins(logins), encoding="utf-8")
        credentials_file().chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Bulk data set: {report.summary()}"))
        for note in report.notes:
            self.stdout.write(f"  note: {note}")
        if report.phases:
            phases = ", ".join(f"{name} {sec:,.1f} s" for name, sec in report.phases.items())
            self.stdout.write(f"  phases: {phases}")
        self.stdout.write(format_logins(logins))
