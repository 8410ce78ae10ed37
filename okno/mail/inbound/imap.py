"""IMAP transport (imap-tools): unseen messages in the folder, fetched with BODY.PEEK so the
server marks nothing until Okno has stored and processed the message."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessageFlags

from ..models import Mailbox
from .tls import ssl_context

TIMEOUT = 60
_UID = re.compile(rb"UID (\d+)")


class ImapSource:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.client: Any = None

    def __enter__(self) -> ImapSource:
        box = self.mailbox
        # imaplib's own default context verifies nothing: always pass ours.
        if box.security == Mailbox.Security.TLS:
            self.client = MailBox(
                box.host, box.effective_port, timeout=TIMEOUT, ssl_context=ssl_context()
            )
        elif box.security == Mailbox.Security.STARTTLS:
            self.client = MailBoxStartTls(
                box.host, box.effective_port, timeout=TIMEOUT, ssl_context=ssl_context()
            )
        else:
            self.client = MailBoxUnencrypted(box.host, box.effective_port, timeout=TIMEOUT)
        secret = box.read_secret()
        if box.auth == Mailbox.Auth.XOAUTH2:
            self.client.xoauth2(box.username, secret, initial_folder=box.folder)
        else:
            self.client.login(box.username, secret, initial_folder=box.folder)
        if box.processed_folder and not self.client.folder.exists(box.processed_folder):
            self.client.folder.create(box.processed_folder)
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):  # the connection may already be gone
            self.client.logout()

    def new_uids(self, limit: int) -> list[str]:
        uids: list[str] = self.client.uids("UNSEEN")
        return sorted(uids, key=int)[:limit]

    def fetch(self, uid: str) -> bytes:
        typ, data = self.client.client.uid("FETCH", uid, "(BODY.PEEK[])")
        for item in data or ():
            if isinstance(item, tuple) and len(item) == 2:
                return bytes(item[1])
        raise RuntimeError(f"IMAP FETCH {uid} returned no message ({typ})")

    def fetch_many(self, uids: list[str]) -> Iterator[tuple[str, bytes]]:
        """One round trip for a chunk of messages (BODY.PEEK: the server marks nothing)."""
        _typ, data = self.client.client.uid("FETCH", ",".join(uids), "(UID BODY.PEEK[])")
        found: dict[str, bytes] = {}
        for item in data or ():
            if isinstance(item, tuple) and len(item) == 2:
                match = _UID.search(item[0])
                if match:
                    found[match[1].decode()] = bytes(item[1])
        for uid in uids:
            if uid in found:
                yield uid, found[uid]
            else:  # vanished meanwhile (another client expunged it) or an odd server reply
                yield uid, self.fetch(uid)

    def done(self, uid: str) -> None:
        self.done_many([uid])

    def done_many(self, uids: list[str]) -> None:
        if not uids:
            return
        if self.mailbox.processed_folder:
            self.client.move(uids, self.mailbox.processed_folder)
        else:
            self.client.flag(uids, MailMessageFlags.SEEN, True)
