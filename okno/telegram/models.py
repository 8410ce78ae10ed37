"""Telegram bots, the private chats they serve, and logs that make both directions idempotent."""

from __future__ import annotations

import os
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_API_BASE = "https://api.telegram.org"


def new_webhook_secret() -> str:
    """Telegram allows 1–256 characters of A–Z, a–z, 0–9, ``_`` and ``-``: token_urlsafe fits."""
    return secrets.token_urlsafe(32)


class Bot(models.Model):
    """A Telegram bot. Its token comes from an environment variable (preferred) or the database;
    it is never shown back in the admin."""

    name = models.CharField(_("name"), max_length=100)
    token_env = models.CharField(
        _("token environment variable"),
        max_length=100,
        blank=True,
        help_text=_("Name of the environment variable holding the bot token, e.g. OKNO_TG_TOKEN."),
    )
    token = models.CharField(_("token"), max_length=200, blank=True)
    webhook_secret = models.CharField(
        _("webhook secret"), max_length=256, default=new_webhook_secret, editable=False
    )
    api_base_url = models.URLField(
        _("Bot API base URL"),
        default=DEFAULT_API_BASE,
        help_text=_("Change only for a self-hosted Bot API server."),
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="telegram_bots",
        help_text=_("Requests from this bot are filed under this service."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Telegram bot")
        verbose_name_plural = _("Telegram bots")

    def __str__(self) -> str:
        return self.name

    def get_token(self) -> str:
        if self.token_env:
            return os.environ.get(self.token_env, "").strip()
        return self.token.strip()

    @property
    def has_token(self) -> bool:
        return bool(self.get_token())


class Chat(models.Model):
    """A private chat with one Telegram user, who is a requester in Okno.

    ``ticket`` is the open conversation new messages are added to; ``/new`` clears it.
    """

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="chats")
    chat_id = models.BigIntegerField(_("chat id"))
    telegram_user_id = models.BigIntegerField(_("Telegram user id"))
    username = models.CharField(_("Telegram username"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("requester"),
        on_delete=models.CASCADE,
        related_name="telegram_chats",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("open conversation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("Telegram chat")
        verbose_name_plural = _("Telegram chats")
        constraints = [
            models.UniqueConstraint(fields=["bot", "chat_id"], name="telegram_unique_chat")
        ]

    def __str__(self) -> str:
        return f"@{self.username}" if self.username else str(self.chat_id)


class InboundUpdate(models.Model):
    """Every update the webhook accepted, once: a repeated ``update_id`` is not processed again."""

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="updates")
    update_id = models.BigIntegerField(_("update id"))
    kind = models.CharField(_("kind"), max_length=20)
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    chat = models.ForeignKey(
        Chat, null=True, blank=True, on_delete=models.SET_NULL, related_name="updates"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("Telegram update")
        verbose_name_plural = _("Telegram updates")
        constraints = [
            models.UniqueConstraint(fields=["bot", "update_id"], name="telegram_unique_update")
        ]

    def __str__(self) -> str:
        return f"{self.bot} #{self.update_id} {self.outcome}"


class OutboundMessage(models.Model):
    """One message (text or file) for a chat, keyed so a retried job never sends it twice."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="outbound")
    key = models.CharField(max_length=120)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    article = models.ForeignKey(
        "tickets.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attachment = models.ForeignKey(
        "tickets.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    telegram_message_id = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Telegram outbound message")
        verbose_name_plural = _("Telegram outbound messages")
        constraints = [
            models.UniqueConstraint(fields=["chat", "key"], name="telegram_unique_outbound")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.chat} ({self.state})"
