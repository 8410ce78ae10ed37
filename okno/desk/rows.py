"""The queue's table rows: read as plain tuples, rendered in Python.

The queue is the desk's hottest page. As a template, its 50 rows cost most of the request
(a ``{% url %}``, a dozen translated labels and an SLA sub-template per row). Here the rows
query reads only the columns the table shows, joined in SQL, as named tuples (no model
instances: a page of Ticket rows with their five related models was ~300 objects); labels
are translated and formats looked up once per page; each cell is an f-string whose every
value goes through ``escape`` (the standard library's ``html.escape``, which is what Django's
``escape`` calls). The markup is the same as the rest of the desk's templates
(``desk/queue.html`` holds the table around it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from html import escape as _html_escape
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_as
from django.utils.formats import get_format
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from okno.sla.queries import BREACHED, PAUSED, ClockView
from okno.sla.templatetags.sla_tags import human_seconds
from okno.tags.queries import TagChip

# The columns every queue page reads: the keyset sort fields, the cells and their joins.
ROW_FIELDS = (
    "pk",
    "title",
    "priority",
    "score",
    "created_at",
    "updated_at",
    "status_category",
    "status__name",
    "status__labels",
    "requester__full_name",
    "requester__email",
    "organization__name",
    "team__name",
    "assignee_id",
    "assignee__full_name",
    "assignee__email",
)
SERVICE_FIELDS = ("service__name",)  # only when the view shows the service column


def escape(value: Any) -> str:
    return _html_escape(str(value), quote=True)


@lru_cache(maxsize=16384)
def _formatted(moment: datetime, zone: Any, fmt: str, language: str | None) -> str:
    """``moment`` in ``zone`` as Django's ``date`` format ``fmt`` (the active ``language``'s
    month names): a pure function of its arguments, kept because a queue shows the same
    tickets' times request after request."""
    return date_as(moment.astimezone(zone), fmt)


def row_fields(columns: Sequence[str]) -> tuple[str, ...]:
    return ROW_FIELDS + (SERVICE_FIELDS if "service" in columns else ())


def _person(full_name: str | None, email: str | None) -> str:
    """``str(user)``: the full name, else the email address."""
    return full_name or email or ""


class _Page:
    """What every row of one page shares: translations, formats, the viewer's zone."""

    def __init__(self) -> None:
        self.locale = get_language()
        self.language = (self.locale or "en")[:2]
        self.zone = timezone.get_current_timezone()
        self.short_format = get_format("SHORT_DATETIME_FORMAT")
        self.long_format = get_format("DATETIME_FORMAT")
        self.unassigned = escape(gettext("Unassigned"))
        self.select = gettext("Select ticket #%(n)s")
        self.priority = gettext("Priority %(p)s")
        self.due = gettext("due %(due)s")
        self.overdue = gettext("%(t)s overdue")
        self.paused = gettext("paused, %(t)s left")
        self.left = gettext("%(t)s left")

    def format(self, moment: datetime, fmt: str) -> str:
        return _formatted(moment, self.zone, fmt, self.locale)

    def time(self, moment: datetime | None, *, title: bool) -> str:
        if moment is None:
            return ""
        iso = moment.astimezone(self.zone).isoformat()
        attr = f' title="{escape(self.format(moment, self.long_format))}"' if title else ""
        return (
            f'<time datetime="{escape(iso)}"{attr}>'
            f"{escape(self.format(moment, self.short_format))}</time>"
        )

    def badge(self, clock: ClockView | None) -> str:
        """``sla_tags.badge_html``, with the page's translations."""
        if clock is None:
            return ""
        title = str(clock.label)
        if clock.due_at:
            due = self.format(clock.due_at, self.long_format)
            title += " — " + self.due % {"due": due}
        left = human_seconds(clock.remaining_seconds)
        if clock.level == BREACHED:
            text = self.overdue % {"t": left}
        elif clock.level == PAUSED:
            text = self.paused % {"t": left}
        else:
            text = self.left % {"t": left}
        level = escape(clock.level)
        return (
            f'<span class="pill sla-badge sla-{level}" data-sla-level="{level}" '
            f'title="{escape(title)}">{escape(text)}</span>'
        )


def _requester(t: Any, page: _Page) -> str:
    name = escape(_person(t.requester__full_name, t.requester__email))
    if t.organization__name is None:
        return name
    return (
        f'{name}<span class="muted small org"><span class="sep"> · </span>'
        f"{escape(t.organization__name)}</span>"
    )


def _status(t: Any, page: _Page) -> str:
    label = (t.status__labels or {}).get(page.language, t.status__name)
    return f'<span class="pill cat-{escape(t.status_category)}">{escape(label)}</span>'


def _assignee(t: Any, page: _Page) -> str:
    if t.assignee_id is not None:
        return escape(_person(t.assignee__full_name, t.assignee__email))
    return f'<span class="muted">{page.unassigned}</span>'


# column -> (label, extra td class, cell content)
CELLS: dict[str, tuple[Callable[[], str], str, Callable[[Any, _Page], str]]] = {
    "requester": (lambda: gettext("Requester"), "", _requester),
    "status": (lambda: gettext("Status"), "nowrap", _status),
    "team": (
        lambda: gettext("Team"),
        "",
        lambda t, _p: escape(t.team__name) if t.team__name is not None else "—",
    ),
    "assignee": (lambda: gettext("Assignee"), "", _assignee),
    "priority": (lambda: gettext("Priority"), "", lambda t, _p: f"P{int(t.priority)}"),
    "service": (
        lambda: gettext("Service"),
        "",
        lambda t, _p: escape(t.service__name) if t.service__name is not None else "—",
    ),
    "updated": (
        lambda: gettext("Updated"),
        "nowrap",
        lambda t, p: p.time(t.updated_at, title=True),
    ),
    "created": (
        lambda: gettext("Created"),
        "nowrap",
        lambda t, p: p.time(t.created_at, title=False),
    ),
}


def _tags(tags: Sequence[TagChip], label: str) -> str:
    if not tags:
        return ""
    chips = "".join(
        f'<li><a class="tag-chip" href="?{escape(urlencode({"tag": tag.name}))}"'
        + (f' style="--tag-color: {escape(tag.color)}"' if tag.color else "")
        + f">{escape(tag.name)}</a></li>"
        for tag in tags
    )
    return f'<ul class="tag-chips" aria-label="{label}">{chips}</ul>'


def render_rows(
    rows: Sequence[Any],
    columns: Sequence[str],
    sla: dict[int, ClockView | None],
    tags: dict[int, list[TagChip]],
) -> SafeString:
    """The ``<tr>`` elements of one queue page; ``rows`` are named tuples of ``row_fields``,
    ``sla`` the badge clock of each (``sla.queries.headline_clocks``)."""
    page = _Page()
    base = reverse("desk:ticket", args=[0])[: -len("0/")]
    cells = []
    for col in columns:
        if col in CELLS:
            label, cls, cell = CELLS[col]
            classes = f' class="{escape(cls)}"' if cls else ""
            cells.append((f'<td{classes} data-label="{escape(label())}">', cell))
    tags_label, sla_label = escape(gettext("Tags")), escape(gettext("SLA"))
    out = []
    for t in rows:
        pk, prio = int(t.pk), int(t.priority)
        url = f"{base}{pk}/"
        out.append(
            f'<tr class="prio-{prio}" data-href="{url}">'
            f'<td class="col-check"><input type="checkbox" name="ids" value="{pk}" '
            f'form="bulk-form" aria-label="{escape(page.select % {"n": pk})}"></td>'
            f'<td class="col-number" data-label="#"><span class="prio-badge" '
            f'title="{escape(page.priority % {"p": t.priority})}">'
            f'P{prio}</span> <a href="{url}">{pk}</a></td>'
            f'<td class="col-title"><a href="{url}">{escape(t.title)}</a>'
            f"{_tags(tags.get(pk, ()), tags_label)}</td>"
            f'<td class="col-sla nowrap" data-label="{sla_label}">'
            f"{page.badge(sla.get(pk))}</td>"
            + "".join(f"{td}{cell(t, page)}</td>" for td, cell in cells)
            + "</tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - every value above is escaped
