"""Crash test: a poller killed with SIGKILL in the middle of a batch of 200 messages, then
restarted. Every message ends up as exactly one ticket or one reply: none lost, none doubled.

Runs the real ``okno mail poll`` in a subprocess against the test database (PostgreSQL when
OKNO_DATABASE_URL points there, SQLite otherwise) and a real Dovecot.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from okno.mail.models import InboundMessage, Mailbox
from okno.tickets.models import Article, Ticket

from .conftest import make_mail

NEW, REPLIES = 150, 50
OKNO = Path(sys.executable).with_name("okno")


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _poller(box: Mailbox, tmp_path: Path, name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "OKNO_DATABASE_URL": _database_url(),
        "OKNO_MEDIA_ROOT": str(tmp_path / "media"),
        "OKNO_SECRET_KEY": "crash-test",
        "OKNO_TEST_MAIL_SECRET": "secret",
    }
    return subprocess.Popen(
        [str(OKNO), "mail", "poll", "--mailbox", box.name],
        env=env,
        stdout=(tmp_path / f"{name}.out").open("wb"),  # files, not pipes: never blocks
        stderr=(tmp_path / f"{name}.err").open("wb"),
    )


@pytest.mark.django_db(transaction=True)
def test_poller_killed_mid_batch_loses_and_doubles_nothing(
    reference_data, dovecot, mailbox_for, l1, tmp_path
):
    box = mailbox_for("imap", batch_size=25)
    originals = [f"<crash-{n}@acme.test>" for n in range(NEW)]
    raws = [
        make_mail(sender=f"user{n % 10}@acme.test", subject=f"Problem {n}", message_id=mid)
        for n, mid in enumerate(originals)
    ]
    raws += [
        make_mail(
            sender=f"user{n % 10}@acme.test",
            subject=f"Re: Problem {n}",
            body=f"More about {n}",
            message_id=f"<crash-reply-{n}@acme.test>",
            in_reply_to=originals[n],
        )
        for n in range(REPLIES)
    ]
    dovecot.append(box.username, raws)

    first = _poller(box, tmp_path, "first")
    deadline = time.monotonic() + 180  # generous: CI machines can be very busy
    done = InboundMessage.objects.exclude(state="received")
    while done.count() < 40 and first.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    if first.poll() is not None:
        log = (tmp_path / "first.err").read_text(errors="replace")
        pytest.fail(f"the poller ended before it could be killed: {log[-2000:]}")
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    killed_at = done.count()
    assert 0 < killed_at < NEW + REPLIES

    second = _poller(box, tmp_path, "second")
    assert second.wait(600) == 0, (tmp_path / "second.err").read_text(errors="replace")[-2000:]

    assert InboundMessage.objects.count() == NEW + REPLIES
    assert InboundMessage.objects.exclude(state="processed").count() == 0
    assert Ticket.objects.filter(channel="email").count() == NEW
    email_articles = Article.objects.filter(channel="email")
    assert email_articles.count() == NEW + REPLIES
    assert email_articles.values("message_id").distinct().count() == NEW + REPLIES
    for n in range(REPLIES):
        reply = email_articles.get(message_id=f"<crash-reply-{n}@acme.test>")
        assert reply.ticket.articles.filter(message_id=originals[n]).exists()
    assert dovecot.unseen(box.username) == []
    assert Mailbox.objects.get(pk=box.pk).lease_until is None
