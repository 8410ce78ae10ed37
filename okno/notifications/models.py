"""In-app notifications, per-user delivery preferences, watchers (CC) and reminders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("A ticket is assigned to me")
    REPLIED = "replied", _("A reply on a ticket I am assigned to or watch")
    NOTED = "noted", _("An internal note on a ticket I watch")
    MENTIONED = "mentioned", _("I am mentioned in a note")
    SLA_WARNING = "sla_warning", _("SLA warning on my ticket")
    SLA_BREACHED = "sla_breached", _("SLA breach on my ticket")
    REMINDER = "reminder", _("My reminders")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("By email")


# Used when a person has not saved a choice for a (kind, channel) pair.
DEFAULT_EMAIL = {Kind.ASSIGNED, Kind.MENTIONED, Kind.SLA_BREACHED, Kind.REMINDER}


def default_enabled(kind: str, channel: str) -> bool:
    return channel == Channel.IN_APP or kind in DEFAULT_EMAIL


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.CharField(_("text"), max_length=500)
    # What caused it ("replied:<article>", "assigned:<event>"): a re-run job adds nothing twice.
    key = models.CharField(max_length=100, blank=True)
    # False when the person turned in-app notices of this kind off (kept for the email's sake).
    shown = models.BooleanField(_("shown in the app"), default=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "shown", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=~models.Q(key=""),
                name="one_notification_per_cause",
            )
        ]

    def __str__(self) -> str:
        return self.text


class Preference(models.Model):
    """A person's choice for one kind of notification on one channel (absent: the default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="one_preference_per_kind_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind}/{self.channel}={self.enabled}"


class Watcher(models.Model):
    """An agent following a ticket (CC): replies and notes on it notify them."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="watchers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watching"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("watcher")
        verbose_name_plural = _("watchers")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="one_watch_per_ticket_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} → #{self.ticket_id}"


class Reminder(models.Model):
    """ "Remind me tomorrow at 10:00" about a ticket; the periodic job fires due ones once."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    remind_at = models.DateTimeField(_("remind at"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    done = models.BooleanField(_("done"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["remind_at", "id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [models.Index(fields=["done", "remind_at"], name="reminder_due")]

    def __str__(self) -> str:
        return f"{self.user} #{self.ticket_id} @ {self.remind_at:%Y-%m-%d %H:%M}"
