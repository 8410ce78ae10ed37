"""Monitoring-event retention: processed events older than N days go, in batches; received
(unprocessed) and failed events stay whatever their age."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from okno.alerts.models import Event
from okno.alerts.retention import prune_events

pytestmark = pytest.mark.django_db


def _event(state: str, days_ago: float, n: int = 0) -> Event:
    return Event.objects.create(
        received_at=timezone.now() - timedelta(days=days_ago),
        source_name="nagios",
        format="generic",
        fingerprint=f"fp-{n}",
        status="firing",
        severity="critical",
        summary=f"Disk full {n}",
        state=state,
        processed_at=timezone.now() if state == "processed" else None,
    )


def _left() -> set[int]:
    return set(Event.objects.values_list("pk", flat=True))


def test_processed_events_older_than_the_retention_go_and_unprocessed_stay(settings):
    settings.ALERT_EVENT_RETENTION_DAYS = 30
    with time_machine.travel(timezone.now(), tick=False):
        # oldest first, as ids grow with time
        unprocessed = _event("received", 60)
        failed = _event("failed", 59)
        old = [_event("processed", 50 - n, n) for n in range(5)]
        exactly = _event("processed", 30)
        recent = _event("processed", 1)
        with CaptureQueriesContext(connection) as queries:
            assert prune_events(batch_size=2) == 5
        assert prune_events() == 0  # idempotent
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3
    assert _left() == {unprocessed.pk, failed.pk, exactly.pk, recent.pk}
    assert not {e.pk for e in old} & _left()


def test_zero_keeps_events_forever_and_dry_run_changes_nothing(settings):
    _event("processed", 1000)
    settings.ALERT_EVENT_RETENTION_DAYS = 0
    assert prune_events() == 0 and prune_events(dry_run=True) == 0
    settings.ALERT_EVENT_RETENTION_DAYS = 30
    assert prune_events(dry_run=True) == 1
    assert Event.objects.count() == 1
    assert prune_events() == 1
    assert Event.objects.count() == 0


def test_pruning_events_keeps_their_alert(settings, monitor, send, process):
    from okno.alerts.models import Alert

    from .conftest import event

    settings.ALERT_EVENT_RETENTION_DAYS = 30
    assert send("/events", event("db-1")).status_code in (200, 201, 202)
    process()
    assert Event.objects.get().state == "processed"
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert prune_events() == 1
    alert = Alert.objects.get()
    assert alert.count == 1 and alert.ticket_id is not None
