"""The queue's table rows, rendered in Python.

The queue is the desk's hottest page. As a template, its 50 rows cost most of the request
(a ``{% url %}``, a dozen translated labels and an SLA sub-template per row); built here, the
labels are translated once per page and each row is a few ``format_html`` calls. The markup is
the same as the rest of the desk's templates (``desk/queue.html`` holds the table around it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_as
from django.utils.formats import date_format
from django.utils.html import escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from okno.sla.queries import ClockView, headline
from okno.sla.templatetags.sla_tags import badge_html
from okno.tags.queries import tags_of
from okno.tickets.models import Ticket


def _time(moment: datetime | None, *, title: bool) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}"{}>{}</time>',
        date_as(local, "c"),
        format_html(' title="{}"', date_format(local, "DATETIME_FORMAT")) if title else "",
        date_format(local, "SHORT_DATETIME_FORMAT"),
    )


def _requester(t: Ticket) -> str:
    org = ""
    if t.organization_id and t.organization is not None:
        org = format_html(
            '<span class="muted small org"><span class="sep"> · </span>{}</span>', t.organization
        )
    return format_html("{}{}", t.requester, org)


def _assignee(t: Ticket) -> str:
    if t.assignee is not None:
        return escape(t.assignee)
    return format_html('<span class="muted">{}</span>', gettext("Unassigned"))


# column -> (label, extra td class, cell content)
CELLS: dict[str, tuple[Callable[[], str], str, Callable[[Ticket], str]]] = {
    "requester": (lambda: gettext("Requester"), "", _requester),
    "status": (
        lambda: gettext("Status"),
        "nowrap",
        lambda t: format_html(
            '<span class="pill cat-{}">{}</span>', t.status_category, t.status.label
        ),
    ),
    "team": (lambda: gettext("Team"), "", lambda t: escape(t.team) if t.team else "—"),
    "assignee": (lambda: gettext("Assignee"), "", _assignee),
    "priority": (lambda: gettext("Priority"), "", lambda t: f"P{int(t.priority)}"),
    "service": (
        lambda: gettext("Service"),
        "",
        lambda t: escape(t.service) if t.service_id and t.service else "—",
    ),
    "updated": (lambda: gettext("Updated"), "nowrap", lambda t: _time(t.updated_at, title=True)),
    "created": (lambda: gettext("Created"), "nowrap", lambda t: _time(t.created_at, title=False)),
}


def _tags(t: Ticket, label: str) -> str:
    tags = tags_of(t)
    if not tags:
        return ""
    chips = format_html_join(
        "",
        '<li><a class="tag-chip" href="?{}"{}>{}</a></li>',
        (
            (
                urlencode({"tag": tag.name}),
                format_html(' style="--tag-color: {}"', tag.color) if tag.color else "",
                tag.name,
            )
            for tag in tags
        ),
    )
    return format_html('<ul class="tag-chips" aria-label="{}">{}</ul>', label, chips)


def render_rows(
    rows: Sequence[Ticket], columns: Sequence[str], sla: dict[int, list[ClockView]]
) -> SafeString:
    """The ``<tr>`` elements of one queue page (every value escaped by ``format_html``)."""
    base = reverse("desk:ticket", args=[0])[: -len("0/")]
    cells = [(col, CELLS[col]) for col in columns if col in CELLS]
    labels = {col: label() for col, (label, _cls, _cell) in cells}
    classes = {col: format_html(' class="{}"', cls) if cls else "" for col, (_l, cls, _c) in cells}
    tags_label, sla_label = gettext("Tags"), gettext("SLA")
    return format_html_join(
        "\n",
        '<tr class="prio-{prio}" data-href="{url}">'
        '<td class="col-check"><input type="checkbox" name="ids" value="{pk}" '
        'form="bulk-form" aria-label="{select}"></td>'
        '<td class="col-number" data-label="#"><span class="prio-badge" title="{ptitle}">'
        'P{prio}</span> <a href="{url}">{pk}</a></td>'
        '<td class="col-title"><a href="{url}">{title}</a>{tags}</td>'
        '<td class="col-sla nowrap" data-label="{sla_label}">{badge}</td>'
        "{cells}</tr>",
        (
            {
                "prio": int(t.priority),
                "url": f"{base}{t.pk}/",
                "pk": t.pk,
                "select": gettext("Select ticket #%(n)s") % {"n": t.pk},
                "ptitle": gettext("Priority %(p)s") % {"p": t.priority},
                "title": t.title,
                "tags": _tags(t, tags_label),
                "sla_label": sla_label,
                "badge": badge_html(headline(sla.get(t.pk, []))),
                "cells": format_html_join(
                    "",
                    '<td{} data-label="{}">{}</td>',
                    ((classes[col], labels[col], cell(t)) for col, (_l, _c, cell) in cells),
                ),
            }
            for t in rows
        ),
    )
