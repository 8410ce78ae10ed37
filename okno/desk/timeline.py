"""The agent's view of a ticket's history: articles and events merged in time order.

Events store stable keys and ids; this module turns them into one readable sentence each
("Alice changed status New → Open"), looking every referenced status, service and person up
in a handful of queries for the whole timeline, never one per event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_as
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape as esc
from django.utils.html import linebreaks
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from okno.accounts.models import User
from okno.catalog.models import Service
from okno.ops.lookup import JoinedLookup
from okno.tags.events import TAGS_CHANGED
from okno.tickets import events as ev
from okno.tickets.models import Article, Attachment, Ticket, TicketEvent, TicketType

# Events already shown as an article (or too technical to be worth a line).
HIDDEN_EVENTS = {ev.REPLIED, ev.NOTE_ADDED, ev.ATTACHMENT_ADDED}


@dataclass
class TimelineEntry:
    when: datetime
    article: Article | None = None
    event: TicketEvent | None = None
    text: str = ""
    files: list[Attachment] = field(default_factory=list)  # the article's attachments


def _status_names() -> dict[str, str]:
    from .reference import statuses

    return {s.key: s.label for s in statuses()}


def _field_value(field: str, value: Any, services: dict[int, str]) -> str:
    if value in (None, ""):
        return _("none")
    if field == "type":
        try:
            return str(TicketType(value).label)
        except ValueError:
            return str(value)
    if field == "service":
        return services.get(value, f"#{value}")
    return str(value)


def describe(
    event: TicketEvent,
    statuses: dict[str, str],
    services: dict[int, str],
    people: dict[int, str],
) -> str:
    """One sentence for one event, in the viewer's language."""
    actor = str(event.actor) if event.actor else _("System")
    data = event.data or {}
    kind = event.kind
    params: dict[str, Any] = {"actor": actor}
    if kind == ev.CREATED:
        return _("%(actor)s opened the ticket") % params
    if kind == ev.STATUS_CHANGED:
        params["old"] = statuses.get(event.old, event.old)
        params["new"] = statuses.get(event.new, event.new)
        return _("%(actor)s changed status %(old)s → %(new)s") % params
    if kind == ev.REOPENED:
        return _("%(actor)s reopened the ticket") % params
    if kind == ev.ASSIGNED:
        if event.new is None:
            return _("%(actor)s removed the assignee") % params
        params["new"] = data.get("new_label") or people.get(event.new, f"#{event.new}")
        return _("%(actor)s assigned the ticket to %(new)s") % params
    if kind == ev.TEAM_CHANGED:
        params["old"] = data.get("old_label") or _("none")
        params["new"] = data.get("new_label") or _("none")
        return _("%(actor)s moved the ticket from team %(old)s to %(new)s") % params
    if kind == ev.PRIORITY_CHANGED:
        params["old"] = event.old
        params["new"] = event.new
        if data.get("overridden"):
            params["reason"] = data.get("reason", "")
            return _("%(actor)s set priority P%(old)s → P%(new)s by hand: %(reason)s") % params
        return _("%(actor)s changed priority P%(old)s → P%(new)s") % params
    if kind == ev.FIELD_CHANGED:
        params["field"] = _field_label(event.field)
        params["old"] = _field_value(event.field, event.old, services)
        params["new"] = _field_value(event.field, event.new, services)
        return _("%(actor)s changed %(field)s %(old)s → %(new)s") % params
    if kind == ev.FIRST_RESPONSE:
        return _("First response sent by %(actor)s") % params
    if kind == ev.MERGED:
        params["other"] = event.new
        return _("%(actor)s merged ticket #%(other)s into this one") % params
    if kind == ev.MERGED_INTO:
        params["other"] = event.new
        return _("%(actor)s merged this ticket into #%(other)s") % params
    if kind == ev.LINKED:
        params["other"] = event.new
        params["kind"] = _link_label(data.get("kind", ""))
        return _("%(actor)s linked #%(other)s (%(kind)s)") % params
    if kind == ev.UNLINKED:
        params["other"] = event.old
        params["kind"] = _link_label(data.get("kind", ""))
        return _("%(actor)s removed the link to #%(other)s (%(kind)s)") % params
    if kind == TAGS_CHANGED:
        return _describe_tags(params, data)
    params["kind"] = kind.replace("_", " ")
    return _("%(actor)s: %(kind)s") % params


def _describe_tags(params: dict[str, Any], data: dict[str, Any]) -> str:
    params["added"] = ", ".join(data.get("added") or [])
    params["removed"] = ", ".join(data.get("removed") or [])
    if params["added"] and params["removed"]:
        return _("%(actor)s tagged the ticket %(added)s and removed %(removed)s") % params
    if params["removed"]:
        return _("%(actor)s removed the tags %(removed)s") % params
    return _("%(actor)s tagged the ticket %(added)s") % params


def _field_label(field: str) -> str:
    return {
        "title": _("title"),
        "type": _("type"),
        "service": _("service"),
        "category": _("category"),
        "impact": _("impact"),
        "urgency": _("urgency"),
    }.get(field, field)


def _link_label(kind: str) -> str:
    return {
        "related": _("related"),
        "related_of": _("related"),
        "duplicate": _("duplicate of"),
        "duplicate_of": _("has duplicate"),
        "child": _("child of"),
        "parent": _("parent of"),
    }.get(kind, kind)


# The page's three reads by ticket, their SQL built once per process (ops.lookup): building
# them through the ORM on every page took longer than PostgreSQL takes to run them. No join
# to the users: PostgreSQL's estimate of rows per ticket in these big tables is often far
# too high (200k distinct tickets sampled among 5M), and it then hashed every user for a
# timeline of twenty rows; the people come from what is loaded already (``_with_people``).
_WHERE, _ORDER = [("ticket", "exact")], ("created_at", "pk")
_ARTICLES = JoinedLookup(Article, where=_WHERE, order_by=_ORDER)
_FILES = JoinedLookup(Attachment, where=_WHERE, order_by=_ORDER)
_EVENTS = JoinedLookup(TicketEvent, where=_WHERE, order_by=_ORDER)


def _with_people(ticket: Ticket, articles: list[Article], events: list[TicketEvent]) -> None:
    """Fill ``author`` and ``actor`` (see ``_users``; the ticket's requester is loaded)."""
    ids = {a.author_id for a in articles} | {e.actor_id for e in events}
    ids.discard(None)
    if not ids:
        return
    known = [ticket.requester] if Ticket.requester.is_cached(ticket) else []
    people = _users(ids, known)
    for article in articles:
        if article.author_id is not None:
            Article.author.field.set_cached_value(article, people.get(article.author_id))
    for event in events:
        if event.actor_id is not None:
            TicketEvent.actor.field.set_cached_value(event, people.get(event.actor_id))


def agent_timeline(
    ticket: Ticket, loose_files: list[Attachment] | None = None
) -> list[TimelineEntry]:
    """Everything: replies, internal notes and system events, oldest first.

    The ticket's files are read in one query: each article's are on its entry (``files``);
    those of no article are appended to ``loose_files`` when a list is given.
    """
    articles = _ARTICLES.all(ticket.pk)
    files: dict[int | None, list[Attachment]] = {}
    for attachment in _FILES.all(ticket.pk):
        files.setdefault(attachment.article_id, []).append(attachment)
    if loose_files is not None:
        loose_files.extend(files.get(None, []))
    events = [e for e in _EVENTS.all(ticket.pk) if e.kind not in HIDDEN_EVENTS]
    _with_people(ticket, articles, events)
    statuses = _status_names() if events else {}
    service_ids = {
        v
        for e in events
        if e.kind == ev.FIELD_CHANGED and e.field == "service"
        for v in (e.old, e.new)
        if isinstance(v, int)
    }
    services = (
        dict(Service.objects.filter(pk__in=service_ids).values_list("pk", "name"))
        if service_ids
        else {}
    )
    people_ids = {e.new for e in events if e.kind == ev.ASSIGNED and isinstance(e.new, int)}
    people = _people(people_ids) if people_ids else {}
    entries = [
        TimelineEntry(when=a.created_at, article=a, files=files.get(a.pk, [])) for a in articles
    ]
    entries += [
        TimelineEntry(when=e.created_at, event=e, text=describe(e, statuses, services, people))
        for e in events
    ]
    entries.sort(key=lambda entry: entry.when)
    return entries


def _users(ids: set[int], known: Sequence[User | None] = ()) -> dict[int, User]:
    """These users from the per-process agent list and ``known`` (already loaded); anyone
    else (a colleague of the requester, a former agent) in one query."""
    from .reference import agents

    people = {u.pk: u for u in [*agents(), *known] if u is not None and u.pk in ids}
    missing = ids - people.keys()
    if missing:
        people.update(User.objects.in_bulk(missing))
    return people


def _people(ids: set[int]) -> dict[int, str]:
    """Names of assignees (see ``_users``)."""
    return {pk: str(user) for pk, user in _users(ids).items()}


def render_entries(context: Any, entries: list[TimelineEntry], ticket: Ticket) -> SafeString:
    """The ``<li>`` elements of the ticket page's timeline (``{% timeline_entries %}``).

    Built here rather than in a template loop: a ~20-entry timeline was the largest part of
    the ticket page's rendering. The markup is byte for byte the loop's it replaced (a test
    renders both); every value is escaped, the KB button is the KB app's
    (``okno.kb.buttons``, which its template renders too) and the forms carry the page's
    CSRF token.
    """
    from django.template.defaulttags import CsrfTokenNode

    from okno.kb.buttons import from_reply_button, from_reply_url

    csrf = CsrfTokenNode().render(context)
    sample = from_reply_url(0)
    kb_url = (  # the KB button's URL for an article id, without a reverse() per article
        (lambda pk: f"{sample[: -len('0/')]}{pk}/") if sample.endswith("/0/") else from_reply_url
    )
    split_url = esc(reverse("desk:ticket_split", args=[ticket.pk]))
    title = esc(ticket.title)
    requester_id = ticket.requester_id
    splittable = not ticket.merged_into_id
    short = get_format("SHORT_DATETIME_FORMAT")
    zone = timezone.get_current_timezone()
    words = {
        "system": esc(_("System")),
        "internal": esc(_("Internal")),
        "requester": esc(_("requester")),
        "split": esc(_("Split")),
        "split_title": esc(_("Title of the new ticket")),
        "split_button": esc(_("Split into a new ticket")),
    }
    out = []
    for entry in entries:
        a = entry.article
        if a is None:
            local = entry.when.astimezone(zone)
            body = (
                '\n          <li class="event">'
                f"\n            <span>{esc(entry.text)}</span>"
                f'\n            <time class="muted" datetime="{esc(local.isoformat())}">'
                f"{esc(date_as(local, short))}</time>"
                "\n          </li>\n        "
            )
            out.append(f"\n        {body}\n      ")
            continue
        local = a.created_at.astimezone(zone)
        kind = {"note": "article-note", "system": "article-system"}.get(a.kind, "article-reply")
        from_requester = a.author_id == requester_id
        if a.kind == "note":
            label = f'<span class="label-internal">{words["internal"]}</span>'
        elif from_requester:
            label = f'<span class="muted">{words["requester"]}</span>'
        else:
            label = ""
        minutes = ""
        if a.time_spent_minutes:
            m = a.time_spent_minutes
            text = ngettext("%(m)s minute", "%(m)s minutes", m) % {"m": esc(localize(m))}
            minutes = f'<span class="muted">· {text}</span>'
        kb = ""
        if a.kind != "system":  # as {% include "kb/from_reply_button.html" %} rendered it
            kb = f"\n{from_reply_button(kb_url(a.pk), csrf)}\n"
        split = ""
        if a.kind != "system" and splittable:
            pk = a.pk
            split = (
                '\n                <details class="split">'
                f'\n                  <summary class="button-link small">{words["split"]}</summary>'
                f'\n                  <form method="post" action="{split_url}" class="stack compact">'
                f"\n                    {csrf}"
                f'\n                    <input type="hidden" name="article" value="{pk}">'
                f'\n                    <label for="split-title-{pk}">{words["split_title"]}</label>'
                f'\n                    <input id="split-title-{pk}" name="title" maxlength="250" '
                f'placeholder="{title}">'
                '\n                    <button type="submit" class="button small">'
                f"{words['split_button']}</button>"
                "\n                  </form>\n                </details>\n              "
            )
        files = ""
        if entry.files:
            items = "".join(
                f'\n                  <li><a href="{esc(reverse("attachment", args=[f.pk, f.filename]))}">'
                f'{esc(f.filename)}</a> <span class="muted">{esc(filesizeformat(f.size))}</span>'
                "</li>\n                "
                for f in entry.files
            )
            files = (
                f'\n              <ul class="attachments">\n                {items}'
                "\n              </ul>\n            "
            )
        author = esc(a.author) if a.author else words["system"]
        body = (
            f'\n          <li class="article {kind}{" from-requester" if from_requester else ""}" '
            f'id="article-{a.pk}">'
            '\n            <div class="article-head">'
            f"\n              <strong>{author}</strong>"
            f"\n              {label}"
            f'\n              <span class="muted">· {esc(a.get_channel_display())}</span>'
            f'\n              <time class="muted" datetime="{esc(local.isoformat())}">'
            f"{esc(date_as(local, short))}</time>"
            f"\n              {minutes}"
            f"\n              {kb}"
            f"\n              {split}"
            "\n            </div>"
            f'\n            <div class="article-body">{linebreaks(a.body_text, autoescape=True)}</div>'
            f"\n            {files}"
            "\n          </li>\n          "
        )
        out.append(f"\n        \n          {body}\n        \n      ")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped
