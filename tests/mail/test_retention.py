"""Raw-mail retention: handled messages lose their raw bytes after N days, metadata stays;
quarantined and unprocessed messages keep theirs."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from okno.mail.models import InboundMessage
from okno.mail.retention import prune_raw_mail

from .conftest import make_mail

pytestmark = pytest.mark.django_db


def _row(state: str, *, processed_days_ago: float | None, n: int = 0) -> InboundMessage:
    raw = make_mail(subject=f"Message {state} {n}")
    row = InboundMessage.objects.create(
        source="import",
        dedupe_key=f"{state}-{n}-{processed_days_ago}",
        sha256=hashlib.sha256(raw).hexdigest(),
        raw=raw,
        size=len(raw),
        from_address="rita@acme.test",
        subject=f"Message {state} {n}",
        state=state,
    )
    if processed_days_ago is not None:
        InboundMessage.objects.filter(pk=row.pk).update(
            processed_at=timezone.now() - timedelta(days=processed_days_ago)
        )
    return row


def _raw(row: InboundMessage) -> bytes:
    return bytes(InboundMessage.objects.get(pk=row.pk).raw)


def test_handled_mail_loses_its_raw_bytes_after_the_retention_and_keeps_its_metadata(
    requester, l1, settings, django_capture_on_commit_callbacks
):
    from okno.mail.actions import ingest

    settings.MAIL_RAW_RETENTION_DAYS = 90
    now = timezone.now()
    with (
        time_machine.travel(now - timedelta(days=91), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        real = ingest(make_mail(subject="Old printer", message_id="<old@acme.test>"))
    assert real.state == "processed" and real.ticket_id
    with time_machine.travel(now, tick=False):
        ignored = _row("ignored", processed_days_ago=100)
        exactly = _row("processed", processed_days_ago=90)
        recent = _row("processed", processed_days_ago=1)
        quarantined = _row("quarantined", processed_days_ago=400)
        waiting = _row("received", processed_days_ago=None)
        assert prune_raw_mail() == 2
        assert prune_raw_mail() == 0  # idempotent
    kept = InboundMessage.objects.get(pk=real.pk)
    assert bytes(kept.raw) == b"" and kept.raw_pruned_at == now
    assert kept.size > 0 and kept.sha256 and kept.message_id == "<old@acme.test>"
    assert kept.subject == "Old printer" and kept.ticket_id == real.ticket_id
    assert kept.ticket.articles.count() == 1  # the ticket keeps what the mail said
    assert _raw(ignored) == b""
    for row in (exactly, recent, quarantined, waiting):
        assert _raw(row).startswith(b"From: rita@acme.test")


def test_raw_retention_batches_its_updates(settings):
    settings.MAIL_RAW_RETENTION_DAYS = 30
    rows = [_row("processed", processed_days_ago=40 + n, n=n) for n in range(5)]
    with CaptureQueriesContext(connection) as queries:
        assert prune_raw_mail(batch_size=2) == 5
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 3
    assert all(_raw(row) == b"" for row in rows)


def test_raw_retention_zero_keeps_forever_and_dry_run_only_counts(settings):
    row = _row("processed", processed_days_ago=5000)
    settings.MAIL_RAW_RETENTION_DAYS = 0
    assert prune_raw_mail() == 0 and prune_raw_mail(dry_run=True) == 0
    settings.MAIL_RAW_RETENTION_DAYS = 90
    assert prune_raw_mail(dry_run=True) == 1
    assert _raw(row).startswith(b"From:")
    assert InboundMessage.objects.get(pk=row.pk).raw_pruned_at is None
    assert prune_raw_mail() == 1 and _raw(row) == b""


def test_a_pruned_message_still_threads_replies_by_its_message_id(
    requester, l1, settings, django_capture_on_commit_callbacks
):
    from okno.mail.actions import ingest

    settings.MAIL_RAW_RETENTION_DAYS = 1
    with django_capture_on_commit_callbacks(execute=True):
        first = ingest(make_mail(subject="VPN", message_id="<vpn1@acme.test>"))
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        assert prune_raw_mail() == 1
        with django_capture_on_commit_callbacks(execute=True):
            reply = ingest(make_mail(subject="other words", in_reply_to="<vpn1@acme.test>"))
    assert reply.ticket_id == first.ticket_id and reply.reason == "reply"
