from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from okno.desk.forms import OknoForm
from okno.desk.reference import MemoChoiceField

from .actions import NOTE_MAX
from .models import Channel, Kind

PRESETS = (
    ("in_1h", _("In 1 hour")),
    ("in_3h", _("In 3 hours")),
    ("tomorrow_10", _("Tomorrow at 10:00")),
    ("monday_10", _("Next Monday at 10:00")),
    ("custom", _("At a time I choose")),
)


def _at(day: date, hour: int) -> datetime:
    """``hour``:00 on ``day`` in the current (viewer's) time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_current_timezone())


def preset_time(preset: str, now: datetime | None = None) -> datetime | None:
    local = timezone.localtime(now or timezone.now())
    if preset == "in_1h":
        return local + timedelta(hours=1)
    if preset == "in_3h":
        return local + timedelta(hours=3)
    if preset == "tomorrow_10":
        return _at(local.date() + timedelta(days=1), 10)
    if preset == "monday_10":
        days = 7 - local.weekday()  # Monday: weekday 0 → a week later
        return _at(local.date() + timedelta(days=days), 10)
    return None


class ReminderForm(OknoForm):
    preset = forms.ChoiceField(label=_("Remind me"), choices=PRESETS, initial="tomorrow_10")
    remind_at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text=_("For “At a time I choose”, in your time zone."),
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=NOTE_MAX)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        preset = data.get("preset")
        if preset == "custom":
            if not data.get("remind_at"):
                self.add_error("remind_at", _("Choose the date and time."))
        elif preset:
            data["remind_at"] = preset_time(preset)
        return data


class WatcherForm(OknoForm):
    user = MemoChoiceField(
        label=_("Add a watcher"),
        queryset=None,
        required=False,
        empty_label=_("Choose a colleague"),
    )

    def __init__(self, *args: Any, people: Any, rows: Any = None, **kwargs: Any) -> None:
        """``people`` validates the choice; ``rows``, when given, lists the same people
        for the select without a query (``okno.desk.reference``)."""
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].rows = rows


def preference_field_name(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


class PreferencesForm(OknoForm):
    """One checkbox per kind of notification and channel."""

    def __init__(self, *args: Any, current: dict[tuple[str, str], bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in Kind.choices:
            for channel, channel_label in Channel.choices:
                name = preference_field_name(kind, channel)
                self.fields[name] = forms.BooleanField(
                    label=f"{label}: {channel_label}",
                    required=False,
                    initial=current[(kind, channel)],
                )

    def table(self) -> list[tuple[str, list[Any]]]:
        return [
            (
                label,
                [self[preference_field_name(kind, channel)] for channel, _c in Channel.choices],
            )
            for kind, label in Kind.choices
        ]

    def choices(self) -> dict[tuple[str, str], bool]:
        return {
            (kind, channel): bool(self.cleaned_data.get(preference_field_name(kind, channel)))
            for kind in Kind.values
            for channel in Channel.values
        }
