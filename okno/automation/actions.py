"""Every write to webhook subscriptions: create, change, enable/disable, new secret, test.

Plain functions, actor keyword-only (the admin passes ``request.user``), one transaction each.
The signing secret is generated here and returned once by :func:`create_subscription` and
:func:`rotate_secret`; the admin shows it once and masked afterwards.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User

from .models import PING, WebhookDelivery, WebhookEvent, WebhookSubscription

logger = logging.getLogger("okno.automation")

SECRET_PREFIX = "whsec_"  # noqa: S105 - a label, not a secret
_url_validator = URLValidator(schemes=["http", "https"])


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def validate_subscription(
    name: str, url: str, event_types: Iterable[str]
) -> tuple[str, str, list[str]]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    url = (url or "").strip()
    if not name:
        errors["name"] = [_("Give the subscription a name.")]
    try:
        _url_validator(url)
    except ValidationError:
        errors["url"] = [_("Enter a full http:// or https:// address.")]
    types = list(dict.fromkeys(event_types))
    known = set(WebhookEvent.values)
    unknown = [t for t in types if t not in known]
    if unknown:
        errors["event_types"] = [
            _("Unknown event types: %(types)s") % {"types": ", ".join(unknown)}
        ]
    elif not types:
        errors["event_types"] = [_("Choose at least one event type.")]
    if errors:
        raise ValidationError(errors)
    return name, url, types


@transaction.atomic
def create_subscription(
    *, actor: User, name: str, url: str, event_types: Iterable[str]
) -> tuple[WebhookSubscription, str]:
    """A new enabled subscription and its signing secret (show it to the admin now)."""
    name, url, types = validate_subscription(name, url, event_types)
    secret = new_secret()
    subscription = WebhookSubscription.objects.create(
        name=name, url=url, event_types=types, secret=secret
    )
    logger.info("Webhook %s created by %s for %s", subscription.pk, actor.pk, url)
    return subscription, secret


@transaction.atomic
def update_subscription(
    subscription: WebhookSubscription,
    *,
    actor: User,
    name: str,
    url: str,
    event_types: Iterable[str],
    enabled: bool,
) -> WebhookSubscription:
    name, url, types = validate_subscription(name, url, event_types)
    subscription.name, subscription.url, subscription.event_types = name, url, types
    subscription.save()
    if enabled and not subscription.enabled:
        enable_subscription(subscription, actor=actor)
    elif not enabled and subscription.enabled:
        disable_subscription(subscription, actor=actor)
    return subscription


@transaction.atomic
def enable_subscription(subscription: WebhookSubscription, *, actor: User) -> None:
    """Turn deliveries back on and forget past failures."""
    subscription.enabled = True
    subscription.failure_count = 0
    subscription.disabled_at = None
    subscription.disabled_reason = ""
    subscription.save()
    logger.info("Webhook %s enabled by %s", subscription.pk, actor.pk)


@transaction.atomic
def disable_subscription(
    subscription: WebhookSubscription, *, actor: User, reason: str = ""
) -> None:
    subscription.enabled = False
    subscription.disabled_at = timezone.now()
    subscription.disabled_reason = reason or _("Disabled by %(who)s.") % {"who": actor.email}
    subscription.save()
    logger.info("Webhook %s disabled by %s", subscription.pk, actor.pk)


def disable_reason(failures: int, delivery: WebhookDelivery) -> str:
    """The admin-visible reason of an automatic disable."""
    return _("Disabled automatically after %(count)d failed attempts in a row; last: %(error)s") % {
        "count": failures,
        "error": delivery.error or f"HTTP {delivery.status_code}",
    }


@transaction.atomic
def rotate_secret(subscription: WebhookSubscription, *, actor: User) -> str:
    """A new signing secret, effective for the next attempt; returns it (show it once)."""
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret", "updated_at"])
    logger.info("Webhook %s secret rotated by %s", subscription.pk, actor.pk)
    return subscription.secret


def send_test_delivery(subscription: WebhookSubscription, *, actor: User) -> WebhookDelivery:
    """Send a ``webhook.ping`` now (one attempt, logged, never retried or counted as a failure)
    and return the logged delivery with its response."""
    from .webhooks import attempt, encode

    payload: dict[str, Any] = {
        "version": 1,
        "event": PING,
        "event_id": None,
        "change": "ping",
        "occurred_at": timezone.now().isoformat(),
        "ticket": None,
        "article": None,
        "sla": None,
        "subscription": {"id": subscription.pk, "name": subscription.name},
    }
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event=PING, body=encode(payload)
    )
    payload["event_id"] = str(delivery.delivery_id)
    delivery.body = encode(payload)
    delivery.save(update_fields=["body"])
    logger.info("Webhook %s test delivery by %s", subscription.pk, actor.pk)
    attempt(delivery.pk)
    delivery.refresh_from_db()
    return delivery
