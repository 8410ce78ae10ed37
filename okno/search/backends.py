"""One search interface over PostgreSQL full-text and SQLite FTS5, scoped by permissions.

``search(user, text, kinds=..., filters=..., limit=..., cursor=...)`` returns ranked hits with
highlighted snippets. Tickets are scoped by ``accounts.queries.visible_tickets`` (internal notes
only where the person can work on the ticket), KB articles by ``kb.queries.visible_articles``.
The scopes are compiled into the full-text SQL and applied per hit, before ranking and
pagination, so a hidden ticket never takes a result slot. The PostgreSQL backend
(``postgres.py``) also bounds the ranking to the newest visible matches; see docs/search.md.

Word forms: PostgreSQL stems with the ``russian`` configuration (Russian and English Snowball)
and, for Ukrainian and anything else, searches the light stems of ``stemming.py`` as prefixes in
the ``simple`` vectors; SQLite searches those prefix stems in FTS5.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse

from okno.accounts.queries import visible_tickets, workable_tickets
from okno.kb.models import Article as KbArticle
from okno.kb.queries import visible_articles
from okno.tickets.filters import TicketFilter
from okno.tickets.models import Ticket

from .stemming import query_stems

KINDS = ("tickets", "articles", "kb")
MARK_START, MARK_END = "\x02", "\x03"
MAX_LIMIT = 100
ANY_MIN_LENGTH = 3  # in "any word" mode, "не", "в", "at" would match nearly everything
TICKET_NUMBER = re.compile(r"^\s*#?\s*(\d{1,12})\s*$")
_CONTROL = re.compile(r"[\x00-\x01\x04-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Hit:
    kind: str  # "ticket" or "kb"
    pk: int
    rank: float
    snippet: str  # safe HTML: escaped text with our own <mark> tags only
    source: str = "title"  # "title", "reply", "note" or "article"
    url: str = ""  # filled by the page for the viewer's role
    ticket: Ticket | None = None
    article: KbArticle | None = None

    @property
    def title(self) -> str:
        if self.ticket is not None:
            return self.ticket.title
        return self.article.title if self.article is not None else ""


@dataclass
class SearchResults:
    query: str
    hits: list[Hit] = field(default_factory=list)
    next_cursor: str = ""
    exact_ticket: Ticket | None = None


def render_snippet(raw: str) -> str:
    """Escape everything, then turn our private markers into <mark> tags (balanced)."""
    text = _CONTROL.sub("", raw or "")
    out, open_mark = [], False
    for part in re.split(f"([{MARK_START}{MARK_END}])", text):
        if part == MARK_START and not open_mark:
            out.append("<mark>")
            open_mark = True
        elif part == MARK_END and open_mark:
            out.append("</mark>")
            open_mark = False
        elif part not in (MARK_START, MARK_END):
            out.append(html.escape(part))
    if open_mark:
        out.append("</mark>")
    return "".join(out)


def _sql(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    """The scope's ids as a sub-select; an empty scope (``.none()``) selects no row."""
    try:
        sql, params = queryset.order_by().values("id").query.sql_with_params()
    except EmptyResultSet:
        return "SELECT CAST(NULL AS BIGINT) WHERE 1 = 0", ()
    return sql, tuple(params)


def note_scope(user: Any) -> QuerySet[Ticket]:
    """Tickets whose internal notes this person may read (``can_work_on`` as a filter); the
    search applies it within the visible tickets."""
    return workable_tickets(user)


def ticket_filter(filters: TicketFilter | Mapping[str, Any] | None) -> TicketFilter:
    if isinstance(filters, TicketFilter):
        flt = filters
    else:
        params = dict(filters or {})
        params.setdefault("state", "all")
        flt = TicketFilter.from_params(params)
    flt.q = ""  # the text is matched by the full-text index, not ``icontains``
    return flt


class Backend:
    """Returns ``(pk, rank, raw snippet, source, ticket_id)`` rows per kind, best first.

    ``scope`` is the permission-scoped, filtered ``Ticket`` queryset (``notes``: the tickets
    whose internal notes may be read, applied within ``scope``); for ``kb`` the visible KB
    articles.

    ``any_word`` matches articles containing any of the words (best first) instead of all of
    them: for suggestions from a free-text subject such as "не работает принтер".

    ``wide_scope`` says the person may see a large share of all tickets (agents): a backend
    may then check the scope hit by hit instead of starting from the visible tickets.
    """

    def __init__(self, *, any_word: bool = False, wide_scope: bool = False) -> None:
        self.any_word = any_word
        self.wide_scope = wide_scope

    def tickets(self, stems: list[str], text: str, scope: QuerySet[Any], n: int) -> list[Any]:
        raise NotImplementedError

    def articles(
        self, stems: list[str], text: str, scope: QuerySet[Any], notes: QuerySet[Any], n: int
    ) -> list[Any]:
        raise NotImplementedError

    def kb(self, stems: list[str], text: str, scope: QuerySet[Any], n: int) -> list[Any]:
        raise NotImplementedError

    @staticmethod
    def run(sql: str, params: Iterable[Any]) -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(sql, tuple(params))
            return list(cursor.fetchall())


class SqliteBackend(Backend):
    """FTS5 with prefix stems: ``"принтер"* AND "hp"*``; bm25 with titles weighted up."""

    def match(self, stems: list[str]) -> str:
        joiner = " OR " if self.any_word else " AND "
        return joiner.join('"' + s.replace('"', "") + '"*' for s in stems)

    def tickets(self, stems: list[str], text: str, scope: QuerySet[Any], n: int) -> list[Any]:
        scope_sql, scope_params = _sql(scope)
        return self.run(
            "SELECT rowid, -bm25(search_ticket_fts, 10.0, 3.0), "  # noqa: S608
            "highlight(search_ticket_fts, 0, %s, %s), 'title', rowid FROM search_ticket_fts "
            f"WHERE search_ticket_fts MATCH %s AND +rowid IN ({scope_sql}) "
            "ORDER BY bm25(search_ticket_fts, 10.0, 3.0) LIMIT %s",
            (MARK_START, MARK_END, self.match(stems), *scope_params, n),
        )

    def articles(
        self, stems: list[str], text: str, scope: QuerySet[Any], notes: QuerySet[Any], n: int
    ) -> list[Any]:
        scope_sql, scope_params = _sql(scope)
        notes_sql, notes_params = _sql(notes)
        return self.run(
            "SELECT rowid, -bm25(search_article_fts), "  # noqa: S608
            "snippet(search_article_fts, 0, %s, %s, '…', 24), kind, ticket_id "
            "FROM search_article_fts WHERE search_article_fts MATCH %s "
            f"AND ticket_id IN ({scope_sql}) "
            f"AND (kind = 'reply' OR ticket_id IN ({notes_sql})) "
            "ORDER BY bm25(search_article_fts) LIMIT %s",
            (MARK_START, MARK_END, self.match(stems), *scope_params, *notes_params, n),
        )

    def kb(self, stems: list[str], text: str, scope: QuerySet[Any], n: int) -> list[Any]:
        scope_sql, scope_params = _sql(scope)
        return self.run(
            "SELECT rowid, -bm25(search_kb_fts, 8.0, 1.0), "  # noqa: S608
            "snippet(search_kb_fts, -1, %s, %s, '…', 24), 'article', NULL FROM search_kb_fts "
            f"WHERE search_kb_fts MATCH %s AND +rowid IN ({scope_sql}) "
            "ORDER BY bm25(search_kb_fts, 8.0, 1.0) LIMIT %s",
            (MARK_START, MARK_END, self.match(stems), *scope_params, n),
        )


def get_backend(*, any_word: bool = False, wide_scope: bool = False) -> Backend:
    if connection.vendor == "postgresql":
        from .postgres import PostgresBackend

        return PostgresBackend(any_word=any_word, wide_scope=wide_scope)
    return SqliteBackend(any_word=any_word, wide_scope=wide_scope)


def _offset(cursor: str) -> int:
    return int(cursor) if cursor.isdigit() and int(cursor) < 10_000 else 0


def find_ticket_number(user: Any, text: str) -> Ticket | None:
    """``123`` or ``#123`` names a ticket: the visible one, or nothing."""
    match = TICKET_NUMBER.match(text or "")
    if match is None:
        return None
    return visible_tickets(user).filter(pk=int(match.group(1))).first()


def search(
    user: Any,
    text: str,
    *,
    kinds: Iterable[str] = KINDS,
    filters: TicketFilter | Mapping[str, Any] | None = None,
    limit: int = 20,
    cursor: str = "",
    match: str = "all",
) -> SearchResults:
    """Ranked, permission-scoped hits for ``text``; ``cursor`` continues a previous page.

    ``match="any"`` finds items with any of the words (short words ignored), best first.
    """
    text = (text or "").strip()[:200]
    results = SearchResults(query=text)
    kinds = set(kinds) & set(KINDS)
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = _offset(cursor or "")
    if "tickets" in kinds and offset == 0:
        results.exact_ticket = find_ticket_number(user, text)
    stems = query_stems(text)
    if match == "any":
        stems = [s for s in stems if len(s) >= ANY_MIN_LENGTH]
    if not stems:
        return results
    is_agent = bool(getattr(user, "is_agent", False))
    backend = get_backend(any_word=match == "any", wide_scope=is_agent)
    want = offset + limit + 1
    rows: list[tuple[str, Any]] = []
    if kinds & {"tickets", "articles"}:
        tickets = ticket_filter(filters).apply(visible_tickets(user), user=user)
        if "tickets" in kinds:
            rows += [("ticket", r) for r in backend.tickets(stems, text, tickets, want)]
        if "articles" in kinds:
            notes = note_scope(user)
            rows += [
                ("article", r) for r in backend.articles(stems, text, tickets, notes, want * 3)
            ]
    if "kb" in kinds:
        kb_scope = visible_articles(user, include_drafts=is_agent)
        rows += [("kb", r) for r in backend.kb(stems, text, kb_scope, want)]
    rows.sort(key=lambda item: -float(item[1][1] or 0))

    hits: list[Hit] = []
    by_ticket: dict[int, Hit] = {}
    for kind, (pk, rank, snippet, source, ticket_id) in rows:
        if kind == "kb":
            hits.append(Hit("kb", int(pk), float(rank or 0), render_snippet(snippet), "article"))
            continue
        seen = by_ticket.get(int(ticket_id))
        if seen is not None:  # one hit per ticket, ranked by its best match
            if seen.source == "title" and source != "title" and MARK_START in (snippet or ""):
                # The title is shown anyway: the matching reply says more.
                seen.snippet, seen.source = render_snippet(snippet), source
            continue
        hit = Hit("ticket", int(ticket_id), float(rank or 0), render_snippet(snippet), source)
        by_ticket[hit.pk] = hit
        hits.append(hit)
    page = hits[offset : offset + limit]
    if len(hits) > offset + limit:
        results.next_cursor = str(offset + limit)
    _attach_objects(page)
    results.hits = [hit for hit in page if hit.ticket is not None or hit.article is not None]
    return results


def _attach_objects(hits: list[Hit]) -> None:
    ticket_ids = [h.pk for h in hits if h.kind == "ticket"]
    kb_ids = [h.pk for h in hits if h.kind == "kb"]
    tickets = (
        Ticket.objects.filter(pk__in=ticket_ids)
        .select_related("status", "requester", "team", "assignee")
        .in_bulk()
        if ticket_ids
        else {}
    )
    articles = (
        KbArticle.objects.filter(pk__in=kb_ids).select_related("category").in_bulk()
        if kb_ids
        else {}
    )
    for hit in hits:
        if hit.kind == "ticket":
            hit.ticket = tickets.get(hit.pk)
        else:
            hit.article = articles.get(hit.pk)


def ticket_url(user: Any, ticket: Ticket) -> str:
    if getattr(user, "is_agent", False) and ticket.requester_id != user.pk:
        return reverse("desk:ticket", args=[ticket.pk])
    return reverse("portal:ticket", args=[ticket.pk])
