"""The reference lists the desk's pages show, memoized per process (``okno.ops.refcache``).

The queue's filter and bulk bars and the ticket page's forms list every status, priority,
team, service and agent; read from the database, those were half of each page's queries.
Each list here is read once per process and reloaded after any change to its rows anywhere
(the generation in the shared cache). Values are shared by threads: read-only model
instances, whose translated labels (``Status.label``) are still computed in the viewer's
language at render time.

``MemoChoiceField`` is a ``ModelChoiceField`` that renders its options from such a list, while
validating a submitted value against its queryset as usual (the database decides what is
accepted). The list must hold the rows the queryset selects, in its order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from okno.accounts.models import Role, Team, TeamMembership, User
from okno.catalog.models import Service
from okno.ops.form_renderer import _attrs
from okno.ops.refcache import memo
from okno.priority.models import Priority
from okno.tickets.models import Status

AGENT_ROLES = (Role.AGENT, Role.MANAGER, Role.ADMIN)
PEOPLE_MAX_AGE = 300  # seconds: a safety net for bulk writes of users that send no signal


def agent_users() -> Any:
    return User.objects.filter(is_active=True, role__in=AGENT_ROLES).order_by("full_name", "email")


def active_services() -> Any:
    return Service.objects.filter(is_active=True).order_by("order", "name")


def active_teams() -> Any:
    return Team.objects.filter(is_active=True)


def selectable_statuses() -> Any:
    """Statuses an agent may set: active ones, without "merged" (set by merging only)."""
    return Status.objects.filter(is_active=True).exclude(key="merged")


def statuses() -> list[Status]:
    """Every status, in their order (the timeline names old ones too)."""
    return memo("desk.statuses", lambda: list(Status.objects.all()))


def active_statuses() -> list[Status]:
    return memo("desk.statuses.active", lambda: [s for s in statuses() if s.is_active])


def selectable_status_list() -> list[Status]:
    return memo(
        "desk.statuses.selectable", lambda: [s for s in active_statuses() if s.key != "merged"]
    )


def priorities() -> list[Priority]:
    return memo("desk.priorities", lambda: list(Priority.objects.all()))


def teams() -> list[Team]:
    return memo("desk.active_teams", lambda: list(active_teams()))


def services() -> list[Service]:
    return memo("desk.active_services", lambda: list(active_services()))


def agents() -> list[User]:
    return memo("desk.agents", lambda: list(agent_users()), max_age=PEOPLE_MAX_AGE)


def team_people(team_id: int) -> list[User]:
    """Active users who are members of the team, by name (the watcher picker's colleagues)."""

    def load() -> dict[int, list[User]]:
        by_team: dict[int, list[User]] = {}
        memberships = (
            TeamMembership.objects.filter(user__is_active=True)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        )
        for membership in memberships:
            by_team.setdefault(membership.team_id, []).append(membership.user)
        return by_team

    return memo("desk.team_people", load, max_age=PEOPLE_MAX_AGE).get(team_id, [])


def macro_names(user: Any) -> list[str]:
    """Names of the macros ``user`` may use (their own and shared ones), sorted: the ticket
    page's macro picker (``workspace_views.usable_macros`` reads whole macros when one is
    inserted)."""
    from .models import Macro

    every = memo(
        "desk.macro_names", lambda: list(Macro.objects.values_list("owner_id", "shared", "name"))
    )
    return sorted({name for owner, shared, name in every if shared or owner == user.pk})


class MemoChoiceIterator(ModelChoiceIterator):
    """Iterates the field's ``rows()`` when it has them, else its queryset (Django's way)."""

    def __iter__(self) -> Any:
        if self.field.rows is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.rows():
            yield self.choice(obj)

    def __len__(self) -> int:
        if self.field.rows is None:
            return super().__len__()
        return len(self.field.rows()) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        if self.field.rows is None:
            return super().__bool__()
        return self.field.empty_label is not None or bool(self.field.rows())


class MemoSelect(forms.Select):
    """A ``<select>`` whose options are escaped once per list of rows and language.

    Django builds a dict per option (``optgroups``) and renders it on every page; for the
    ticket page's selects of every status, team, service and agent that was a good part of
    the page. The options are kept with the list object they came from (``rows()`` returns
    the memoized list, the same object until it reloads), so a reload rebuilds them. The
    markup is Django's, as ``okno.ops.form_renderer`` renders it (tests compare them).
    """

    _options: dict[tuple[Any, ...], tuple[Any, list[tuple[str, str, str]]]] = {}

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        field = getattr(self.choices, "field", None)
        rows_of = getattr(field, "rows", None)
        if rows_of is None or self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        rows = rows_of()
        empty = field.empty_label
        key = (type(field), rows_of.__module__, rows_of.__qualname__, get_language(), str(empty))
        cached = self._options.get(key)
        if cached is None or cached[0] is not rows:
            options = [
                (
                    str(v),
                    f'\n  <option value="{conditional_escape(str(v))}"',
                    f">{conditional_escape(label)}</option>",
                )
                for v, label in self.choices
            ]
            cached = (rows, options)
            self._options[key] = cached
        chosen = set(self.format_value(value))
        final = self.build_attrs(self.attrs, attrs)
        out = [f'<select name="{conditional_escape(name)}"{_attrs(final)}>']
        marked = False
        for option_value, start, end in cached[1]:
            if not marked and option_value in chosen:
                out.append(f"{start} selected{end}")
                marked = True
            else:
                out.append(start + end)
        out.append("\n</select>")
        return mark_safe("".join(out))  # noqa: S308 - names, values and labels escaped


class MemoChoiceField(forms.ModelChoiceField):
    """Options from ``rows()`` (a memoized list) when set, validation against ``queryset``."""

    iterator = MemoChoiceIterator
    widget = MemoSelect

    def __init__(
        self, *args: Any, rows: Callable[[], Sequence[Any]] | None = None, **kwargs: Any
    ) -> None:
        self.rows = rows
        super().__init__(*args, **kwargs)


class OptionList:
    """``<option>`` elements for ``(value, label)`` pairs, escaped once and kept: the queue's
    filter and bulk bars show ten lists (every agent twice) on every page."""

    def __init__(self, pairs: Sequence[tuple[Any, Any]]) -> None:
        self.items = [
            (str(value), f'<option value="{escape(str(value))}"', f">{escape(str(label))}</option>")
            for value, label in pairs
        ]

    def render(self, selected: Any = None, blank: str | None = None) -> SafeString:
        """As ``{% options %}``: the option equal to ``selected`` (as text) marked, and a
        first empty-valued option labelled ``blank`` when given."""
        chosen = "" if selected is None else str(selected)
        head = f'<option value="">{escape(str(blank))}</option>' if blank is not None else ""
        body = "".join(
            f"{start} selected{end}" if chosen and value == chosen else start + end
            for value, start, end in self.items
        )
        return mark_safe(head + body)  # noqa: S308 - values and labels escaped above


def options(
    name: str, pairs: Callable[[], Sequence[tuple[Any, Any]]], *, people: bool = False
) -> OptionList:
    """The memoized ``OptionList`` of ``pairs()`` in the active language."""
    return memo(
        f"desk.options.{name}.{get_language()}",
        lambda: OptionList(pairs()),
        max_age=PEOPLE_MAX_AGE if people else None,
    )
