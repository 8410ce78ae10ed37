"""The agent's view of a ticket's history: articles and events merged in time order.

Events store stable keys and ids; this module turns them into one readable sentence each
("Alice changed status New → Open"), looking every referenced status, service and person up
in a handful of queries for the whole timeline, never one per event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.catalog.models import Service
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


def agent_timeline(
    ticket: Ticket, loose_files: list[Attachment] | None = None
) -> list[TimelineEntry]:
    """Everything: replies, internal notes and system events, oldest first.

    The ticket's files are read in one query: each article's are on its entry (``files``);
    those of no article are appended to ``loose_files`` when a list is given.
    """
    articles = list(
        Article.objects.filter(ticket=ticket).select_related("author").order_by("created_at", "id")
    )
    files: dict[int | None, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(ticket=ticket):
        files.setdefault(attachment.article_id, []).append(attachment)
    if loose_files is not None:
        loose_files.extend(files.get(None, []))
    events = [
        e
        for e in TicketEvent.objects.filter(ticket=ticket)
        .select_related("actor")
        .order_by("created_at", "id")
        if e.kind not in HIDDEN_EVENTS
    ]
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


def _people(ids: set[int]) -> dict[int, str]:
    """Names of assignees: agents from the per-process list, anyone else in one query."""
    from .reference import agents

    people = {u.pk: str(u) for u in agents() if u.pk in ids}
    missing = ids - people.keys()
    if missing:
        people.update({u.pk: str(u) for u in User.objects.filter(pk__in=missing)})
    return people
