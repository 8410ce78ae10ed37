"""The webhook delivery log's retention and the sweep for deliveries stuck in "sending"."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from okno.automation import actions
from okno.automation.models import DeliveryState, WebhookDelivery
from okno.automation.retention import prune_deliveries, requeue_stuck
from okno.automation.webhooks import attempt, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(admin, receiver):
    sub, _secret = actions.create_subscription(
        actor=admin, name="Bridge", url=receiver.url, event_types=["ticket.created"]
    )
    return sub


def _delivery(subscription, *, state=DeliveryState.SUCCEEDED, age=timedelta(0), **extra):
    row = WebhookDelivery.objects.create(
        subscription=subscription, event="ticket.created", body="{}", state=state, **extra
    )
    WebhookDelivery.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)
    return row


def _left() -> set[int]:
    return set(WebhookDelivery.objects.values_list("pk", flat=True))


# --------------------------------------------------------------------------- retention


def test_deliveries_older_than_the_retention_go_in_batches_and_waiting_ones_stay(
    subscription, settings
):
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 30
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        old = [
            _delivery(subscription, state=state, age=timedelta(days=31))
            for state in ("succeeded", "failed", "gave_up", "cancelled", "succeeded")
        ]
        waiting = _delivery(subscription, state="pending", age=timedelta(days=40))
        sending = _delivery(subscription, state="sending", age=timedelta(days=40))
        exactly = _delivery(subscription, age=timedelta(days=30))
        recent = _delivery(subscription, age=timedelta(days=1))
        with CaptureQueriesContext(connection) as queries:
            assert prune_deliveries(batch_size=2) == 5
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # batches of 2: 2 + 2 + 1
    assert _left() == {waiting.pk, sending.pk, exactly.pk, recent.pk}
    assert not {o.pk for o in old} & _left()


def test_zero_keeps_the_delivery_log_forever_and_dry_run_changes_nothing(subscription, settings):
    _delivery(subscription, age=timedelta(days=400))
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 0
    assert prune_deliveries() == 0
    assert WebhookDelivery.objects.count() == 1
    settings.WEBHOOK_DELIVERY_RETENTION_DAYS = 30
    assert prune_deliveries(dry_run=True) == 1
    assert WebhookDelivery.objects.count() == 1
    assert prune_deliveries() == 1
    assert WebhookDelivery.objects.count() == 0


# --------------------------------------------------------------------------- stuck sweep


def _die_mid_send(subscription):
    """What a worker leaves behind when it is killed during the POST: claimed, never done."""
    row = _delivery(subscription, state="pending")
    claimed = WebhookDelivery.objects.filter(pk=row.pk, state="pending").update(
        state="sending", started_at=timezone.now()
    )
    assert claimed == 1
    return row


def test_a_delivery_stuck_in_sending_is_requeued_once_with_backoff(
    subscription, settings, receiver, drain, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_STUCK_MINUTES = 15
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        stuck = _die_mid_send(subscription)
    with time_machine.travel(start + timedelta(minutes=14, seconds=59), tick=False):
        assert requeue_stuck() == 0  # might still be sending
    later = start + timedelta(minutes=15, seconds=1)
    with time_machine.travel(later, tick=False):
        assert requeue_stuck(dry_run=True) == 1
        assert WebhookDelivery.objects.get(pk=stuck.pk).state == "sending"
        with django_capture_on_commit_callbacks(execute=True):
            assert requeue_stuck() == 1
            assert requeue_stuck() == 0  # a second sweep finds nothing: requeued once
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    stuck.refresh_from_db()
    assert stuck.state == DeliveryState.FAILED and "stopped while sending" in stuck.error
    assert stuck.next_retry_at == later + timedelta(seconds=60)  # the normal first backoff
    retry = WebhookDelivery.objects.get(delivery_id=stuck.delivery_id, attempt=2)
    assert retry.state == DeliveryState.PENDING
    subscription.refresh_from_db()
    assert subscription.failure_count == 1  # counted like any failed attempt
    with time_machine.travel(stuck.next_retry_at + timedelta(seconds=1), tick=True):
        drain()
    retry.refresh_from_db()
    assert retry.state == DeliveryState.SUCCEEDED
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.count() == 2


def test_stuck_delivery_gives_up_or_is_cancelled_by_the_usual_rules(subscription, settings, admin):
    settings.WEBHOOK_STUCK_MINUTES = 15
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    last = _delivery(subscription, state="sending", attempt=2, started_at=timezone.now())
    other_sub, _ = actions.create_subscription(
        actor=admin, name="Off", url="http://127.0.0.1:9/x", event_types=["ticket.created"]
    )
    off = _delivery(other_sub, state="sending", started_at=timezone.now())
    actions.disable_subscription(other_sub, actor=admin)
    legacy = _delivery(subscription, state="sending", age=timedelta(hours=1))  # no started_at
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert requeue_stuck() == 3
    states = dict(WebhookDelivery.objects.values_list("pk", "state"))
    assert states[last.pk] == DeliveryState.GAVE_UP
    assert states[off.pk] == DeliveryState.CANCELLED
    assert states[legacy.pk] == DeliveryState.FAILED
    assert WebhookDelivery.objects.filter(state="pending").count() == 1  # legacy's retry
    assert not DBTaskResult.objects.filter(status="READY").exclude(
        args_kwargs__kwargs__delivery_pk=WebhookDelivery.objects.get(state="pending").pk
    )


def test_the_sweep_can_be_turned_off_and_leaves_live_sends_alone(subscription, settings):
    settings.WEBHOOK_STUCK_MINUTES = 0
    stuck = _die_mid_send(subscription)
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        assert requeue_stuck() == 0
    assert WebhookDelivery.objects.get(pk=stuck.pk).state == "sending"


def test_a_normal_attempt_records_when_it_started(subscription, receiver):
    row = _delivery(subscription, state="pending")
    assert attempt(row.pk) == "delivered"
    row.refresh_from_db()
    assert row.started_at is not None and row.sent_at >= row.started_at
    assert send  # the sender itself is unchanged; started_at is set by the claim
