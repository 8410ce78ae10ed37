"""The service catalog: what IT offers, and the categories requests are filed under."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Service(models.Model):
    """A catalog entry (ITIL service): who owns it and whether requesters can pick it."""

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    owner_team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("owner team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    calendar = models.ForeignKey(
        "sla.Calendar",
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    catalog_category = models.ForeignKey(
        "catalog.ServiceCategory",
        verbose_name=_("catalog category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    requester_visible = models.BooleanField(_("offered in the portal"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A classification under a service (or global), e.g. "Printing / Paper jam"."""

    name = models.CharField(_("name"), max_length=150)
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="categories",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "parent", "name"], name="unique_category_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.parent} / {self.name}" if self.parent_id else self.name


class ServiceCategory(models.Model):
    """A heading of the portal's catalog ("Hardware", "Access"), grouping services."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("catalog category")
        verbose_name_plural = _("catalog categories")

    def __str__(self) -> str:
        return self.name


class RequestForm(models.Model):
    """A service's request form: guidance for the requester and extra fields, defined in the admin."""

    service = models.OneToOneField(
        Service,
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="request_form",
    )
    guidance = models.TextField(
        _("guidance"),
        blank=True,
        help_text=_("What to include so we can help fast; shown beside the form."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("request form")
        verbose_name_plural = _("request forms")

    def __str__(self) -> str:
        return str(self.service)


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    USER = "user", _("Person")
    FILE = "file", _("File")


CHOICE_KINDS = (FieldKind.CHOICE, FieldKind.MULTI_CHOICE)


class FormField(models.Model):
    """One question of a request form; answers are stored in ``Ticket.custom_fields[key]``."""

    form = models.ForeignKey(
        RequestForm, verbose_name=_("form"), on_delete=models.CASCADE, related_name="fields"
    )
    key = models.SlugField(
        _("key"),
        max_length=40,
        help_text=_("Stable name of the answer in the ticket's custom fields and the API."),
    )
    label = models.CharField(_("question"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=12, choices=FieldKind.choices, default=FieldKind.TEXT
    )
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For choice fields: one option per line.")
    )
    order = models.PositiveIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="unique_form_field_key")
        ]

    def __str__(self) -> str:
        return self.label

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind in CHOICE_KINDS and len(self.choice_list()) < 1:
            raise ValidationError({"choices": _("List at least one option, one per line.")})
        if self.kind not in CHOICE_KINDS and self.choices.strip():
            raise ValidationError({"choices": _("Only choice fields have options.")})
