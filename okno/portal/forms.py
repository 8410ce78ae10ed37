"""Requester forms, in plain words: no ITIL vocabulary on the portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from okno.catalog.models import Service
from okno.desk.forms import MultipleFileField, OknoForm
from okno.tickets.models import TicketType

TYPE_CHOICES = (
    (TicketType.INCIDENT, _("Something is broken or not working")),
    (TicketType.SERVICE_REQUEST, _("I need something (access, equipment, software)")),
    (TicketType.QUESTION, _("I have a question")),
)
IMPACT_CHOICES = (
    (3, _("Just me")),
    (2, _("Several people or my team")),
    (1, _("Many people or the whole organization")),
)
URGENCY_CHOICES = (
    (3, _("It can wait a few days")),
    (2, _("It slows my work down")),
    (1, _("I cannot work at all")),
)


def portal_services() -> Any:
    return Service.objects.filter(is_active=True, requester_visible=True).order_by("order", "name")


class RequestForm(OknoForm):
    service = forms.ModelChoiceField(
        label=_("What is it about?"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("I am not sure"),
        # Choosing a service loads its guidance and extra questions (portal:service_fields).
        widget=forms.Select(
            attrs={
                "hx-get": reverse_lazy("portal:service_fields"),
                "hx-trigger": "change",
                "hx-target": "#service-fields",
                "hx-swap": "innerHTML",
                "aria-controls": "service-fields",
            }
        ),
    )
    type = forms.TypedChoiceField(
        label=_("What kind of request is it?"),
        choices=TYPE_CHOICES,
        initial=TicketType.INCIDENT,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(
        label=_("Summary"),
        max_length=250,
        help_text=_("One line, for example “Printer on floor 3 jams”."),
        # While typing, matching knowledge-base articles appear below (kb:suggest).
        widget=forms.TextInput(
            attrs={
                "hx-get": reverse_lazy("kb:suggest"),
                "hx-trigger": "keyup changed delay:300ms, search",
                "hx-target": "#kb-suggestions",
                "hx-swap": "innerHTML",
                "autocomplete": "off",
                "aria-controls": "kb-suggestions",
            }
        ),
    )
    description = forms.CharField(
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("What happened, what you expected, and any error message you saw."),
    )
    impact = forms.TypedChoiceField(
        label=_("How many people are affected?"),
        coerce=int,
        choices=IMPACT_CHOICES,
        initial=3,
        widget=forms.RadioSelect,
    )
    urgency = forms.TypedChoiceField(
        label=_("How urgent is it?"),
        coerce=int,
        choices=URGENCY_CHOICES,
        initial=2,
        widget=forms.RadioSelect,
    )
    attachments = MultipleFileField(
        label=_("Screenshots or files (optional)"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = portal_services()


class PortalReplyForm(OknoForm):
    body = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    attachments = MultipleFileField(label=_("Files (optional)"))


class ReopenRequestForm(OknoForm):
    reason = forms.CharField(
        label=_("What is still not working?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
