"""Embeddable "Contact support" widgets: which site may use which widget, and abuse limits."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_public_id() -> str:
    """Public, unguessable enough to stop enumeration; not a secret (it sits in page HTML)."""
    return secrets.token_urlsafe(12)


def normalize_origin(value: str) -> str:
    """``https://Example.com/`` → ``https://example.com``: the form browsers send in ``Origin``."""
    value = value.strip().rstrip("/")
    scheme, sep, rest = value.partition("://")
    if not sep or not rest or "/" in rest or scheme.lower() not in {"http", "https"}:
        raise ValidationError(
            _("“%(origin)s” is not an origin like https://www.example.com"),
            params={"origin": value},
        )
    return f"{scheme.lower()}://{rest.lower()}"


def validate_origins(value: str) -> None:
    for line in value.splitlines():
        if line.strip():
            normalize_origin(line)


class Widget(models.Model):
    """One embeddable form. Sites embed it by ``public_id``; only listed origins may post."""

    name = models.CharField(_("name"), max_length=100)
    public_id = models.CharField(
        _("public id"), max_length=32, unique=True, default=new_public_id, editable=False
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="widgets",
        help_text=_("Requests from this widget are filed under this service."),
    )
    allowed_origins = models.TextField(
        _("allowed origins"),
        blank=True,
        validators=[validate_origins],
        help_text=_(
            "One per line, e.g. https://www.example.com — only pages on these sites may send "
            "requests through the widget."
        ),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    honeypot_field = models.SlugField(
        _("honeypot field name"),
        max_length=40,
        default="website",
        help_text=_("A hidden field people never fill in; submissions that fill it are spam."),
    )
    rate_limit = models.PositiveIntegerField(
        _("requests per address per hour"),
        default=5,
        help_text=_("How many requests one IP address may send per hour; 0 turns the limit off."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("web widget")
        verbose_name_plural = _("web widgets")

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> set[str]:
        found = set()
        for line in self.allowed_origins.splitlines():
            if line.strip():
                try:
                    found.add(normalize_origin(line))
                except ValidationError:
                    continue
        return found

    def allows_origin(self, origin: str | None) -> bool:
        if not origin:
            return False
        try:
            return normalize_origin(origin) in self.origins
        except ValidationError:
            return False


class Submission(models.Model):
    """Each accepted or spam-flagged post: the rate limit counts these, admins audit them.

    The address is kept only as a keyed hash: enough to count, not to identify anyone.
    """

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        SPAM = "spam", _("Rejected as spam")

    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="submissions")
    client_key = models.CharField(_("client (hashed address)"), max_length=64)
    origin = models.CharField(_("origin"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("widget submission")
        verbose_name_plural = _("widget submissions")
        indexes = [
            models.Index(fields=["widget", "client_key", "created_at"], name="widget_rate_window")
        ]

    def __str__(self) -> str:
        return f"{self.widget} {self.outcome} {self.created_at:%Y-%m-%d %H:%M}"
