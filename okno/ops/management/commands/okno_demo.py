from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from okno.accounts.models import User
from okno.ops.demo import create_demo, format_logins, read_logins


class Command(BaseCommand):
    help = "Create demo data (teams, services, people, tickets) and print the demo logins."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--if-empty", action="store_true", help="only when no user exists")
        parser.add_argument("--tickets", type=int, default=40)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and User.objects.exists():
            saved = read_logins()
            if saved:
                self.stdout.write(saved)
            else:
                self.stdout.write("Users exist already; no demo data created.")
            return
        logins = create_demo(tickets=options["tickets"], seed=options["seed"])
        self.stdout.write(self.style.SUCCESS(f"Demo data created: {options['tickets']} tickets."))
        self.stdout.write(format_logins(logins))
