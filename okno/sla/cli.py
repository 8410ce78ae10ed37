"""``okno sla due|elapsed``: business-time arithmetic from the shell; pure Python, no Django.

Examples::

    okno sla due --calendar cal.json --start 2026-03-06T21:00:00+01:00 --duration 4h
    okno sla elapsed --calendar cal.json --from 2026-03-06T21:00+01:00 --to 2026-03-09T09:30+01:00

Times without an offset are read in the calendar's zone. ``--pause START/END`` may repeat;
``START/`` is a pause still running. Errors print one line naming the field and exit with 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import NoReturn
from zoneinfo import ZoneInfo

from okno.sla.businesstime import Calendar, CalendarError, Pause
from okno.sla.calendarfile import load_calendar, parse_duration

__all__ = ["main"]

PROG = "okno sla"


class _UsageError(Exception):
    """Raised instead of argparse's multi-line usage dump, to print one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Business-time arithmetic on an SLA calendar.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    due = commands.add_parser("due", help="when a target of business time is due")
    due.add_argument("--calendar", required=True, help="calendar JSON file")
    due.add_argument("--start", required=True, help="ISO 8601 start instant")
    due.add_argument("--duration", required=True, help="3600, 90m, 4h, 1h30m or 3d (business days)")
    elapsed = commands.add_parser("elapsed", help="business seconds between two instants")
    elapsed.add_argument("--calendar", required=True, help="calendar JSON file")
    elapsed.add_argument("--from", dest="start", required=True, help="ISO 8601 start instant")
    elapsed.add_argument("--to", dest="end", required=True, help="ISO 8601 end instant")
    for sub in (due, elapsed):
        sub.add_argument(
            "--pause", action="append", default=[], metavar="START/END", help="repeatable"
        )
    return parser


def _instant(text: str, field: str, zone: ZoneInfo) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CalendarError(field, f"bad ISO 8601 time {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _pauses(texts: Sequence[str], zone: ZoneInfo) -> list[Pause]:
    pauses: list[Pause] = []
    for k, text in enumerate(texts):
        field = f"--pause[{k}]"
        start_text, slash, end_text = text.partition("/")
        if not slash:
            raise CalendarError(field, f"expected START/END, got {text!r}")
        start = _instant(start_text, field, zone)
        end = _instant(end_text, field, zone) if end_text.strip() else None
        if end is not None and end < start:
            raise CalendarError(field, "end is before start")
        pauses.append((start, end))
    return pauses


def _format_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _run(args: argparse.Namespace) -> str:
    try:
        calendar: Calendar = load_calendar(args.calendar)
    except CalendarError as exc:
        if exc.field == "file":
            raise CalendarError("--calendar", exc.message) from None
        raise CalendarError(exc.field, f"{exc.message} (in {args.calendar})") from None
    zone = calendar.zone
    start = _instant(args.start, "--start" if args.command == "due" else "--from", zone)
    pauses = _pauses(args.pause, zone)
    if args.command == "elapsed":
        end = _instant(args.end, "--to", zone)
        if end < start:
            raise CalendarError("--to", "is before --from")
        return _format_seconds(calendar.elapsed(start, end, pauses))
    duration = parse_duration(args.duration, "--duration")
    if duration.is_business_days:
        result = calendar.add_business_days(start, int(duration.value), pauses)
    else:
        result = calendar.due(start, duration.value, pauses)
    return "paused" if result is None else result.astimezone(zone).isoformat()


def main(argv: list[str] | None = None) -> int:
    """Run ``due`` or ``elapsed``; print the answer; return 0, or 2 on any bad input."""
    try:
        args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
        print(_run(args))
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    except _UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except CalendarError as exc:
        print(f"{PROG}: error: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    except ValueError as exc:  # NoWorkingTimeError, a datetime outside the supported range
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
