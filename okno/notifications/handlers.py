"""The ticket follow-up handler: who hears about a ticket change, in the app and by email.

Registered in ``okno.tickets.tasks.FOLLOWUP_HANDLERS``; runs in its own background job after
the change commits, re-reads the rows, and is idempotent (each cause has a key per person).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy

from okno.accounts.models import TeamMembership, User
from okno.tickets import events as ev
from okno.tickets.models import Article, ArticleKind, Ticket, TicketEvent

from .delivery import notify
from .mentions import normalize_name, parse_mentions
from .models import Kind, Watcher

EXCERPT_CHARS = 400

SOMEONE = gettext_lazy("Someone")
ASSIGNED_TO_YOU = gettext_lazy("Ticket #%(n)s is assigned to you: %(title)s")
REPLIED_ON = gettext_lazy("%(who)s replied on #%(n)s: %(title)s")
MENTIONED_YOU = gettext_lazy("%(who)s mentioned you on #%(n)s: %(title)s")
NOTE_ON = gettext_lazy("%(who)s added a note on #%(n)s: %(title)s")
REOPENED = gettext_lazy("#%(n)s was reopened: %(title)s")
SLA_WARNING_ON = gettext_lazy("SLA warning on #%(n)s (%(target)s): %(title)s")
SLA_BREACHED_ON = gettext_lazy("SLA breached on #%(n)s (%(target)s): %(title)s")


def on_ticket_event(ticket_id: int, event: str, article_id: int | None = None) -> str:
    ticket = (
        Ticket.objects.select_related("assignee", "team", "requester").filter(pk=ticket_id).first()
    )
    if ticket is None:
        return "gone"
    article = None
    if article_id is not None:
        article = Article.objects.select_related("author").filter(pk=article_id).first()
    handler = HANDLERS.get(event)
    if handler is None:
        return "ignored"
    sent = handler(ticket, event, article)
    return f"{sent} notified"


def _watchers(ticket: Ticket) -> list[User]:
    return [w.user for w in Watcher.objects.filter(ticket=ticket).select_related("user")]


def _followers(ticket: Ticket) -> dict[int, User]:
    """The assignee and the watchers, each once."""
    people = {w.pk: w for w in _watchers(ticket)}
    if ticket.assignee is not None:
        people[ticket.assignee.pk] = ticket.assignee
    return people


def _excerpt(article: Article | None) -> dict[str, str]:
    if article is None:
        return {}
    return {"excerpt": Truncator(article.body_text).chars(EXCERPT_CHARS)}


def _assigned(ticket: Ticket, event: str, article: Article | None) -> int:
    if ticket.assignee is None:
        return 0
    if event == "created":
        # Only an assignee named at creation: a later assignment has its own "assigned" job,
        # and this job may run after it when the worker is behind.
        actor_id, key = ticket.requester_id, f"assigned:created:{ticket.pk}"
        created = TicketEvent.objects.filter(ticket=ticket, kind=ev.CREATED).first()
        if created is not None:
            if (created.data or {}).get("assignee") != ticket.assignee.pk:
                return 0
            actor_id = created.actor_id
    else:
        last = (
            TicketEvent.objects.filter(ticket=ticket, kind=ev.ASSIGNED)
            .order_by("-created_at", "-id")
            .first()
        )
        if last is None or last.new != ticket.assignee.pk:
            return 0
        actor_id, key = last.actor_id, f"assigned:{last.pk}"
    if actor_id == ticket.assignee.pk:
        return 0  # took it themselves
    title = ticket.title
    done = notify(
        ticket.assignee,
        kind=Kind.ASSIGNED,
        ticket=ticket,
        key=key,
        message=ASSIGNED_TO_YOU,
        params={"n": ticket.pk, "title": title},
        extra=_excerpt(ticket.articles.order_by("created_at", "id").first()),
    )
    return int(done is not None)


def _created(ticket: Ticket, event: str, article: Article | None) -> int:
    return _assigned(ticket, event, article)


def _tell_about_article(
    people: Iterable[User], ticket: Ticket, article: Article, *, kind: str, key: str, message: Any
) -> int:
    """Notify each of ``people`` (never the article's author) once per ``key``."""
    author = article.author
    who = str(author) if author else SOMEONE
    sent = 0
    for user in people:
        if author is not None and user.pk == author.pk:
            continue
        done = notify(
            user,
            kind=kind,
            ticket=ticket,
            key=key,
            message=message,
            params={"who": who, "n": ticket.pk, "title": ticket.title},
            extra=_excerpt(article),
        )
        sent += done is not None
    return sent


def _replied(ticket: Ticket, event: str, article: Article | None) -> int:
    if article is None or article.kind != ArticleKind.REPLY:
        return 0
    return _tell_about_article(
        _followers(ticket).values(),
        ticket,
        article,
        kind=Kind.REPLIED,
        key=f"article:{article.pk}",
        message=REPLIED_ON,
    )


def mentioned_agents(text: str) -> list[User]:
    """Active agents named in ``text`` by ``@localpart`` or ``@"Full Name"``."""
    found = parse_mentions(text)
    if not found:
        return []
    query = Q()
    for handle in found.handles:
        query |= Q(email__istartswith=f"{handle}@")
    candidates = User.objects.filter(is_active=True).exclude(role="requester")
    people: dict[int, User] = {}
    if found.handles:
        for user in candidates.filter(query):
            if user.email.split("@", 1)[0].lower() in found.handles:
                people[user.pk] = user
    if found.names:
        for user in candidates.exclude(full_name=""):
            if normalize_name(user.full_name) in found.names:
                people[user.pk] = user
    return [u for u in people.values() if u.is_agent]


def _noted(ticket: Ticket, event: str, article: Article | None) -> int:
    if article is None or article.kind != ArticleKind.NOTE:
        return 0
    # A mention may ask someone outside the team; they are told only if they may see it.
    mentioned = {u.pk: u for u in mentioned_agents(article.body_text)}
    sent = _tell_about_article(
        mentioned.values(),
        ticket,
        article,
        kind=Kind.MENTIONED,
        key=f"mention:{article.pk}",
        message=MENTIONED_YOU,
    )
    others = [u for u in _followers(ticket).values() if u.pk not in mentioned]
    return sent + _tell_about_article(
        others, ticket, article, kind=Kind.NOTED, key=f"article:{article.pk}", message=NOTE_ON
    )


def _reopened(ticket: Ticket, event: str, article: Article | None) -> int:
    sent = 0
    for user in _followers(ticket).values():
        done = notify(
            user,
            kind=Kind.REPLIED,
            ticket=ticket,
            key=f"reopened:{ticket.pk}:{ticket.reopen_count}",
            message=REOPENED,
            params={"n": ticket.pk, "title": ticket.title},
        )
        sent += done is not None
    return sent


def _sla(ticket: Ticket, event: str, article: Article | None) -> int:
    last = (
        TicketEvent.objects.filter(ticket=ticket, kind=event).order_by("-created_at", "-id").first()
    )
    if last is None:
        return 0
    if ticket.assignee is not None:
        recipients = [ticket.assignee]
    elif ticket.team_id is not None:  # nobody owns it yet: the team leads hear about it
        recipients = [
            m.user
            for m in TeamMembership.objects.filter(
                team_id=ticket.team_id, is_lead=True
            ).select_related("user")
        ]
    else:
        recipients = []
    kind = Kind.SLA_WARNING if event == "sla_warning" else Kind.SLA_BREACHED
    target = str(last.data.get("target") or last.field or "")
    sent = 0
    message = SLA_WARNING_ON if kind == Kind.SLA_WARNING else SLA_BREACHED_ON
    params = {"n": ticket.pk, "target": target, "title": ticket.title}
    for user in recipients:
        done = notify(
            user, kind=kind, ticket=ticket, key=f"{event}:{last.pk}", message=message, params=params
        )
        sent += done is not None
    return sent


HANDLERS = {
    "created": _created,
    "assigned": _assigned,
    "replied": _replied,
    "noted": _noted,
    "reopened": _reopened,
    "sla_warning": _sla,
    "sla_breached": _sla,
}
