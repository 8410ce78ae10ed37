from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.desk.forms import OknoForm

from .actions import COMMENT_MAX

SCORE_CHOICES = (
    (5, _("5 — Excellent")),
    (4, _("4 — Good")),
    (3, _("3 — Okay")),
    (2, _("2 — Poor")),
    (1, _("1 — Very poor")),
)


class RatingForm(OknoForm):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your request?"),
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us? (optional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PeriodForm(OknoForm):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    group = forms.ChoiceField(
        label=_("Group by"),
        required=False,
        choices=(("agent", _("Agent")), ("team", _("Team")), ("service", _("Service"))),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or (end - timedelta(days=29))
        if start > end:
            self.add_error("start", _("The start must not be after the end."))
        elif (end - start).days > 366 * 3:
            self.add_error("start", _("Choose a period of at most three years."))
        data["start"], data["end"] = start, end
        data["group"] = data.get("group") or "agent"
        return data


def default_period() -> tuple[date, date]:
    today = timezone.localdate()
    return today - timedelta(days=29), today
