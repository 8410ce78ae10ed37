"""``okno sla recompute [--all | TICKET ...] [--open] [--latest] [--check]`` and ``okno sla sweep``.

``recompute`` rebuilds stored clocks from each ticket's event log with the pinned policy and
calendar versions; the result equals what the ticket actions stored (``--check`` only lists the
differences and exits 1 if there are any). ``--open --latest`` is the administrator's
"recompute open clocks": running tickets move to the current policy and calendar versions.
Warnings and breaches already fired are never fired again.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from okno.sla.models import OPEN_CLOCK_STATES, SlaClock
from okno.tickets.models import Ticket

BATCH = 500


class Command(BaseCommand):
    help = "SLA clocks: recompute from the event log, or run the warning/breach sweep once."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="sub", required=True)
        recompute = sub.add_parser("recompute", help="rebuild stored clocks from the event log")
        recompute.add_argument("tickets", nargs="*", type=int, help="ticket numbers")
        recompute.add_argument("--all", action="store_true", help="every ticket")
        recompute.add_argument("--open", action="store_true", help="tickets with open clocks")
        recompute.add_argument(
            "--latest", action="store_true", help="re-pin to the current policy/calendar"
        )
        recompute.add_argument(
            "--check", action="store_true", help="only report differences (exit 1 if any)"
        )
        sub.add_parser("sweep", help="fire due warnings and breaches once")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["sub"] == "sweep":
            from okno.sla.sweep import sweep

            self.stdout.write(f"fired {sweep()}")
            return
        self.recompute(options)

    def ticket_ids(self, options: dict[str, Any]) -> Any:
        if options["tickets"]:
            missing = set(options["tickets"]) - set(
                Ticket.objects.filter(pk__in=options["tickets"]).values_list("pk", flat=True)
            )
            if missing:
                raise CommandError(f"no such ticket: {', '.join(map(str, sorted(missing)))}")
            yield from sorted(options["tickets"])
            return
        if not (options["all"] or options["open"]):
            raise CommandError("name tickets, or use --all or --open")
        after = 0
        while True:
            if options["open"]:
                qs = SlaClock.objects.filter(state__in=OPEN_CLOCK_STATES, ticket_id__gt=after)
                ids = list(
                    qs.order_by("ticket_id").values_list("ticket_id", flat=True).distinct()[:BATCH]
                )
            else:
                ids = list(
                    Ticket.objects.filter(pk__gt=after)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:BATCH]
                )
            if not ids:
                return
            yield from ids
            after = ids[-1]

    def recompute(self, options: dict[str, Any]) -> None:
        from okno.sla.actions import recompute_ticket
        from okno.sla.clocks import differences

        if options["check"] and options["latest"]:
            raise CommandError("--check compares with the pinned versions; drop --latest")
        count, diffs = 0, 0
        for ticket_id in self.ticket_ids(options):
            count += 1
            if options["check"]:
                ticket = Ticket.objects.get(pk=ticket_id)
                for line in differences(ticket):
                    diffs += 1
                    self.stdout.write(line)
            else:
                changed = differences(Ticket.objects.get(pk=ticket_id))
                recompute_ticket(ticket_id, latest=options["latest"])
                diffs += len(changed)
                for line in changed:
                    self.stdout.write(line)
        verb = "differ" if options["check"] else "changed"
        self.stdout.write(f"{count} ticket(s), {diffs} field(s) {verb}")
        if options["check"] and diffs:
            raise SystemExit(1)
