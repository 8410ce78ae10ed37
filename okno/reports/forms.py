"""The dashboard's period and filters, shared by the page, the CSV export and the API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.accounts.models import Team, User
from okno.catalog.models import Service
from okno.desk.forms import OknoForm

from .queries import MAX_DAYS, Scope, allowed_teams
from .rollup import local_day, reporting_zone

PERIODS = (
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("90", _("Last 90 days")),
    ("custom", _("Custom")),
)


def today() -> date:
    """Today in the reporting zone: the rollups' days are that zone's calendar days."""
    return local_day(timezone.now(), reporting_zone())


class DashboardForm(OknoForm):
    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    service = forms.TypedChoiceField(
        label=_("Service"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.allowed = allowed_teams(user)
        teams = Team.objects.order_by("name")
        if self.allowed is not None:
            teams = teams.filter(pk__in=self.allowed)
        everyone = _("All my teams") if self.allowed is not None else _("All teams")
        self.fields["team"].choices = [("", everyone), *teams.values_list("pk", "name")]
        services = Service.objects.order_by("name").values_list("pk", "name")
        self.fields["service"].choices = [("", _("All services")), *services]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period = data.get("period") or ("custom" if data.get("start") else "30")
        end = today()
        if period == "custom":
            end = data.get("end") or end
            start = data.get("start") or end - timedelta(days=29)
        else:
            start = end - timedelta(days=int(period) - 1)
        if start > end:
            self.add_error("start", _("The start must not be after the end."))
        elif (end - start).days >= MAX_DAYS:
            self.add_error("start", _("Choose a period of at most a year."))
        data.update(period=period, start=start, end=end)
        return data

    def scope(self) -> Scope:
        """The checked scope (call after ``is_valid()``); a team filter narrows the allowed
        teams and can never widen them (the choices only list allowed teams)."""
        data = self.cleaned_data
        teams = self.allowed
        if data.get("team") is not None:
            teams = [data["team"]]
        return Scope(start=data["start"], end=data["end"], teams=teams, service=data.get("service"))
