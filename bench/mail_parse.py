"""Throughput of ``okno.mail.parse.parse_message`` over the mixed test corpus (goal >= 500/s).

The corpus (tests/mail/corpus) mixes plain and HTML mail, Cyrillic charsets with wrong labels,
bounces, calendar invites, attachments and malformed MIME: roughly what a service desk mailbox
receives, minus the huge attachments.
"""

import time
from pathlib import Path

from okno.mail.parse import parse_message

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "mail" / "corpus"


def run() -> list[tuple[str, float, str]]:
    messages = [p.read_bytes() for p in sorted(CORPUS.glob("*.eml"))]
    if not messages:
        return []
    for raw in messages:  # warm-up: regex and codec caches
        parse_message(raw)
    parsed = 0
    began = time.perf_counter()
    elapsed = 0.0
    while elapsed < 1.5:
        for raw in messages:
            parse_message(raw)
        parsed += len(messages)
        elapsed = time.perf_counter() - began
    return [("mail_parse_per_s", parsed / elapsed, "/s")]


if __name__ == "__main__":
    for name, value, unit in run():
        print(f"BENCH {name} {value:.0f} {unit}")
