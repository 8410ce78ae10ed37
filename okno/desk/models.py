"""Desk data: saved queue views and macros (canned responses).

A saved view stores TicketFilter query parameters (never SQL), so it can only narrow the
viewer's permission-scoped tickets. A macro's text is substituted with a small whitelist of
variables by ``desk.macros`` — never by the template engine.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Columns a saved view may show (the number and title are always shown).
COLUMN_CHOICES = {
    "requester": _("Requester"),
    "status": _("Status"),
    "team": _("Team"),
    "assignee": _("Assignee"),
    "priority": _("Priority"),
    "service": _("Service"),
    "updated": _("Updated"),
    "created": _("Created"),
}
DEFAULT_COLUMNS = ["requester", "status", "team", "assignee", "updated"]


def default_columns() -> list[str]:
    return list(DEFAULT_COLUMNS)


class SavedView(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=80)
    shared = models.BooleanField(
        _("shared with all agents"), default=False, help_text=_("Only the owner may change it.")
    )
    params = models.CharField(
        _("filters"), max_length=1000, blank=True, help_text=_("Queue filter parameters.")
    )
    columns = models.JSONField(_("columns"), default=default_columns, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        indexes = [models.Index(fields=["shared"], name="savedview_shared")]

    def __str__(self) -> str:
        return self.name


class Macro(models.Model):
    """A canned response. Variants of one macro share a name and differ by language."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="macros",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=80)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=_("Empty: used when no variant matches the requester's language."),
    )
    body = models.TextField(
        _("text"),
        help_text=_(
            "Variables: {{ requester.first_name }}, {{ requester.name }}, {{ ticket.number }}, "
            "{{ ticket.title }}, {{ agent.first_name }}, {{ agent.name }}."
        ),
    )
    shared = models.BooleanField(_("shared with all agents"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "language", "id"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name", "language"], name="macro_unique_variant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})" if self.language else self.name
