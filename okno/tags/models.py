"""Ticket tags: a shared, case-insensitive vocabulary and the ticket↔tag links.

A tag's ``name`` is what people see; ``key`` (the case-folded name) is what makes two spellings
the same tag ("VPN" and "vpn") and what filters match on. Links live here, not on ``Ticket``, so
the tickets app stays unaware of tags; ``ticket.tag_links`` reaches them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 50
# Commas, semicolons and new lines separate tags in every input (forms, mail rules, filters).
SEPARATORS = re.compile(r"[,;\n]+")


def normalize_name(raw: str) -> str:
    """Trimmed, inner whitespace collapsed to one space, Unicode NFC (so "é" is one tag)."""
    return " ".join(unicodedata.normalize("NFC", str(raw or "")).split())


def tag_key(name: str) -> str:
    return normalize_name(name).casefold()


def validate_name(raw: str) -> str:
    """The normalized name, or a ValidationError (code ``empty`` / ``too_long`` / ``separator``)."""
    name = normalize_name(raw)
    if not name:
        raise ValidationError(gettext("A tag cannot be empty."), code="empty")
    if len(name) > MAX_LENGTH:
        raise ValidationError(
            gettext("“%(name)s…” is too long: a tag has at most %(max)d characters.")
            % {"name": name[:20], "max": MAX_LENGTH},
            code="too_long",
        )
    if SEPARATORS.search(name):
        raise ValidationError(
            gettext("A tag cannot contain a comma or a semicolon."), code="separator"
        )
    return name


def split_names(value: str | Iterable[str]) -> list[str]:
    """Names from "a, b; c" (or a list of such strings), normalized, first spelling kept once."""
    parts = SEPARATORS.split(value) if isinstance(value, str) else list(value)
    seen: dict[str, str] = {}
    for part in parts:
        name = normalize_name(part)
        if name:
            seen.setdefault(name.casefold(), name)
    return list(seen.values())


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=MAX_LENGTH)
    # Case folding may lengthen a name ("ß" -> "ss"), hence the wider column.
    key = models.CharField(_("key"), max_length=3 * MAX_LENGTH, unique=True, editable=False)
    color = models.CharField(
        _("color"),
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a color like #1f7a4d."))],
        help_text=_("Optional, e.g. #1f7a4d; chips are neutral without one."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        self.name = normalize_name(self.name)
        self.key = tag_key(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self) -> None:
        try:
            self.name = validate_name(self.name)
        except ValidationError as exc:
            raise ValidationError({"name": exc.messages}) from exc
        clash = Tag.objects.filter(key=tag_key(self.name)).exclude(pk=self.pk).first()
        if clash is not None:
            raise ValidationError(
                {
                    "name": gettext(
                        "The tag “%(name)s” exists already; merge the two tags instead."
                    )
                    % {"name": clash.name}
                }
            )


class TicketTag(models.Model):
    """One tag on one ticket. The unique (tag, ticket) index serves "tickets with tag X" (the
    queue filter: an index-only semi-join at any size); (ticket, tag) serves "tags of these 50
    rows" (the prefetch)."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="tag_links", db_index=False
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="ticket_links", db_index=False
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("ticket tag")
        verbose_name_plural = _("ticket tags")
        constraints = [
            models.UniqueConstraint(fields=["tag", "ticket"], name="tickettag_tag_ticket"),
        ]
        indexes = [models.Index(fields=["ticket", "tag"], name="tickettag_ticket_tag")]

    def __str__(self) -> str:
        return f"{self.tag_id} on #{self.ticket_id}"
