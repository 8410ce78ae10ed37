"""POP3 transport (stdlib poplib): messages identified by UIDL. POP3 has no flags, so a
processed message is either deleted (``delete_after_fetch``) or remembered by its UID."""

from __future__ import annotations

import base64
import poplib
from collections.abc import Iterator

from ..models import InboundMessage, Mailbox
from .tls import ssl_context

TIMEOUT = 60


class Pop3Source:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.client: poplib.POP3 | None = None
        self.numbers: dict[str, str] = {}

    def __enter__(self) -> Pop3Source:
        box = self.mailbox
        if box.security == Mailbox.Security.TLS:
            client: poplib.POP3 = poplib.POP3_SSL(
                box.host, box.effective_port, timeout=TIMEOUT, context=ssl_context()
            )
        else:
            client = poplib.POP3(box.host, box.effective_port, timeout=TIMEOUT)
            if box.security == Mailbox.Security.STARTTLS:
                client.stls(ssl_context())
        secret = box.read_secret()
        if box.auth == Mailbox.Auth.XOAUTH2:
            token = f"user={box.username}\x01auth=Bearer {secret}\x01\x01"
            resp = client._shortcmd("AUTH XOAUTH2 " + base64.b64encode(token.encode()).decode())
            if not resp.startswith(b"+OK"):
                # A refused token comes back as a "+ <base64 JSON>" challenge (RFC 7628);
                # poplib takes any "+" for success. Answer empty to get the real -ERR.
                client._shortcmd("")
        else:
            client.user(box.username)
            client.pass_(secret)
        self.client = client
        _resp, lines, _octets = client.uidl()
        for line in lines:
            number, _sep, uid = line.decode("ascii", "replace").partition(" ")
            self.numbers[uid.strip()] = number
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.client is not None:
                self.client.quit()  # commits deletions
        except Exception:  # noqa: S110 - the connection may already be gone
            pass

    def new_uids(self, limit: int) -> list[str]:
        uids = list(self.numbers)
        done = set(
            InboundMessage.objects.filter(mailbox=self.mailbox, uid__in=uids)
            .exclude(state=InboundMessage.State.RECEIVED)
            .values_list("uid", flat=True)
        )
        if self.mailbox.delete_after_fetch:
            for uid in done:  # processed before a crash, not yet deleted
                self.done(uid)
        return [uid for uid in uids if uid not in done][:limit]

    def fetch(self, uid: str) -> bytes:
        assert self.client is not None
        _resp, lines, _octets = self.client.retr(int(self.numbers[uid]))
        return b"\r\n".join(lines) + b"\r\n"

    def fetch_many(self, uids: list[str]) -> Iterator[tuple[str, bytes]]:
        for uid in uids:
            yield uid, self.fetch(uid)

    def done_many(self, uids: list[str]) -> None:
        for uid in uids:
            self.done(uid)

    def done(self, uid: str) -> None:
        if self.mailbox.delete_after_fetch and self.client is not None:
            self.client.dele(int(self.numbers[uid]))
