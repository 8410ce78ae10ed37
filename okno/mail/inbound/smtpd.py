"""Inbound SMTP listener (aiosmtpd) for sites that pipe mail to Okno instead of polling.

The message is stored (committed) before the server answers 250, so an accepted message is
never lost; if storing fails the sender gets a temporary failure (451) and retries later.
Processing runs right after, in a worker thread; failures end in the quarantine.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.controller import Controller
from django.db import close_old_connections

from ..models import InboundMessage, Mailbox

logger = logging.getLogger(__name__)


class IntakeHandler:
    def __init__(self, mailbox: Mailbox | None = None, *, max_bytes: int = 50 * 1024 * 1024):
        self.mailbox = mailbox
        self.max_bytes = max_bytes

    def _store_and_process(self, raw: bytes) -> None:
        from ..actions import process_inbound, store_inbound

        try:
            row, _created, msg = store_inbound(raw, mailbox=self.mailbox, source="smtp")
            if row.state == InboundMessage.State.RECEIVED:
                try:
                    process_inbound(row.pk, parsed=msg)
                except Exception:  # stored: the periodic sweep processes it later
                    logger.exception("Processing inbound message %s failed", row.pk)
        finally:
            close_old_connections()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        if len(raw) > self.max_bytes:
            return "552 Message too large"
        try:
            await asyncio.to_thread(self._store_and_process, raw)
        except Exception:
            logger.exception("Could not store an inbound SMTP message")
            return "451 Temporary failure, please retry"
        return "250 Message accepted"


def make_controller(
    host: str = "127.0.0.1", port: int = 2525, *, mailbox: Mailbox | None = None
) -> Controller:
    return Controller(
        IntakeHandler(mailbox), hostname=host, port=port, decode_data=False, data_size_limit=0
    )
