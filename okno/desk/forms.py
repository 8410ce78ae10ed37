"""Forms of the agent desk. They validate input; every change goes through ``tickets.actions``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from okno.accounts.models import Team, User
from okno.catalog.models import Service
from okno.priority.models import Level
from okno.tickets.attachments import NewAttachment
from okno.tickets.models import Status, Ticket, TicketType

from . import reference
from .reference import AGENT_ROLES, MemoChoiceField, active_services, agent_users

__all__ = ["AGENT_ROLES", "active_services", "agent_users"]  # re-exported for the views


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked like a single FileField (empty files fail)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class OknoForm(forms.Form):
    """Labels without a trailing colon: the layout sets labels apart already."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def as_new_attachments(files: Sequence[Any]) -> list[NewAttachment]:
    return [NewAttachment(filename=f.name, content=f.read()) for f in files]


def apply_action_errors(
    form: forms.Form, exc: ValidationError, aliases: dict[str, str] | None = None
) -> None:
    """Show an action's ValidationError on the form fields it names, the rest on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = (aliases or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def level_choices() -> list[tuple[int, str]]:
    return [(value, f"{value} – {label}") for value, label in Level.choices]


class TicketHeaderForm(OknoForm):
    """The editable header: classification, routing, status and priority in one save."""

    title = forms.CharField(label=_("Title"), max_length=250)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    service = MemoChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("No service"),
        rows=reference.services,
    )
    status = MemoChoiceField(
        label=_("Status"), queryset=Status.objects.none(), rows=reference.selectable_status_list
    )
    team = MemoChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("No team"),
        rows=reference.teams,
    )
    assignee = MemoChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Unassigned"),
        rows=reference.agents,
    )
    impact = forms.TypedChoiceField(label=_("Impact"), coerce=int, choices=())
    urgency = forms.TypedChoiceField(label=_("Urgency"), coerce=int, choices=())
    priority = forms.TypedChoiceField(
        label=_("Priority override"), coerce=int, empty_value=None, required=False, choices=()
    )
    reason = forms.CharField(label=_("Reason for the override"), max_length=500, required=False)

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": ticket.title,
                "type": ticket.type,
                "service": ticket.service_id,
                "status": ticket.status_id,
                "team": ticket.team_id,
                "assignee": ticket.assignee_id,
                "impact": ticket.impact,
                "urgency": ticket.urgency,
                "priority": ticket.priority if ticket.priority_overridden else None,
            },
        )
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.fields["service"].queryset = active_services()
        self.fields["status"].queryset = reference.selectable_statuses()
        self.fields["team"].queryset = reference.active_teams()
        self.fields["assignee"].queryset = agent_users()
        self.fields["impact"].choices = level_choices()
        self.fields["urgency"].choices = level_choices()
        self.fields["priority"].choices = [("", _("From the matrix"))] + [
            (p.level, f"P{p.level} – {p.label}") for p in reference.priorities()
        ]

    def changes(self) -> dict[str, bool]:
        """Which groups of fields differ from the ticket (each group is one action)."""
        data, t = self.cleaned_data, self.ticket
        service_id = data["service"].pk if data["service"] else None
        team_id = data["team"].pk if data["team"] else None
        assignee_id = data["assignee"].pk if data["assignee"] else None
        current_override = t.priority if t.priority_overridden else None
        return {
            "details": (data["title"].strip(), data["type"], service_id)
            != (t.title, t.type, t.service_id),
            "routing": (team_id, assignee_id) != (t.team_id, t.assignee_id),
            "status": data["status"].pk != t.status_id,
            "priority": (data["impact"], data["urgency"], data["priority"])
            != (t.impact, t.urgency, current_override),
        }


class ReplyForm(OknoForm):
    """The reply box: a public reply or an internal note, files, time and an optional status."""

    KIND_CHOICES = (("reply", _("Reply")), ("note", _("Internal note")))

    kind = forms.ChoiceField(
        label=_("Kind"), choices=KIND_CHOICES, initial="reply", widget=forms.RadioSelect
    )
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    attachments = MultipleFileField(label=_("Files"))
    minutes = forms.IntegerField(
        label=_("Minutes spent"), min_value=1, max_value=100000, required=False
    )
    status = MemoChoiceField(
        label=_("And set status"),
        queryset=Status.objects.none(),
        required=False,
        empty_label=_("Keep status"),
        rows=reference.selectable_status_list,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].queryset = reference.selectable_statuses()


class TicketNumberField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = value.strip().lstrip("#")
        return super().to_python(value)


class MergeForm(OknoForm):
    target = TicketNumberField(label=_("Merge into ticket number"))


LINK_KINDS = (
    ("related", _("Related to")),
    ("duplicate", _("Duplicate of")),
    ("child", _("Child of")),
    ("parent", _("Parent of")),
)


class LinkForm(OknoForm):
    kind = forms.ChoiceField(label=_("Relation"), choices=LINK_KINDS)
    other = TicketNumberField(label=_("Ticket number"))


class UnlinkForm(OknoForm):
    kind = forms.ChoiceField(choices=LINK_KINDS)
    other = TicketNumberField()


class ReopenForm(OknoForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class NewTicketForm(OknoForm):
    """An agent registers a request on behalf of someone (phone call, walk-in)."""

    requester_email = forms.EmailField(
        label=_("Requester email"),
        help_text=_("Someone new is registered as a requester from this address."),
    )
    requester_name = forms.CharField(
        label=_("Requester name (for someone new)"), max_length=200, required=False
    )
    title = forms.CharField(label=_("Title"), max_length=250)
    service = MemoChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("No service"),
        rows=reference.services,
    )
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    impact = forms.TypedChoiceField(label=_("Impact"), coerce=int, choices=(), initial=2)
    urgency = forms.TypedChoiceField(label=_("Urgency"), coerce=int, choices=(), initial=2)
    team = MemoChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("From the service"),
        rows=reference.teams,
    )
    assignee = MemoChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Unassigned"),
        rows=reference.agents,
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 8}))
    attachments = MultipleFileField(label=_("Files"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = active_services()
        self.fields["team"].queryset = reference.active_teams()
        self.fields["assignee"].queryset = agent_users()
        self.fields["impact"].choices = level_choices()
        self.fields["urgency"].choices = level_choices()


class SaveViewForm(OknoForm):
    name = forms.CharField(label=_("View name"), max_length=80)
    shared = forms.BooleanField(label=_("Share with all agents"), required=False)
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    params = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import COLUMN_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = list(COLUMN_CHOICES.items())


class BulkForm(OknoForm):
    """One operation on the checked queue rows."""

    OPERATIONS = (
        ("assign", _("Assign to")),
        ("status", _("Set status")),
        ("priority", _("Set priority")),
        ("merge", _("Merge into one")),
        ("tag_add", _("Add tags")),
        ("tag_remove", _("Remove tags")),
    )
    operation = forms.ChoiceField(label=_("Action"), choices=OPERATIONS)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody (unassign)"),
    )
    status = forms.ModelChoiceField(
        label=_("Status"), queryset=Status.objects.none(), required=False
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        coerce=int,
        choices=[(n, f"P{n}") for n in range(1, 6)],
        required=False,
        empty_value=None,
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    target = TicketNumberField(label=_("Merge into ticket number"), required=False)
    tags_add = forms.CharField(label=_("Tags to add"), max_length=500, required=False)
    tags_remove = forms.CharField(label=_("Tags to remove"), max_length=500, required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.ids = [int(v) for v in raw if str(v).isdigit()]
        self.fields["assignee"].queryset = agent_users()
        self.fields["status"].queryset = reference.selectable_statuses()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        op = data.get("operation")
        if not self.ids:
            raise ValidationError(_("Tick at least one ticket."))
        if op == "status" and not data.get("status"):
            self.add_error("status", _("Choose a status."))
        if op == "priority":
            if not data.get("priority"):
                self.add_error("priority", _("Choose a priority."))
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Say why the priority changes."))
        if op == "merge" and not data.get("target"):
            self.add_error("target", _("Which ticket should the others be merged into?"))
        for name in ("tags_add", "tags_remove"):
            if op == f"tag_{name[5:]}" and not (data.get(name) or "").strip():
                self.add_error(name, _("Name at least one tag."))
        return data


class MacroForm(OknoForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    language = forms.ChoiceField(label=_("Language"), required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    shared = forms.BooleanField(label=_("Share with all agents"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any language")), *settings.LANGUAGES]


class SplitForm(OknoForm):
    article = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title of the new ticket"), max_length=250, required=False)


class ChildrenReplyForm(OknoForm):
    body = forms.CharField(
        label=_("Reply to every child ticket"), widget=forms.Textarea(attrs={"rows": 3})
    )
