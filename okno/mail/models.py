"""Outbound mail as rows: each notification is built once, sent at most once, and visible."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="outbound_emails"
    )
    key = models.CharField(
        max_length=120, unique=True, help_text=_("Identifies the notification: no duplicates.")
    )
    template = models.CharField(max_length=60)
    to = models.CharField(_("to"), max_length=500)
    subject = models.CharField(_("subject"), max_length=500)
    body_text = models.TextField()
    message_id = models.CharField(max_length=250)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")

    def __str__(self) -> str:
        return f"{self.template} → {self.to}"
