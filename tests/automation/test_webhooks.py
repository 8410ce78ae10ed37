"""Outbound webhooks against a real HTTP receiver on 127.0.0.1: real ticket actions, real jobs,
signatures checked with hmac, retries with backoff, automatic disable."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from okno.automation import actions
from okno.automation.models import DeliveryState, WebhookDelivery, WebhookSubscription
from okno.automation.webhooks import EVENT_TYPES, on_ticket_event, verify
from okno.tickets import actions as ticket_actions
from okno.tickets import events as ticket_events
from okno.tickets.models import Status, StatusCategory

PAYLOAD_KEYS = {"version", "event", "event_id", "change", "occurred_at", "ticket", "article", "sla"}
TICKET_KEYS = {
    "id",
    "reference",
    "url",
    "title",
    "type",
    "status",
    "priority",
    "impact",
    "urgency",
    "requester",
    "organization",
    "team",
    "assignee",
    "service",
    "category",
    "channel",
    "parent_id",
    "merged_into_id",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
}


@pytest.fixture
def subscribe(admin, receiver):
    def make(*event_types: str, url: str | None = None) -> tuple[WebhookSubscription, str]:
        return actions.create_subscription(
            actor=admin, name="Chat bridge", url=url or receiver.url, event_types=event_types
        )

    return make


def open_ticket(requester, service, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return ticket_actions.open_ticket(
            actor=requester, title="VPN is down", description="Since 9:00.", service=service
        )


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def test_a_new_ticket_is_posted_signed_to_the_subscriber(
    subscribe, receiver, requester, service, drain, django_capture_on_commit_callbacks
):
    subscription, secret = subscribe("ticket.created")
    ticket = open_ticket(requester, service, django_capture_on_commit_callbacks)
    drain()

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.path == "/hooks/okno"
    headers = request.headers
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Okno-Event"] == "ticket.created"
    assert abs(int(headers["X-Okno-Timestamp"]) - time.time()) < 60
    assert headers["X-Okno-Signature"] == expected_signature(
        secret, headers["X-Okno-Timestamp"], request.body
    )
    assert verify(secret, headers["X-Okno-Timestamp"], request.body, headers["X-Okno-Signature"])
    assert not verify(
        "whsec_wrong", headers["X-Okno-Timestamp"], request.body, headers["X-Okno-Signature"]
    )

    payload = json.loads(request.body)
    assert set(payload) == PAYLOAD_KEYS
    assert set(payload["ticket"]) == TICKET_KEYS
    assert payload["version"] == 1
    assert payload["event"] == "ticket.created" and payload["change"] == "created"
    assert payload["ticket"]["id"] == ticket.pk
    assert payload["ticket"]["title"] == "VPN is down"
    assert payload["ticket"]["requester"]["email"] == requester.email
    assert payload["ticket"]["url"].endswith(f"/desk/tickets/{ticket.pk}/")
    assert payload["article"]["body_text"] == "Since 9:00."

    delivery = WebhookDelivery.objects.get()
    assert delivery.subscription == subscription
    assert str(delivery.delivery_id) == headers["X-Okno-Delivery"]
    assert delivery.state == DeliveryState.SUCCEEDED
    assert delivery.status_code == 200
    assert delivery.response_excerpt == '{"ok": true}'
    assert delivery.duration_ms is not None
    assert delivery.body.encode() == request.body


def test_a_signature_made_with_an_old_timestamp_is_refused_by_verify():
    body = b'{"event":"ticket.created"}'
    old = str(int(time.time()) - 3600)
    assert not verify("s", old, body, expected_signature("s", old, body))


def test_only_the_event_types_asked_for_are_sent(
    subscribe, receiver, requester, agent, service, drain, django_capture_on_commit_callbacks
):
    subscribe("ticket.assigned", "ticket.status_changed", "ticket.replied")
    ticket = open_ticket(requester, service, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_actions.assign_ticket(ticket, actor=agent, assignee=agent)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_actions.add_reply(ticket, actor=agent, body="On it.")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_actions.add_note(ticket, actor=agent, body="internal")
    drain()

    events = sorted(r.headers["X-Okno-Event"] for r in receiver.requests)
    assert events == ["ticket.assigned", "ticket.replied"]  # not the note
    by_event = {r.headers["X-Okno-Event"]: json.loads(r.body) for r in receiver.requests}
    assert by_event["ticket.assigned"]["ticket"]["assignee"]["id"] == agent.pk
    assert by_event["ticket.replied"]["article"]["body_text"] == "On it."
    assert by_event["ticket.replied"]["article"]["author"]["id"] == agent.pk
    assert by_event["ticket.assigned"]["article"] is None


def test_reopen_is_a_status_change(
    subscribe, receiver, requester, agent, service, drain, django_capture_on_commit_callbacks
):
    ticket = open_ticket(requester, service, django_capture_on_commit_callbacks)
    resolved = Status.objects.filter(category=StatusCategory.RESOLVED).first()
    ticket_actions.change_status(ticket, actor=agent, status=resolved)
    drain()  # the resolution's own follow-ups run before anyone subscribes
    subscribe("ticket.status_changed")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_actions.reopen_ticket(ticket, actor=requester, reason="Still broken")
    drain()
    payloads = [json.loads(r.body) for r in receiver.requests]
    assert [(p["event"], p["change"]) for p in payloads] == [("ticket.status_changed", "reopened")]


def test_sla_events_carry_the_engines_details(
    subscribe, receiver, ticket, drain, django_capture_on_commit_callbacks
):
    subscribe("sla.breached")
    ticket_events.record(
        ticket, "sla_breached", actor=None, field="resolution", due_at="2026-11-23T12:00:00Z"
    )
    assert on_ticket_event(ticket.pk, "sla_warning") == "no subscribers"
    with django_capture_on_commit_callbacks(execute=True):
        assert on_ticket_event(ticket.pk, "sla_breached") == "queued 1"
    drain()
    payload = json.loads(receiver.requests[0].body)
    assert payload["event"] == "sla.breached"
    assert payload["sla"]["field"] == "resolution"
    assert payload["sla"]["data"] == {"due_at": "2026-11-23T12:00:00Z"}


def test_every_follow_up_event_maps_to_a_subscribable_type():
    from okno.automation.models import WebhookEvent

    assert set(EVENT_TYPES.values()) <= set(WebhookEvent.values)
    assert {"created", "replied", "noted", "assigned", "status_changed", "priority_changed"} <= set(
        EVENT_TYPES
    )


def test_unknown_events_and_vanished_tickets_are_ignored(subscribe, ticket):
    subscribe("ticket.created")
    assert on_ticket_event(ticket.pk, "linked").startswith("ignored")
    assert on_ticket_event(999_999, "created") == "ticket gone"
    assert not WebhookDelivery.objects.exists()


def test_failures_are_retried_with_exponential_backoff(
    subscribe, receiver, requester, service, drain, django_capture_on_commit_callbacks
):
    subscription, secret = subscribe("ticket.created")
    receiver.answers = [500, "timeout"]
    start = timezone.now()
    with time_machine.travel(start, tick=True):
        open_ticket(requester, service, django_capture_on_commit_callbacks)
        drain()
        first = WebhookDelivery.objects.get(attempt=1)
        assert first.state == DeliveryState.FAILED
        assert first.status_code == 500
        assert len(first.response_excerpt) == 1000  # an excerpt, not the whole answer
        assert first.sent_at >= start
        assert first.next_retry_at - first.sent_at == timedelta(seconds=60)
        queued = DBTaskResult.objects.filter(status="READY").get()
        assert queued.run_after == first.next_retry_at
        assert len(receiver.requests) == 1  # not before its time

    with time_machine.travel(first.next_retry_at + timedelta(seconds=1), tick=True):
        drain()
        second = WebhookDelivery.objects.get(attempt=2)
        assert second.state == DeliveryState.FAILED
        assert second.status_code is None and "Timed out" in second.error
        assert second.next_retry_at - second.sent_at == timedelta(seconds=240)  # 4x the first

    with time_machine.travel(second.next_retry_at + timedelta(seconds=1), tick=True):
        drain()
    third = WebhookDelivery.objects.get(attempt=3)
    assert third.state == DeliveryState.SUCCEEDED
    assert [r.headers["X-Okno-Delivery"] for r in receiver.requests] == [str(third.delivery_id)] * 3
    for request in receiver.requests:  # each attempt signed afresh, same body
        assert request.body == receiver.requests[0].body
        assert request.headers["X-Okno-Signature"] == expected_signature(
            secret, request.headers["X-Okno-Timestamp"], request.body
        )
    subscription.refresh_from_db()
    assert subscription.failure_count == 0 and subscription.enabled


def test_retries_stop_after_the_last_attempt(
    subscribe, receiver, settings, requester, service, drain, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    receiver.default = 503
    subscription, _secret = subscribe("ticket.created")
    open_ticket(requester, service, django_capture_on_commit_callbacks)
    drain()
    states = list(WebhookDelivery.objects.order_by("attempt").values_list("attempt", "state"))
    assert states == [(1, "failed"), (2, "failed"), (3, "gave_up")]
    assert len(receiver.requests) == 3
    subscription.refresh_from_db()
    assert subscription.enabled and subscription.failure_count == 3


def test_repeated_failure_disables_the_subscription(
    subscribe,
    receiver,
    settings,
    requester,
    agent,
    service,
    drain,
    caplog,
    django_capture_on_commit_callbacks,
):
    settings.WEBHOOK_DISABLE_AFTER = 4
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    receiver.default = 500
    subscription, _secret = subscribe("ticket.created", "ticket.assigned")
    with caplog.at_level(logging.WARNING, logger="okno.automation"):
        ticket = open_ticket(requester, service, django_capture_on_commit_callbacks)
        drain()
    assert len(receiver.requests) == 4
    subscription.refresh_from_db()
    assert not subscription.enabled
    assert subscription.disabled_at is not None
    assert "4 failed attempts" in subscription.disabled_reason
    assert "HTTP 500" in subscription.disabled_reason
    assert any("disabled" in r.getMessage() for r in caplog.records)
    assert WebhookDelivery.objects.order_by("-id").first().state == DeliveryState.GAVE_UP

    # while disabled nothing is sent
    with django_capture_on_commit_callbacks(execute=True):
        ticket_actions.assign_ticket(ticket, actor=agent, assignee=agent)
    drain()
    assert len(receiver.requests) == 4

    # enabling forgets the failures
    actions.enable_subscription(subscription, actor=agent)
    subscription.refresh_from_db()
    assert subscription.enabled and subscription.failure_count == 0
    assert subscription.disabled_reason == ""


def test_a_retry_pending_when_the_subscription_is_disabled_is_cancelled(
    subscribe, receiver, admin, requester, service, drain, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    subscription, _secret = subscribe("ticket.created")
    start = timezone.now()
    with time_machine.travel(start, tick=True):
        open_ticket(requester, service, django_capture_on_commit_callbacks)
        drain()
    actions.disable_subscription(subscription, actor=admin, reason="maintenance")
    with time_machine.travel(start + timedelta(minutes=5), tick=True):
        drain()
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get(attempt=2).state == DeliveryState.CANCELLED


def test_redirects_are_not_followed(
    subscribe, receiver, requester, service, drain, django_capture_on_commit_callbacks
):
    receiver.answers = ["redirect"]
    subscribe("ticket.created")
    open_ticket(requester, service, django_capture_on_commit_callbacks)
    drain()
    assert [r.path for r in receiver.requests] == ["/hooks/okno"]
    first = WebhookDelivery.objects.get(attempt=1)
    assert first.status_code == 302 and first.state == DeliveryState.FAILED


def test_an_unreachable_url_is_a_logged_failure(
    subscribe, ticket, drain, django_capture_on_commit_callbacks
):
    subscribe("sla.warning", url="http://127.0.0.1:9/nothing-listens-here")
    with django_capture_on_commit_callbacks(execute=True):
        on_ticket_event(ticket.pk, "sla_warning")
    drain()
    delivery = WebhookDelivery.objects.get(attempt=1)
    assert delivery.state == DeliveryState.FAILED
    assert delivery.status_code is None and delivery.error


# --- actions -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "event_types", "field"),
    [
        ("ftp://example.com/x", ["ticket.created"], "url"),
        ("not a url", ["ticket.created"], "url"),
        ("https://example.com/x", [], "event_types"),
        ("https://example.com/x", ["ticket.deleted"], "event_types"),
    ],
)
def test_bad_subscriptions_are_field_errors(admin, url, event_types, field):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        actions.create_subscription(actor=admin, name="x", url=url, event_types=event_types)
    assert field in caught.value.message_dict
    assert not WebhookSubscription.objects.exists()


def test_secrets_are_random_shown_once_and_rotatable(subscribe, admin):
    subscription, secret = subscribe("ticket.created")
    _other, other_secret = subscribe("ticket.created")
    assert secret.startswith("whsec_") and len(secret) > 40 and secret != other_secret
    assert subscription.masked_secret == secret[:10] + "…"
    new = actions.rotate_secret(subscription, actor=admin)
    subscription.refresh_from_db()
    assert new != secret and subscription.secret == new
