"""Email channel data: mailboxes to poll, every inbound message kept raw, routing rules, and
outbound mail as rows (each notification is built once, sent at most once, and visible)."""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Mailbox(models.Model):
    """A support address Okno reads from. The secret itself is never stored in the database:
    ``secret_env`` names an environment variable (or ``file:/path``) that holds the password or
    the OAuth2 access token, so it never appears in the admin, in dumps or in backups."""

    class Protocol(models.TextChoices):
        IMAP = "imap", "IMAP"
        POP3 = "pop3", "POP3"

    class Security(models.TextChoices):
        TLS = "tls", _("TLS (implicit, ports 993/995)")
        STARTTLS = "starttls", _("STARTTLS (ports 143/110)")
        PLAIN = "plain", _("No encryption (testing only)")

    class Auth(models.TextChoices):
        PASSWORD = "password", _("Password")
        XOAUTH2 = "xoauth2", _("OAuth2 access token (XOAUTH2)")

    class UnknownSender(models.TextChoices):
        REPLY = "reply", _("Add as a public reply")
        NOTE = "note", _("Add as an internal note")
        NEW_TICKET = "new_ticket", _("Open a new ticket")

    name = models.CharField(_("name"), max_length=100, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    protocol = models.CharField(
        _("protocol"), max_length=4, choices=Protocol.choices, default=Protocol.IMAP
    )
    host = models.CharField(_("server"), max_length=255)
    port = models.PositiveIntegerField(
        _("port"), null=True, blank=True, help_text=_("Empty: the protocol's default port.")
    )
    security = models.CharField(
        _("security"), max_length=8, choices=Security.choices, default=Security.TLS
    )
    username = models.CharField(_("user name"), max_length=255)
    auth = models.CharField(
        _("authentication"), max_length=8, choices=Auth.choices, default=Auth.PASSWORD
    )
    secret_env = models.CharField(
        _("secret from"),
        max_length=255,
        help_text=_(
            "Name of the environment variable holding the password or OAuth2 token "
            "(e.g. OKNO_MAIL_SUPPORT_PASSWORD), or file:/path/to/secret. The secret itself "
            "is never stored in the database."
        ),
    )
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    processed_folder = models.CharField(
        _("move processed mail to"),
        max_length=255,
        blank=True,
        help_text=_("IMAP only. Empty: mark processed messages as read and leave them."),
    )
    delete_after_fetch = models.BooleanField(
        _("delete after processing (POP3)"),
        default=False,
        help_text=_("POP3 only. Otherwise processed messages stay and are skipped by UID."),
    )
    address = models.EmailField(
        _("support address"),
        blank=True,
        help_text=_("The address people write to; mail from it is ignored (loop protection)."),
    )
    poll_interval = models.PositiveIntegerField(_("poll every (seconds)"), default=60)
    batch_size = models.PositiveIntegerField(_("messages per poll"), default=200)
    thread_by_subject_days = models.PositiveIntegerField(
        _("thread by subject within (days)"),
        default=7,
        help_text=_(
            "A message without references joins the sender's ticket with the same subject "
            "opened within this many days. 0 turns this off."
        ),
    )
    unknown_sender = models.CharField(
        _("reply from an unknown sender"),
        max_length=10,
        choices=UnknownSender.choices,
        default=UnknownSender.NOTE,
        help_text=_("What to do when someone other than the requester or an agent replies."),
    )
    ack_limit_per_hour = models.PositiveIntegerField(
        _("acknowledgements per sender per hour"), default=5
    )
    next_poll_at = models.DateTimeField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    lease_owner = models.CharField(max_length=100, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.name

    @property
    def effective_port(self) -> int:
        if self.port:
            return self.port
        tls = self.security == self.Security.TLS
        if self.protocol == self.Protocol.POP3:
            return 995 if tls else 110
        return 993 if tls else 143

    def read_secret(self) -> str:
        """The password or token, read at use time (so rotating it needs no restart)."""
        ref = self.secret_env.strip()
        if ref.startswith("file:"):
            try:
                return Path(ref[5:]).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ValidationError(_("Cannot read the secret file: %s") % exc) from exc
        value = os.environ.get(ref)
        if value is None:
            raise ValidationError(
                _("The environment variable %(name)s is not set.") % {"name": ref}
            )
        return value

    def clean(self) -> None:
        ref = self.secret_env.strip()
        if not ref:
            raise ValidationError({"secret_env": _("Name where the secret comes from.")})
        if not ref.startswith("file:") and not ref.replace("_", "").isalnum():
            raise ValidationError(
                {
                    "secret_env": _(
                        "Enter an environment variable name (letters, digits, _) or "
                        "file:/path — not the secret itself."
                    )
                }
            )


class InboundMessage(models.Model):
    """Every message as received, stored before anything else happens to it."""

    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        QUARANTINED = "quarantined", _("Quarantined")
        IGNORED = "ignored", _("Ignored")

    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("mailbox"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    source = models.CharField(_("source"), max_length=10)  # imap, pop3, smtp, import
    uid = models.CharField(_("server UID"), max_length=100, blank=True)
    dedupe_key = models.CharField(max_length=70, unique=True)
    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True, db_index=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    raw = models.BinaryField(_("raw message"))
    size = models.PositiveIntegerField(_("size"))
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    state = models.CharField(
        _("state"), max_length=11, choices=State.choices, default=State.RECEIVED
    )
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    article = models.ForeignKey(
        "tickets.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    # Set when retention (okno.mail.retention) dropped the raw bytes; the row and metadata stay.
    raw_pruned_at = models.DateTimeField(_("raw message removed"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        indexes = [
            models.Index(fields=["mailbox", "uid"], name="inbound_mailbox_uid"),
            models.Index(fields=["state", "-received_at"], name="inbound_state"),
            # retention's queue: rows that still hold their raw bytes, oldest processed first
            models.Index(
                fields=["processed_at", "id"],
                condition=models.Q(raw_pruned_at__isnull=True),
                name="inbound_raw_kept",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"[:120]


class RoutingRule(models.Model):
    """First matching rule (by order) classifies a new ticket from email.

    Each filled-in condition must match; within one condition any of the listed words or
    addresses is enough. Lists are separated by commas or new lines.
    """

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(_("order"), default=100)
    enabled = models.BooleanField(_("enabled"), default=True)
    subject_keywords = models.TextField(_("subject contains any of"), blank=True)
    body_keywords = models.TextField(_("subject or body contains any of"), blank=True)
    senders = models.TextField(
        _("sender is any of"), blank=True, help_text=_("Addresses or domains, e.g. @acme.test")
    )
    recipients = models.TextField(
        _("sent to any of"), blank=True, help_text=_("To or Cc addresses, e.g. it@okno.test")
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    ticket_type = models.CharField(_("type"), max_length=20, blank=True)
    impact = models.PositiveSmallIntegerField(_("impact"), null=True, blank=True)
    urgency = models.PositiveSmallIntegerField(_("urgency"), null=True, blank=True)
    tags = models.CharField(_("tags"), max_length=200, blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from okno.tickets.models import TicketType

        errors = {}
        if self.ticket_type and self.ticket_type not in TicketType.values:
            errors["ticket_type"] = _("Unknown ticket type.")
        for field in ("impact", "urgency"):
            if getattr(self, field) not in (None, 1, 2, 3):
                errors[field] = _("Choose 1 (high), 2 (medium) or 3 (low).")
        if not any((self.subject_keywords, self.body_keywords, self.senders, self.recipients)):
            errors["subject_keywords"] = _("Give at least one condition.")
        if errors:
            raise ValidationError(errors)


class OutboundEmail(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="outbound_emails"
    )
    article = models.ForeignKey(
        "tickets.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    key = models.CharField(
        max_length=120, unique=True, help_text=_("Identifies the notification: no duplicates.")
    )
    template = models.CharField(max_length=60)
    to = models.CharField(_("to"), max_length=500, db_index=True)
    subject = models.CharField(_("subject"), max_length=500)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)  # empty: a text-only message (older rows, SLA)
    message_id = models.CharField(max_length=250, db_index=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")

    def __str__(self) -> str:
        return f"{self.template} → {self.to}"
