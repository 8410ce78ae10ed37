"""``okno mail import|poll|smtpd``: the database-backed mail commands.

- ``okno mail import FILE.eml|FILE.mbox [...] [--mailbox NAME]``: feed saved mail through intake
  (idempotent: importing the same file twice changes nothing).
- ``okno mail poll [--mailbox NAME] [--loop]``: fetch and process new mail now, without a worker.
- ``okno mail smtpd [--host 127.0.0.1] [--port 2525] [--mailbox NAME]``: receive mail over SMTP.
(``okno mail parse FILE`` needs no database and is handled by ``okno.mail.cli``.)
"""

from __future__ import annotations

import mailbox as mbox_module
import signal
import threading
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from okno.mail.models import Mailbox


def _find_mailbox(ref: str | None) -> Mailbox | None:
    if not ref:
        return None
    box = Mailbox.objects.filter(name=ref).first()
    if box is None and ref.isdigit():
        box = Mailbox.objects.filter(pk=int(ref)).first()
    if box is None:
        raise CommandError(f"No mailbox named {ref!r}.")
    return box


class Command(BaseCommand):
    help = "Email intake: import files, poll mailboxes, run the SMTP listener."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import .eml or .mbox files")
        imp.add_argument("files", nargs="+")
        imp.add_argument("--mailbox", help="apply this mailbox's rules (name or id)")
        poll = sub.add_parser("poll", help="poll mailboxes now")
        poll.add_argument("--mailbox", help="only this mailbox (name or id)")
        poll.add_argument("--loop", action="store_true", help="keep polling on each interval")
        smtpd = sub.add_parser("smtpd", help="receive mail over SMTP")
        smtpd.add_argument("--host", default="127.0.0.1")
        smtpd.add_argument("--port", type=int, default=2525)
        smtpd.add_argument("--mailbox", help="apply this mailbox's rules (name or id)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _import(self, options: dict[str, Any]) -> None:
        from okno.mail.actions import ingest

        box = _find_mailbox(options.get("mailbox"))
        counts: dict[str, int] = {}
        for name in options["files"]:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"{name}: no such file")
            if path.suffix.lower() == ".mbox":
                raws = [m.as_bytes() for m in mbox_module.mbox(str(path), create=False)]
            else:
                raws = [path.read_bytes()]
            for raw in raws:
                row = ingest(raw, mailbox=box, source="import")
                counts[row.state] = counts.get(row.state, 0) + 1
                ticket = f" → #{row.ticket_id}" if row.ticket_id else ""
                note = f" ({row.reason or row.error[:80]})" if row.reason or row.error else ""
                self.stdout.write(f"{row.state:<11} {row.subject[:60]}{ticket}{note}")
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        self.stdout.write(f"Imported {sum(counts.values())} message(s): {summary}")

    def _poll(self, options: dict[str, Any]) -> None:
        from okno.mail.actions import claim_mailbox, release_mailbox
        from okno.mail.inbound import poll_until_empty

        box = _find_mailbox(options.get("mailbox"))
        boxes = [box] if box else list(Mailbox.objects.filter(enabled=True))
        if not boxes:
            raise CommandError("No enabled mailbox. Add one in the admin under Mail › Mailboxes.")
        while True:
            for mailbox in boxes:
                if not claim_mailbox(mailbox.pk):
                    self.stdout.write(f"{mailbox}: another poller is running, skipped")
                    continue
                try:
                    result = poll_until_empty(mailbox)
                except Exception as exc:
                    release_mailbox(mailbox.pk, error=f"{type(exc).__name__}: {exc}")
                    self.stderr.write(f"{mailbox}: {type(exc).__name__}: {exc}")
                    continue
                release_mailbox(mailbox.pk)
                self.stdout.write(f"{mailbox}: {result.fetched} message(s) {result.states}")
            if not options["loop"]:
                return
            time.sleep(min(b.poll_interval for b in boxes))

    def _smtpd(self, options: dict[str, Any]) -> None:
        from okno.mail.inbound.smtpd import make_controller

        box = _find_mailbox(options.get("mailbox"))
        controller = make_controller(options["host"], options["port"], mailbox=box)
        controller.start()
        self.stdout.write(f"Okno SMTP intake on {options['host']}:{options['port']}")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_a: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
