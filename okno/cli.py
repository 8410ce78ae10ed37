"""The ``okno`` command: what administrators run (``manage.py`` stays for developers).

``okno sla due|elapsed`` and ``okno mail parse`` need no database and start without Django;
everything else is a Django management command (``okno migrate`` works too).
"""

from __future__ import annotations

import os
import sys

PURE_COMMANDS = {
    ("sla", "due"): "okno.sla.cli",
    ("sla", "elapsed"): "okno.sla.cli",
    ("mail", "parse"): "okno.mail.cli",
}

USAGE = """usage: okno COMMAND [options]

  serve [--with-worker] [--bind HOST:PORT] [--workers N]   web UI and API (gunicorn)
  worker [--threads N]                                     background jobs and periodic sweeps
  demo [--if-empty] [--tickets N] [--seed S]               create demo data
  createadmin --email EMAIL                                 create an administrator
  check                                                     check configuration and database
  sla due|elapsed ...                                       business-time arithmetic (no database)
  mail parse FILE [--json]                                  parse an email file (no database)
  mail import FILE.eml|FILE.mbox                            take messages in as the poller would
  mail poll [--mailbox N] [--loop]                          fetch from configured mailboxes now
  mail smtpd                                                inbound SMTP listener
  sla recompute [--all|--open|TICKET] [--check]            rebuild SLA clocks from the event log
  sla sweep                                                 fire due SLA warnings and breaches now
  reports rebuild [--since DATE]                            recompute the dashboard rollups
  reports fold                                              fold new events into them now
  prune [--dry-run]                                         run the retention jobs once, print counts
  migrate, shell, ... any Django management command

Run `okno COMMAND --help` for a command's options."""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    module = PURE_COMMANDS.get(tuple(args[:2]))  # type: ignore[arg-type]
    if module is not None:
        from importlib import import_module

        return int(import_module(module).main(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okno.settings")
    from django.core.management import execute_from_command_line

    name = {"serve": "okno_serve", "worker": "okno_worker", "demo": "okno_demo"}.get(
        args[0], args[0]
    )
    name = {"createadmin": "okno_createadmin", "check": "okno_check", "prune": "okno_prune"}.get(
        name, name
    )
    if name in {"sla", "mail", "reports"}:
        name = f"okno_{name}"  # database-backed subcommands, e.g. `okno sla recompute`
    try:
        execute_from_command_line(["okno", name, *args[1:]])
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
