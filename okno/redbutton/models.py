"""Red Button devices (a workstation with the client installed) and every press of the button.

A device authenticates with its own token (only the hash is stored, the raw value is shown
once). Every press is recorded, including the refused ones, because the statistics of who
presses how often is the answer to "which users need training".
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from okno.accounts.models import hash_token


class Device(models.Model):
    """A machine allowed to file Red Button reports on behalf of its owner."""

    PREFIX = "okrb_"

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="redbutton_devices",
        verbose_name=_("owner"),
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="redbutton_devices",
        verbose_name=_("organization"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registered by"),
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("Red Button device")
        verbose_name_plural = _("Red Button devices")

    def __str__(self) -> str:
        return f"{self.name} ({self.token_hint}…)"

    @classmethod
    def new_token(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    def set_token(self, raw: str) -> None:
        self.token_hash = hash_token(raw)
        self.token_hint = raw[:10]


class Press(models.Model):
    """One press of the button: what became of it (new ticket, added to the open one, refused)."""

    device = models.ForeignKey(
        Device,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="presses",
        verbose_name=_("device"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="redbutton_presses",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organization"),
        help_text=_("The user's organization at the time of the press."),
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="redbutton_presses",
        verbose_name=_("ticket"),
    )
    attachment = models.ForeignKey(
        "tickets.Attachment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("diagnostics"),
    )
    created_at = models.DateTimeField(_("pressed at"), auto_now_add=True, db_index=True)
    merged_into_open_ticket = models.BooleanField(_("added to an open ticket"), default=False)
    throttled = models.BooleanField(_("refused by the rate limit"), default=False)
    report_id = models.CharField(
        _("report id"),
        max_length=64,
        blank=True,
        help_text=_("Chosen by the client; a report sent twice files one ticket."),
    )
    hostname = models.CharField(_("host name"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Red Button press")
        verbose_name_plural = _("Red Button presses")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "report_id"],
                condition=~Q(report_id=""),
                name="redbutton_press_unique_report",
            )
        ]
        indexes = [
            models.Index(fields=["device", "created_at"], name="redbutton_press_device"),
            models.Index(fields=["user", "created_at"], name="redbutton_press_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.created_at:%Y-%m-%d %H:%M}"
