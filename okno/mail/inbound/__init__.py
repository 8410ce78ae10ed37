"""Transports: fetch raw messages from a mailbox, hand each to ``mail.actions.ingest``, and
only then mark it on the server. The order matters: store → process → mark. A crash between
any two steps repeats the later steps on the next poll, and the Message-ID dedupe makes the
repeat a no-op."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from ..models import InboundMessage, Mailbox

logger = logging.getLogger(__name__)

# Messages fetched per round trip: few enough that big attachments don't pile up in memory.
CHUNK = 10


class Source(Protocol):
    def __enter__(self) -> Source: ...
    def __exit__(self, *exc: object) -> None: ...
    def new_uids(self, limit: int) -> list[str]: ...
    def fetch_many(self, uids: list[str]) -> Iterator[tuple[str, bytes]]: ...
    def done_many(self, uids: list[str]) -> None: ...


@dataclass
class PollResult:
    fetched: int = 0
    states: dict[str, int] = field(default_factory=dict)

    def add(self, state: str) -> None:
        self.fetched += 1
        self.states[state] = self.states.get(state, 0) + 1


def open_source(mailbox: Mailbox) -> Source:
    if mailbox.protocol == Mailbox.Protocol.POP3:
        from .pop3 import Pop3Source

        return Pop3Source(mailbox)
    from .imap import ImapSource

    return ImapSource(mailbox)


def poll(mailbox: Mailbox, *, limit: int | None = None) -> PollResult:
    """Fetch up to ``limit`` new messages (the mailbox's batch size) and ingest each one."""
    from ..actions import ingest_many
    from .tls import explain

    result = PollResult()
    try:
        with open_source(mailbox) as source:
            uids = source.new_uids(limit or mailbox.batch_size)
            for start in range(0, len(uids), CHUNK):
                chunk = list(source.fetch_many(uids[start : start + CHUNK]))
                rows = ingest_many(chunk, mailbox=mailbox, source=mailbox.protocol)
                finished = [u for u, row in rows if row.state != InboundMessage.State.RECEIVED]
                for _uid, row in rows:
                    result.add(row.state)
                source.done_many(finished)  # only after the whole chunk is stored and processed
    except Exception as exc:
        clearer = explain(exc, mailbox)
        if clearer is None:
            raise
        raise clearer from exc
    return result


def poll_until_empty(mailbox: Mailbox, *, max_rounds: int = 1000) -> PollResult:
    total = PollResult()
    for _round in range(max_rounds):
        result = poll(mailbox)
        for state, count in result.states.items():
            total.states[state] = total.states.get(state, 0) + count
        total.fetched += result.fetched
        if result.fetched < mailbox.batch_size:
            break
    return total
