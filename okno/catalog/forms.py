"""A service's request form, turned into a Django form at request time.

Admins define the questions (``RequestForm`` / ``FormField``) without code; the portal and the
desk show them with the fixed fields and validate them the same way as any Django form.
Answers are stored in ``Ticket.custom_fields`` under each field's key as JSON values (text,
number, ISO date, choice, list of choices, a person's email); file answers become the ticket's
attachments and their names are kept in ``custom_fields``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from okno.accounts.models import User
from okno.tickets.attachments import NewAttachment

from .models import FieldKind, FormField, RequestForm, Service

PREFIX = "cf"
TEXT_MAX = 2000


def active_form(service: Service | None) -> RequestForm | None:
    """The service's active request form with its fields prefetched, or ``None``."""
    if service is None:
        return None
    return (
        RequestForm.objects.filter(service=service, is_active=True)
        .prefetch_related("fields")
        .first()
    )


def people_for(actor: Any) -> Any:
    """Whom a ``user`` question may name: agents pick anyone active; a requester picks people
    of their own organization (never the whole directory), or only themselves."""
    people = User.objects.filter(is_active=True).order_by("full_name", "email")
    if actor is not None and getattr(actor, "is_agent", False):
        return people
    if actor is not None and actor.organization_id is not None:
        return people.filter(organization_id=actor.organization_id)
    return people.filter(pk=getattr(actor, "pk", None))


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} <{obj.email}>" if obj.full_name else obj.email


def build_field(field: FormField, *, actor: Any) -> forms.Field:
    common: dict[str, Any] = {
        "label": field.label,
        "required": field.required,
        "help_text": field.help_text,
    }
    if field.kind == FieldKind.NUMBER:
        return forms.DecimalField(max_digits=18, decimal_places=6, **common)
    if field.kind == FieldKind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if field.kind == FieldKind.CHOICE:
        choices = [(c, c) for c in field.choice_list()]
        if not field.required:
            choices = [("", "—"), *choices]
        return forms.ChoiceField(choices=choices, **common)
    if field.kind == FieldKind.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(c, c) for c in field.choice_list()],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    if field.kind == FieldKind.USER:
        return PersonChoiceField(
            queryset=people_for(actor), empty_label=_("Choose a person"), **common
        )
    if field.kind == FieldKind.FILE:
        return forms.FileField(**common)
    return forms.CharField(max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}), **common)


def _json_value(field: FormField, value: Any) -> Any:
    if value in (None, "", []):
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, User):
        return value.email
    if isinstance(value, str):
        return value.strip() or None
    return value


@dataclass
class Answers:
    custom_fields: dict[str, Any]
    files: list[NewAttachment]


class CustomFieldsForm(forms.Form):
    """The extra questions of one service's request form (inputs named ``cf-<key>``)."""

    def __init__(
        self, definition: RequestForm | None, *args: Any, actor: Any = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", PREFIX)
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.definition_fields: list[FormField] = (
            list(definition.fields.all()) if definition is not None else []
        )
        for field in self.definition_fields:
            self.fields[field.key] = build_field(field, actor=actor)

    @property
    def guidance(self) -> str:
        return self.definition.guidance if self.definition is not None else ""

    @property
    def has_files(self) -> bool:
        return any(f.kind == FieldKind.FILE for f in self.definition_fields)

    def answers(self) -> Answers:
        """The cleaned answers as JSON-ready ``custom_fields`` and the files to attach."""
        values: dict[str, Any] = {}
        files: list[NewAttachment] = []
        for field in self.definition_fields:
            value = self.cleaned_data.get(field.key)
            if field.kind == FieldKind.FILE:
                if value:
                    files.append(NewAttachment(filename=value.name, content=value.read()))
                    values[field.key] = value.name
                continue
            cleaned = _json_value(field, value)
            if cleaned is not None:
                values[field.key] = cleaned
        return Answers(custom_fields=values, files=files)


def answer_rows(ticket: Any) -> list[tuple[str, str]]:
    """(question, answer) pairs for display, in the form's order; unknown keys last."""
    stored = ticket.custom_fields or {}
    if not stored:
        return []
    labels: dict[str, str] = {}
    if ticket.service_id is not None:
        labels = dict(
            FormField.objects.filter(form__service_id=ticket.service_id)
            .order_by("order", "pk")
            .values_list("key", "label")
        )
    rows = [(labels[key], _display(stored[key])) for key in labels if key in stored]
    rows += [(key, _display(value)) for key, value in stored.items() if key not in labels]
    return rows


def _display(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)
