"""Outbound webhooks: who gets told about ticket changes, and the log of every attempt.

A :class:`WebhookSubscription` names a URL and the event types it wants; each ticket change
becomes one :class:`WebhookDelivery` row per matching subscription and attempt (attempts of one
message share a ``delivery_id``, the value of the ``X-Okno-Delivery`` header). The guide is
``docs/integrations/webhooks.md``; the sending lives in ``okno.automation.webhooks``.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    """The event types a subscription can ask for (the ``event`` field of every payload)."""

    TICKET_CREATED = "ticket.created", _("Ticket created")
    TICKET_UPDATED = "ticket.updated", _("Ticket changed (title, type, service, priority …)")
    TICKET_ASSIGNED = "ticket.assigned", _("Ticket assigned (team or agent)")
    TICKET_STATUS_CHANGED = "ticket.status_changed", _("Ticket status changed")
    TICKET_REPLIED = "ticket.replied", _("Public reply added")
    TICKET_NOTE_ADDED = "ticket.note_added", _("Internal note added")
    SLA_WARNING = "sla.warning", _("SLA target about to be missed")
    SLA_BREACHED = "sla.breached", _("SLA target missed")


PING = "webhook.ping"  # the test delivery sent from the admin; not subscribable


class WebhookSubscription(models.Model):
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500, help_text=_("http:// or https:// address"))
    event_types = models.JSONField(
        _("event types"), default=list, help_text=_("Which events are sent to this URL")
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        editable=False,
        help_text=_("Signs every delivery (X-Okno-Signature); shown in full once, when created"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    failure_count = models.PositiveIntegerField(
        _("consecutive failures"), default=0, editable=False
    )
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True, editable=False)
    disabled_reason = models.CharField(
        _("why disabled"), max_length=300, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_secret(self) -> str:
        return f"{self.secret[:10]}…" if self.secret else ""

    def wants(self, event_type: str) -> bool:
        return self.enabled and event_type in (self.event_types or [])


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Failed, no more retries")
    CANCELLED = "cancelled", _("Cancelled (subscription disabled or removed)")


class WebhookDelivery(models.Model):
    """One attempt to deliver one message to one subscription."""

    subscription = models.ForeignKey(
        WebhookSubscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, db_index=True)
    event = models.CharField(_("event"), max_length=40)
    ticket_id = models.PositiveIntegerField(_("ticket"), null=True, blank=True)
    body = models.TextField(_("payload"), help_text=_("The exact JSON body that is signed"))
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    status_code = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_excerpt = models.TextField(_("response (start)"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    next_retry_at = models.DateTimeField(_("next retry"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True, db_index=True)
    # When a worker claimed it (state "sending"): the stuck-delivery sweep measures from here.
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["delivery_id", "attempt"], name="webhook_delivery_attempt_once"
            )
        ]
        indexes = [models.Index(fields=["subscription", "-id"], name="webhook_delivery_log")]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription} (#{self.attempt})"
