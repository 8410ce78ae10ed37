"""``okno-redbutton``: collect, show, confirm, send (or queue). ``--gui`` opens the window.

Exit codes: 0 sent (or nothing to do), 75 queued for later (EX_TEMPFAIL), 1 refused or
cancelled, 2 bad usage or configuration.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import __version__, collect, config, i18n, report, spool
from .i18n import _, ngettext

EX_QUEUED = 75
YES = {"y", "yes", "д", "да", "т", "так"}  # accepted in every language


class _Formatter(argparse.HelpFormatter):
    """argparse's own "usage:" in our language (its other words come from its own domain)."""

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, prefix if prefix is not None else _("usage: "))


def parser() -> argparse.ArgumentParser:
    """Built after ``i18n.setup`` so the help is in the chosen language."""
    p = argparse.ArgumentParser(
        prog="okno-redbutton",
        description=_(
            "Press the Red Button: file a support request with this computer's "
            "diagnostics attached. You see everything before it is sent."
        ),
        add_help=False,
        formatter_class=_Formatter,
    )
    p._optionals.title = _("options")
    p.add_argument("-h", "--help", action="help", help=_("show this help and exit"))
    p.add_argument("-m", "--comment", default=None, help=_("what is wrong, in your words"))
    p.add_argument("-y", "--yes", action="store_true", help=_("send without asking"))
    p.add_argument(
        "--dry-run",
        "--preview",
        action="store_true",
        help=_("show exactly what would be sent, send nothing"),
    )
    p.add_argument("--output", help=_("with --dry-run: write the exact JSON payload to this file"))
    p.add_argument("--gui", action="store_true", help=_("open the one-button window"))
    p.add_argument("--flush", action="store_true", help=_("send reports queued while offline"))
    shot = p.add_mutually_exclusive_group()
    shot.add_argument(
        "--screenshot",
        dest="screenshot",
        action="store_true",
        default=None,
        help=_("attach a screenshot"),
    )
    shot.add_argument(
        "--no-screenshot", dest="screenshot", action="store_false", help=_("no screenshot")
    )
    p.add_argument(
        "--skip",
        action="append",
        choices=collect.SECTIONS,
        default=[],
        help=_("leave a section out (repeatable)"),
    )
    p.add_argument("--server", help=_("Okno address, e.g. https://desk.example.com"))
    p.add_argument(
        "--token", help=_("the device token (okrb_…) or an API token with the redbutton scope")
    )
    p.add_argument(
        "--host", action="append", dest="hosts", help=_("host:port to test (repeatable)")
    )
    p.add_argument(
        "--config",
        help=_("config file (default %(path)s)") % {"path": config.default_config_path()},
    )
    p.add_argument(
        "--spool-dir",
        help=_("offline queue (default %(path)s)") % {"path": config.default_spool_dir()},
    )
    p.add_argument("--timeout", type=float, help=_("seconds to wait for the server (default 10)"))
    p.add_argument(
        "--print-config-path",
        action="store_true",
        help=_("show where the config file is read from"),
    )
    p.add_argument(
        "--lang",
        metavar="{en,ru,uk}",
        help=_(
            "language of the messages (default: OKNO_LANG, else the system locale, else English)"
        ),
    )
    p.add_argument(
        "--version",
        action="version",
        version=f"okno-redbutton {__version__}",
        help=_("show the version and exit"),
    )
    return p


def _language_flag(argv: list[str]) -> str | None:
    """``--lang`` read before the parser exists, so that ``--help`` is already translated."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _print_results(results: list[report.Result]) -> None:
    for result in results:
        print(result.message)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    i18n.setup(_language_flag(argv))
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
            print(
                "okno-redbutton: "
                + _("set %(settings)s first (config file, environment or flags)")
                % {"settings": ", ".join(missing)},
                file=sys.stderr,
            )
            return 2
        waiting = len(spool.pending(cfg.spool_dir))
        if not waiting:
            print(_("No queued reports."))
            return 0
        print(
            ngettext("Sending %(n)d queued report…", "Sending %(n)d queued reports…", waiting)
            % {"n": waiting},
            file=sys.stderr,
        )
        _print_results(report.flush(cfg))
        return EX_QUEUED if spool.pending(cfg.spool_dir) else 0

    interactive = sys.stdin.isatty() and not args.yes and not args.dry_run
    comment = args.comment
    if comment is None and interactive:
        try:
            comment = input(_("What is wrong? (optional, Enter to skip): "))
        except EOFError:
            comment = ""
    print(_("Collecting diagnostics…"), file=sys.stderr)
    payload = report.build(cfg, comment=comment or "", skip=args.skip)

    if args.dry_run:
        if args.output:
            with open(args.output, "w", encoding="utf-8") as handle:
                json.dump(payload, handle, indent=2, ensure_ascii=False)
            print(
                _("The exact payload is in %(file)s. Nothing was sent.") % {"file": args.output},
                file=sys.stderr,
            )
        print(report.preview(payload))
        print("\n" + _("(dry run: nothing was sent)"), file=sys.stderr)
        return 0

    print(report.preview(payload))
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                "okno-redbutton: " + _("not a terminal; add --yes to send without asking"),
                file=sys.stderr,
            )
            return 2
        target = cfg.server or _("(no server configured)")
        answer = input("\n" + _("Send this report to %(server)s? [y/N] ") % {"server": target})
        if answer.strip().lower() not in YES:
            print(_("Cancelled; nothing was sent."))
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
