"""The webhook admin: subscriptions through actions, the secret shown once, a test delivery to a
real receiver, and a read-only delivery log."""

from __future__ import annotations

import json

from django.urls import reverse

from okno.automation import actions
from okno.automation.models import DeliveryState, WebhookDelivery, WebhookSubscription


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_admin_creates_a_subscription_and_shows_the_secret_once(client, admin, receiver):
    client.force_login(admin)
    response = client.post(
        reverse("admin:automation_webhooksubscription_add"),
        {
            "name": "Chat",
            "url": receiver.url,
            "event_types": ["ticket.created", "sla.breached"],
            "enabled": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.event_types == ["ticket.created", "sla.breached"]
    assert subscription.secret.startswith("whsec_")
    assert any(subscription.secret in m for m in messages_of(response))

    change = client.get(
        reverse("admin:automation_webhooksubscription_change", args=[subscription.pk])
    )
    assert change.status_code == 200
    assert subscription.secret not in change.content.decode()
    assert subscription.masked_secret in change.content.decode()


def test_admin_form_rejects_a_non_http_url(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("admin:automation_webhooksubscription_add"),
        {"name": "Chat", "url": "ftp://example.com/x", "event_types": ["ticket.created"]},
    )
    assert response.status_code == 200
    assert "url" in response.context["adminform"].form.errors
    assert not WebhookSubscription.objects.exists()


def test_send_test_delivery_action_posts_a_ping(client, admin, receiver):
    subscription, _secret = actions.create_subscription(
        actor=admin, name="Chat", url=receiver.url, event_types=["ticket.created"]
    )
    client.force_login(admin)
    response = client.post(
        reverse("admin:automation_webhooksubscription_changelist"),
        {"action": "send_test_delivery", "_selected_action": [subscription.pk]},
        follow=True,
    )
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["X-Okno-Event"] == "webhook.ping"
    assert json.loads(receiver.requests[0].body)["event"] == "webhook.ping"
    assert any("answered 200" in m for m in messages_of(response))
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.SUCCEEDED and delivery.status_code == 200


def test_a_failing_test_delivery_is_reported_but_not_counted(client, admin, receiver):
    receiver.default = 500
    subscription, _secret = actions.create_subscription(
        actor=admin, name="Chat", url=receiver.url, event_types=["ticket.created"]
    )
    client.force_login(admin)
    response = client.post(
        reverse("admin:automation_webhooksubscription_changelist"),
        {"action": "send_test_delivery", "_selected_action": [subscription.pk]},
        follow=True,
    )
    assert any("failed" in m and "500" in m for m in messages_of(response))
    subscription.refresh_from_db()
    assert subscription.failure_count == 0
    assert WebhookDelivery.objects.get().state == DeliveryState.GAVE_UP


def test_delivery_log_is_read_only(client, admin, receiver):
    subscription, _secret = actions.create_subscription(
        actor=admin, name="Chat", url=receiver.url, event_types=["ticket.created"]
    )
    delivery = actions.send_test_delivery(subscription, actor=admin)
    client.force_login(admin)
    listing = client.get(reverse("admin:automation_webhookdelivery_changelist"))
    assert listing.status_code == 200
    assert "webhook.ping" in listing.content.decode()
    detail = client.get(reverse("admin:automation_webhookdelivery_change", args=[delivery.pk]))
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert client.get(reverse("admin:automation_webhookdelivery_add")).status_code == 403


def test_enable_and_disable_actions(client, admin, receiver):
    subscription, _secret = actions.create_subscription(
        actor=admin, name="Chat", url=receiver.url, event_types=["ticket.created"]
    )
    client.force_login(admin)
    url = reverse("admin:automation_webhooksubscription_changelist")
    client.post(url, {"action": "disable", "_selected_action": [subscription.pk]})
    subscription.refresh_from_db()
    assert not subscription.enabled and admin.email in subscription.disabled_reason
    client.post(url, {"action": "enable", "_selected_action": [subscription.pk]})
    subscription.refresh_from_db()
    assert subscription.enabled and subscription.disabled_reason == ""
