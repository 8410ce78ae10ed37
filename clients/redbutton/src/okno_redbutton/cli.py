"""``okno-redbutton``: collect, show, confirm, send (or queue). ``--gui`` opens the window.

Exit codes: 0 sent (or nothing to do), 75 queued for later (EX_TEMPFAIL), 1 refused or
cancelled, 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__, collect, config, report, spool

EX_QUEUED = 75


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="okno-redbutton",
        description="Press the Red Button: file a support request with this computer's "
        "diagnostics attached. You see everything before it is sent.",
    )
    p.add_argument("-m", "--comment", default=None, help="what is wrong, in your words")
    p.add_argument("-y", "--yes", action="store_true", help="send without asking")
    p.add_argument(
        "--dry-run",
        "--preview",
        action="store_true",
        help="show exactly what would be sent, send nothing",
    )
    p.add_argument("--output", help="with --dry-run: write the exact JSON payload to this file")
    p.add_argument("--gui", action="store_true", help="open the one-button window")
    p.add_argument("--flush", action="store_true", help="send reports queued while offline")
    shot = p.add_mutually_exclusive_group()
    shot.add_argument("--screenshot", dest="screenshot", action="store_true", default=None)
    shot.add_argument("--no-screenshot", dest="screenshot", action="store_false")
    p.add_argument(
        "--skip",
        action="append",
        choices=collect.SECTIONS,
        default=[],
        help="leave a section out (repeatable)",
    )
    p.add_argument("--server", help="Okno address, e.g. https://desk.example.com")
    p.add_argument(
        "--token", help="the device token (okrb_…) or an API token with the redbutton scope"
    )
    p.add_argument("--host", action="append", dest="hosts", help="host:port to test (repeatable)")
    p.add_argument("--config", help=f"config file (default {config.default_config_path()})")
    p.add_argument("--spool-dir", help=f"offline queue (default {config.default_spool_dir()})")
    p.add_argument("--timeout", type=float, help="seconds to wait for the server (default 10)")
    p.add_argument(
        "--print-config-path", action="store_true", help="show where the config file is read from"
    )
    p.add_argument("--version", action="version", version=f"okno-redbutton {__version__}")
    return p


def _print_results(results: list[report.Result]) -> None:
    for result in results:
        print(result.message)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    cfg = config.load(
        path=args.config,
        server=args.server,
        token=args.token,
        hosts=args.hosts,
        screenshot=args.screenshot,
        spool_dir=args.spool_dir,
        timeout=args.timeout,
    )
    if args.print_config_path:
        print(cfg.config_path)
        return 0
    for problem in cfg.problems:
        print(f"okno-redbutton: {problem}", file=sys.stderr)

    if args.gui:
        from .gui import run

        return run(cfg, skip=args.skip)

    if args.flush:
        missing = cfg.missing()
        if missing:
            print(f"okno-redbutton: set {' and '.join(missing)} first", file=sys.stderr)
            return 2
        waiting = len(spool.pending(cfg.spool_dir))
        if not waiting:
            print("No queued reports.")
            return 0
        _print_results(report.flush(cfg))
        return EX_QUEUED if spool.pending(cfg.spool_dir) else 0

    interactive = sys.stdin.isatty() and not args.yes and not args.dry_run
    comment = args.comment
    if comment is None and interactive:
        try:
            comment = input("What is wrong? (optional, Enter to skip): ")
        except EOFError:
            comment = ""
    print("Collecting diagnostics…", file=sys.stderr)
    payload = report.build(cfg, comment=comment or "", skip=args.skip)

    if args.dry_run:
        if args.output:
            with open(args.output, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, indent=2, ensure_ascii=False)
            print(f"The exact payload is in {args.output}. Nothing was sent.", file=sys.stderr)
        print(report.preview(payload))
        print("\n(dry run: nothing was sent)", file=sys.stderr)
        return 0

    print(report.preview(payload))
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                "okno-redbutton: not a terminal; add --yes to send without asking", file=sys.stderr
            )
            return 2
        target = cfg.server or "(no server configured)"
        answer = input(f"\nSend this report to {target}? [y/N] ").strip().lower()
        if answer not in {"y", "yes", "д", "да"}:
            print("Cancelled; nothing was sent.")
            return 1

    earlier = report.flush(cfg) if spool.pending(cfg.spool_dir) else []
    _print_results([r for r in earlier if r.state != "queued"])
    result = report.send(cfg, payload)
    print(result.message)
    if result.state == "sent":
        return 0
    return EX_QUEUED if result.state == "queued" else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
