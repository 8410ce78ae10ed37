"""`okno mail parse FILE [--json]`: show what intake would read from a raw message.

Pure argparse, no Django, so an admin can debug a problem mail on any machine. The `okno`
console script forwards `okno mail ...` here; `python -m okno.mail.cli parse FILE` works too.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from okno.mail.parse import InboundMessage, parse_message


def as_json_dict(msg: InboundMessage) -> dict[str, Any]:
    """The stable JSON shape of `okno mail parse --json` (sizes are decoded bytes)."""
    return {
        "from_address": msg.from_address,
        "from_name": msg.from_name,
        "to": [a.address for a in msg.to],
        "cc": [a.address for a in msg.cc],
        "subject": msg.subject,
        "body_text": msg.body_text,
        "body_html": msg.body_html,
        "attachments": [
            {"filename": a.filename, "size": a.size, "content_type": a.content_type}
            for a in msg.attachments
        ],
        "problems": list(msg.problems),
    }


def _fmt_addr(address: str, name: str) -> str:
    return f"{name} <{address}>" if name else address


def as_text(msg: InboundMessage) -> str:
    lines = [
        f"From:        {_fmt_addr(msg.from_address, msg.from_name)}",
        f"To:          {', '.join(_fmt_addr(a.address, a.name) for a in msg.to)}",
    ]
    if msg.cc:
        lines.append(f"Cc:          {', '.join(_fmt_addr(a.address, a.name) for a in msg.cc)}")
    if msg.reply_to:
        lines.append(f"Reply-To:    {', '.join(a.address for a in msg.reply_to)}")
    lines += [
        f"Subject:     {msg.subject}",
        f"Date:        {msg.date.isoformat() if msg.date else '-'}",
        f"Message-ID:  {msg.message_id or '-'}",
    ]
    if msg.in_reply_to:
        lines.append(f"In-Reply-To: {msg.in_reply_to}")
    if msg.references:
        lines.append(f"References:  {' '.join(msg.references)}")
    flags = [
        name
        for name, on in (
            ("auto-reply", msg.is_auto_reply),
            ("bounce", msg.is_bounce),
            ("bulk", msg.is_bulk),
        )
        if on
    ]
    lines.append(f"Flags:       {', '.join(flags) or '-'}")
    if msg.bounce_message_id:
        lines.append(f"Bounced:     {msg.bounce_message_id}")
    for a in msg.attachments:
        extra = f" cid:{a.content_id}" if a.content_id else ""
        lines.append(f"Attachment:  {a.filename} ({a.content_type}, {a.size} bytes){extra}")
    for problem in msg.problems:
        lines.append(f"Problem:     {problem}")
    lines += ["", msg.body_text]
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="okno mail", description="Email intake tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    parse = sub.add_parser("parse", help="parse a raw .eml file and print what intake reads")
    parse.add_argument("file", help="path to a raw RFC 5322 message, or - for stdin")
    parse.add_argument("--json", action="store_true", help="print a JSON object")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exc:  # argparse exits on --help and usage errors
        return exc.code if isinstance(exc.code, int) else 2
    try:
        if args.file == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(args.file, "rb") as fh:
                raw = fh.read()
    except OSError as exc:
        print(f"okno mail parse: cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    msg = parse_message(raw)
    if args.json:
        print(json.dumps(as_json_dict(msg), ensure_ascii=False, indent=2))
    else:
        print(as_text(msg))
    return 0


if __name__ == "__main__":
    sys.exit(main())
