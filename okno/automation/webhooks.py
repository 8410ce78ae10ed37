"""Outbound webhooks: ticket changes as signed JSON POSTs, retried with exponential backoff.

Flow: a ticket action commits → ``okno.tickets.tasks`` runs :func:`on_ticket_event` as a job →
one :class:`~okno.automation.models.WebhookDelivery` row per enabled subscription that wants the
event type, each sent by its own ``deliver_webhook`` job (:func:`attempt`). A failed attempt
(connection error, timeout, any non-2xx answer) queues the next attempt with
``run_after = now + base * 4^(attempt-1)`` until ``WEBHOOK_MAX_ATTEMPTS``; after
``WEBHOOK_DISABLE_AFTER`` consecutive failed attempts the subscription is disabled, with the
reason shown in the admin and a log line.

Every request is ``POST <url>`` with the JSON body and::

    Content-Type: application/json
    User-Agent: Okno-Webhooks/1
    X-Okno-Event: ticket.status_changed
    X-Okno-Delivery: <uuid, the same for every retry of one message>
    X-Okno-Timestamp: <unix seconds when this attempt was signed>
    X-Okno-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>

Receivers verify the signature over the timestamp and the raw body, and reject old timestamps
(replays); ``docs/integrations/webhooks.md`` has the code. Okno follows no redirects: the
configured URL is the only address contacted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PING, DeliveryState, WebhookDelivery, WebhookEvent, WebhookSubscription

logger = logging.getLogger("okno.automation")

SCHEMA_VERSION = 1
USER_AGENT = "Okno-Webhooks/1"
EXCERPT_CHARS = 1000

# The follow-up events of okno.tickets.actions (and the SLA engine) -> subscription event types.
EVENT_TYPES: dict[str, str] = {
    "created": WebhookEvent.TICKET_CREATED,
    "updated": WebhookEvent.TICKET_UPDATED,
    "priority_changed": WebhookEvent.TICKET_UPDATED,
    "assigned": WebhookEvent.TICKET_ASSIGNED,
    "status_changed": WebhookEvent.TICKET_STATUS_CHANGED,
    "reopened": WebhookEvent.TICKET_STATUS_CHANGED,
    "merged": WebhookEvent.TICKET_STATUS_CHANGED,
    "replied": WebhookEvent.TICKET_REPLIED,
    "noted": WebhookEvent.TICKET_NOTE_ADDED,
    "sla_warning": WebhookEvent.SLA_WARNING,
    "sla_breached": WebhookEvent.SLA_BREACHED,
}


# --- settings (read when used, so they can change without a restart of the module) ------------
def timeout_seconds() -> float:
    return float(getattr(settings, "WEBHOOK_TIMEOUT", 10))


def max_attempts() -> int:
    return int(getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 6))


def retry_base_seconds() -> float:
    return float(getattr(settings, "WEBHOOK_RETRY_BASE_SECONDS", 60))


def disable_after() -> int:
    return int(getattr(settings, "WEBHOOK_DISABLE_AFTER", 10))


def retry_delay(attempt: int) -> timedelta:
    """Wait before attempt ``attempt + 1``: base, 4×base, 16×base … (1 min, 4 min, 16 min …)."""
    return timedelta(seconds=retry_base_seconds() * 4 ** (attempt - 1))


# --- signing -----------------------------------------------------------------------------------
def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``b"<timestamp>." + body``."""
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str, *, tolerance: int = 300) -> bool:
    """What a receiver does (also used by Okno's tests): a fresh timestamp and a matching HMAC."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(time.time() - ts) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, ts, body), header)


# --- payloads ----------------------------------------------------------------------------------
def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _ref(obj: Any) -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": str(obj.name)}


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": str(user.display_name), "email": user.email}


def ticket_payload(ticket: Any) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "reference": ticket.reference,
        "url": settings.BASE_URL + reverse("desk:ticket", kwargs={"pk": ticket.pk}),
        "title": ticket.title,
        "type": ticket.type,
        "status": {
            "key": ticket.status.key,
            "name": str(ticket.status.name),
            "category": ticket.status_category,
        },
        "priority": ticket.priority,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "requester": _person(ticket.requester),
        "organization": _ref(ticket.organization),
        "team": _ref(ticket.team),
        "assignee": _person(ticket.assignee),
        "service": _ref(ticket.service),
        "category": _ref(ticket.category),
        "channel": ticket.channel,
        "parent_id": ticket.parent_id,
        "merged_into_id": ticket.merged_into_id,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "first_response_at": _iso(ticket.first_response_at),
        "resolved_at": _iso(ticket.resolved_at),
        "closed_at": _iso(ticket.closed_at),
    }


def article_payload(article: Any) -> dict[str, Any]:
    return {
        "id": article.pk,
        "kind": article.kind,
        "author": _person(article.author),
        "channel": article.channel,
        "body_text": article.body_text,
        "created_at": _iso(article.created_at),
    }


def sla_payload(ticket: Any, change: str) -> dict[str, Any] | None:
    """The SLA engine's latest timeline entry for this change (target, due time …), if any."""
    from okno.tickets.models import TicketEvent

    event = TicketEvent.objects.filter(ticket=ticket, kind=change).order_by("-id").first()
    if event is None:
        return None
    return {"field": event.field, "data": event.data, "at": _iso(event.created_at)}


def build_payload(
    event_type: str, change: str, ticket: Any, article: Any = None, event_id: str | None = None
) -> dict[str, Any]:
    return {
        "version": SCHEMA_VERSION,
        "event": event_type,
        "event_id": event_id or str(uuid.uuid4()),
        "change": change,
        "occurred_at": _iso(timezone.now()),
        "ticket": ticket_payload(ticket),
        "article": article_payload(article) if article is not None else None,
        "sla": sla_payload(ticket, change) if event_type.startswith("sla.") else None,
    }


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# --- fan-out -----------------------------------------------------------------------------------
def on_ticket_event(ticket_id: int, event: str, article_id: int | None = None) -> str:
    """Follow-up handler (``okno.tickets.tasks.FOLLOWUP_HANDLERS``): queue one delivery per
    enabled subscription that wants this event."""
    from okno.tickets.models import Article, Ticket

    event_type = EVENT_TYPES.get(event)
    if event_type is None:
        return f"ignored: {event}"
    subscriptions = [
        s for s in WebhookSubscription.objects.filter(enabled=True) if s.wants(event_type)
    ]
    if not subscriptions:
        return "no subscribers"
    ticket = (
        Ticket.objects.select_related(
            "status", "requester", "organization", "team", "assignee", "service", "category"
        )
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        return "ticket gone"
    article = None
    if article_id is not None:
        article = Article.objects.select_related("author").filter(pk=article_id).first()
    body = encode(build_payload(event_type, event, ticket, article))
    with transaction.atomic():
        deliveries = [
            WebhookDelivery.objects.create(
                subscription=sub, event=event_type, ticket_id=ticket.pk, body=body
            )
            for sub in subscriptions
        ]
        for delivery in deliveries:
            _enqueue_on_commit(delivery.pk)
    return f"queued {len(deliveries)}"


def _enqueue_on_commit(delivery_pk: int, run_after: Any = None) -> None:
    from .tasks import deliver_webhook

    def enqueue() -> None:
        task = deliver_webhook if run_after is None else deliver_webhook.using(run_after=run_after)
        try:
            task.enqueue(delivery_pk=delivery_pk)
        except Exception:  # the delivery row stays pending and visible in the admin
            logger.exception("Could not queue webhook delivery %s", delivery_pk)

    transaction.on_commit(enqueue)


# --- sending -----------------------------------------------------------------------------------
class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Only the configured URL is contacted: a redirect is answered as the failure it is."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def send(subscription: WebhookSubscription, delivery: WebhookDelivery) -> dict[str, Any]:
    """POST one delivery; returns ``status_code``, ``excerpt``, ``duration_ms``, ``error``."""
    body = delivery.body.encode()
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 - http(s) only, validated on save
        subscription.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Okno-Event": delivery.event,
            "X-Okno-Delivery": str(delivery.delivery_id),
            "X-Okno-Timestamp": str(timestamp),
            "X-Okno-Signature": signature(subscription.secret, timestamp, body),
        },
    )
    started = time.monotonic()
    result: dict[str, Any] = {"status_code": None, "excerpt": "", "error": ""}
    try:
        with _opener.open(request, timeout=timeout_seconds()) as response:
            result["status_code"] = response.status
            result["excerpt"] = _excerpt(response.read(EXCERPT_CHARS * 4))
    except urllib.error.HTTPError as exc:
        result["status_code"] = exc.code
        result["excerpt"] = _excerpt(exc.read(EXCERPT_CHARS * 4) if exc.fp else b"")
        result["error"] = f"HTTP {exc.code}"
    except (TimeoutError, urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
            result["error"] = _("Timed out after %(seconds)s s") % {"seconds": timeout_seconds()}
        else:
            result["error"] = f"{type(reason).__name__}: {reason}"[:500]
    result["duration_ms"] = int((time.monotonic() - started) * 1000)
    return result


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def attempt(delivery_pk: int) -> str:
    """Send one pending delivery (the ``deliver_webhook`` job); idempotent: a delivery that is
    no longer pending is left alone."""
    claimed = WebhookDelivery.objects.filter(pk=delivery_pk, state=DeliveryState.PENDING).update(
        state=DeliveryState.SENDING, started_at=timezone.now()
    )
    if not claimed:
        return "already handled"
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_pk)
    subscription = delivery.subscription
    if not subscription.enabled and delivery.event != PING:
        delivery.state = DeliveryState.CANCELLED
        delivery.error = _("The subscription is disabled.")
        delivery.save(update_fields=["state", "error"])
        return "cancelled"
    result = send(subscription, delivery)
    ok = result["status_code"] is not None and 200 <= result["status_code"] < 300
    delivery.status_code = result["status_code"]
    delivery.response_excerpt = result["excerpt"]
    delivery.duration_ms = result["duration_ms"]
    delivery.error = "" if ok else (result["error"] or f"HTTP {result['status_code']}")
    delivery.sent_at = now = timezone.now()
    if delivery.event == PING:  # a test from the admin: logged, never retried or counted
        delivery.state = DeliveryState.SUCCEEDED if ok else DeliveryState.GAVE_UP
        delivery.save()
        return delivery.state
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        if ok:
            delivery.state = DeliveryState.SUCCEEDED
            delivery.save()
            if subscription.failure_count:
                subscription.failure_count = 0
                subscription.save(update_fields=["failure_count", "updated_at"])
            return "delivered"
        return _failed(delivery, subscription, now)


def _failed(delivery: WebhookDelivery, subscription: WebhookSubscription, now: Any) -> str:
    """A failed attempt (the caller holds the subscription's row lock): count it, queue the
    next attempt with backoff or give up, and disable the subscription after too many."""
    subscription.failure_count += 1
    will_disable = subscription.enabled and subscription.failure_count >= disable_after()
    if delivery.attempt < max_attempts() and not will_disable:
        delivery.state = DeliveryState.FAILED
        delivery.next_retry_at = now + retry_delay(delivery.attempt)
        delivery.save()
        retry = WebhookDelivery.objects.create(
            subscription=subscription,
            delivery_id=delivery.delivery_id,
            event=delivery.event,
            ticket_id=delivery.ticket_id,
            body=delivery.body,
            attempt=delivery.attempt + 1,
        )
        _enqueue_on_commit(retry.pk, run_after=delivery.next_retry_at)
    else:
        delivery.state = DeliveryState.GAVE_UP
        delivery.save()
    logger.warning(
        "Webhook %s (%s) attempt %s of %s failed: %s",
        subscription.pk,
        delivery.event,
        delivery.attempt,
        delivery.delivery_id,
        delivery.error,
    )
    fields = ["failure_count", "updated_at"]
    if will_disable:
        from .actions import disable_reason

        subscription.enabled = False
        subscription.disabled_at = timezone.now()
        subscription.disabled_reason = disable_reason(subscription.failure_count, delivery)
        fields += ["enabled", "disabled_at", "disabled_reason"]
        logger.warning(
            "Webhook %s (%s) disabled: %s",
            subscription.pk,
            subscription.url,
            subscription.disabled_reason,
        )
    subscription.save(update_fields=fields)
    return "retrying" if delivery.state == DeliveryState.FAILED else "gave up"


def recover_stuck(delivery_pk: int, *, older_than: Any) -> str:
    """A delivery left "sending" since before ``older_than`` (its worker died mid-send): the
    attempt counts as failed and, by the usual rules, the next attempt is queued with backoff,
    or it gives up, or the subscription is disabled. Claimed by a conditional update, so a
    delivery is requeued once however many sweeps see it."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_related("subscription").filter(pk=delivery_pk).first()
        )
        if delivery is None:
            return "gone"
        subscription = WebhookSubscription.objects.select_for_update().get(
            pk=delivery.subscription_id
        )
        stuck = WebhookDelivery.objects.filter(pk=delivery_pk, state=DeliveryState.SENDING)
        stuck = stuck.filter(started_at__lt=older_than) | stuck.filter(
            started_at__isnull=True, created_at__lt=older_than
        )
        error = _("The worker stopped while sending; no answer was recorded.")
        if not stuck.update(state=DeliveryState.FAILED, error=error):
            return "not stuck"
        delivery.refresh_from_db()
        if delivery.event == PING:
            delivery.state = DeliveryState.GAVE_UP
            delivery.save(update_fields=["state"])
            return "gave up"
        if not subscription.enabled:
            delivery.state = DeliveryState.CANCELLED
            delivery.save(update_fields=["state"])
            return "cancelled"
        return _failed(delivery, subscription, timezone.now())
