"""`okno prune` and the scheduler's retention jobs: every job registered, counts printed, a
dry run changes nothing, a failing job does not stop the others."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from importlib import import_module

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from okno.ops import retention
from okno.ops.periodic import PERIODIC_JOBS

pytestmark = pytest.mark.django_db


def _old_rows(admin):
    from okno.alerts.models import Event
    from okno.automation import actions
    from okno.automation.models import WebhookDelivery
    from okno.mail.models import InboundMessage

    long_ago = timezone.now() - timedelta(days=365)
    raw = b"From: a@acme.test\r\nSubject: x\r\n\r\nbody"
    InboundMessage.objects.create(
        source="import",
        dedupe_key="k1",
        sha256=hashlib.sha256(raw).hexdigest(),
        raw=raw,
        size=len(raw),
        state="processed",
        processed_at=long_ago,
    )
    Event.objects.create(
        received_at=long_ago,
        source_name="nagios",
        format="generic",
        fingerprint="f",
        status="firing",
        severity="critical",
        summary="s",
        state="processed",
    )
    sub, _ = actions.create_subscription(
        actor=admin, name="B", url="http://127.0.0.1:9/x", event_types=["ticket.created"]
    )
    done = WebhookDelivery.objects.create(subscription=sub, event="ticket.created", body="{}")
    stuck = WebhookDelivery.objects.create(subscription=sub, event="ticket.created", body="{}")
    WebhookDelivery.objects.filter(pk=done.pk).update(state="succeeded", created_at=long_ago)
    WebhookDelivery.objects.filter(pk=stuck.pk).update(state="sending", started_at=long_ago)


def _counts() -> tuple[int, int, int, int]:
    from okno.alerts.models import Event
    from okno.automation.models import WebhookDelivery
    from okno.mail.models import InboundMessage

    return (
        InboundMessage.objects.filter(raw_pruned_at__isnull=True).count(),
        Event.objects.count(),
        WebhookDelivery.objects.filter(state="succeeded").count(),
        WebhookDelivery.objects.filter(state="sending").count(),
    )


def test_every_retention_job_is_periodic_and_importable():
    paths = {job.task_path for job in PERIODIC_JOBS}
    for path in (
        "okno.mail.retention.prune_raw_mail_job",
        "okno.alerts.retention.prune_events_job",
        "okno.automation.retention.prune_deliveries_job",
        "okno.automation.retention.requeue_stuck_job",
    ):
        assert path in paths
        module, name = path.rsplit(".", 1)
        assert hasattr(getattr(import_module(module), name), "enqueue")
    for job in retention.RETENTION_JOBS:
        module, _, function = job.path.partition(":")
        assert callable(getattr(import_module(module), function))


def test_periodic_task_runs_the_job(admin):
    from okno.automation.retention import prune_deliveries_job

    _old_rows(admin)
    assert prune_deliveries_job.call() == 1


def test_okno_prune_dry_run_prints_counts_and_changes_nothing(admin, capsys):
    _old_rows(admin)
    call_command("okno_prune", "--dry-run")
    out = capsys.readouterr().out
    assert "raw inbound mail (bytes dropped): 1 (dry run)" in out
    assert "monitoring events: 1 (dry run)" in out
    assert "webhook deliveries: 1 (dry run)" in out
    assert "stuck webhook deliveries (requeued): 1 (dry run)" in out
    assert _counts() == (1, 1, 1, 1)


def test_okno_prune_is_the_okno_prune_command(monkeypatch):
    from django.core import management

    from okno.cli import main

    seen = []
    monkeypatch.setattr(management, "execute_from_command_line", seen.append)
    assert main(["prune", "--dry-run"]) == 0
    assert seen == [["okno", "okno_prune", "--dry-run"]]


def test_okno_prune_runs_every_job_once(admin, capsys, django_capture_on_commit_callbacks):
    _old_rows(admin)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("okno_prune")
    out = capsys.readouterr().out
    assert "raw inbound mail (bytes dropped): 1\n" in out
    assert "stuck webhook deliveries (requeued): 1\n" in out
    assert _counts() == (0, 0, 0, 0)
    call_command("okno_prune")
    assert "monitoring events: 0\n" in capsys.readouterr().out


def test_a_failing_job_is_reported_and_the_others_still_run(admin, monkeypatch, capsys):
    def boom(*, dry_run: bool = False) -> int:
        raise RuntimeError("database gone")

    monkeypatch.setattr("okno.alerts.retention.prune_events", boom)
    _old_rows(admin)
    with pytest.raises(CommandError, match="monitoring events"):
        call_command("okno_prune")
    out = capsys.readouterr().out
    assert "monitoring events: failed" in out
    assert "webhook deliveries: 1" in out
