"""One search interface over PostgreSQL full-text and SQLite FTS5, scoped by permissions.

``search(user, text, kinds=..., filters=..., limit=..., cursor=...)`` returns ranked hits with
highlighted snippets. Tickets are scoped by ``accounts.queries.visible_tickets`` (internal notes
only where the person can work on the ticket), KB articles by ``kb.queries.visible_articles``.
The scope querysets are compiled into the full-text SQL as sub-selects, so ranking and
pagination happen after the permission filter, in the database.

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
from django.db.models import Q, QuerySet
from django.urls import reverse

from okno.accounts.models import Role
from okno.accounts.queries import agent_team_ids, visible_tickets
from okno.kb.models import Article as KbArticle
from okno.kb.queries import visible_articles
from okno.tickets.filters import TicketFilter
from okno.tickets.models import Ticket

from .stemming import query_stems
from .stemming import words as query_words

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
    """The scope as a sub-select; an empty scope (``.none()``) selects no row."""
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:
        return "SELECT CAST(NULL AS BIGINT) WHERE 1 = 0", ()
    return sql, tuple(params)


def note_scope(user: Any, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Tickets whose internal notes this person may read (``can_work_on`` as a filter)."""
    if not getattr(user, "is_agent", False):
        return tickets.none()
    if user.role in {Role.MANAGER, Role.ADMIN} or user.is_superuser:
        return tickets
    return tickets.filter(Q(team_id__in=agent_team_ids(user)) | Q(assignee=user))


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

    ``any_word`` matches articles containing any of the words (best first) instead of all of
    them: for suggestions from a free-text subject such as "не работает принтер".
    """

    def __init__(self, *, any_word: bool = False) -> None:
        self.any_word = any_word

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
            f"AND ((kind = 'reply' AND ticket_id IN ({scope_sql})) "
            f"OR (kind = 'note' AND ticket_id IN ({notes_sql}))) "
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


class PostgresBackend(Backend):
    """tsvector @@ (russian ∪ english ∪ simple prefix stems), ts_rank, ts_headline; pg_trgm
    ``ILIKE`` on ticket titles, requester e-mails and numbers for parts of words."""

    HEADLINE = f'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
    TITLE_HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"

    def tsquery(self, stems: list[str]) -> str:
        joiner = " | " if self.any_word else " & "
        return joiner.join("'" + s.replace("'", "") + "':*" for s in stems)

    def _query(self, stems: list[str], text: str) -> tuple[str, tuple[Any, ...]]:
        if self.any_word:
            long_words = [w for w in query_words(text) if len(w) >= ANY_MIN_LENGTH]
            words = " | ".join("'" + w.replace("'", "") + "'" for w in long_words)
            return (
                "(to_tsquery('russian', %s) || to_tsquery('simple', %s))",
                (words, self.tsquery(stems)),
            )
        return (
            "(websearch_to_tsquery('russian', %s) || websearch_to_tsquery('english', %s) "
            "|| to_tsquery('simple', %s))",
            (text, text, self.tsquery(stems)),
        )

    # The tsquery is written out (not joined from a sub-select) wherever it is used, so the
    # planner sees a constant and can use the GIN indexes.
    def tickets(self, stems: list[str], text: str, scope: QuerySet[Any], n: int) -> list[Any]:
        scope_sql, scope_params = _sql(scope)
        q, qp = self._query(stems, text)
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        if len(text) >= 3:  # trigram: numbers, e-mail addresses, parts of words
            rank = f"ts_rank(d.document, {q}) + similarity(d.plain, %s)"
            rank_params: tuple[Any, ...] = (*qp, text)
            where = f"(d.document @@ {q} OR d.plain ILIKE %s)"
            where_params: tuple[Any, ...] = (*qp, like)
        else:
            rank, rank_params = f"ts_rank(d.document, {q})", qp
            where, where_params = f"d.document @@ {q}", qp
        return self.run(
            f"SELECT hit.id, hit.rank, ts_headline('russian', t.title, {q}, %s), 'title', hit.id "  # noqa: S608
            f"FROM (SELECT d.ticket_id AS id, {rank} AS rank FROM search_ticketdocument d "
            f"WHERE {where} AND d.ticket_id IN ({scope_sql}) "
            "ORDER BY rank DESC, d.ticket_id DESC LIMIT %s"
            ") hit JOIN tickets_ticket t ON t.id = hit.id ORDER BY hit.rank DESC, hit.id DESC",
            (*qp, self.TITLE_HEADLINE, *rank_params, *where_params, *scope_params, n),
        )

    def articles(
        self, stems: list[str], text: str, scope: QuerySet[Any], notes: QuerySet[Any], n: int
    ) -> list[Any]:
        scope_sql, scope_params = _sql(scope)
        notes_sql, notes_params = _sql(notes)
        q, qp = self._query(stems, text)
        return self.run(
            f"SELECT hit.id, hit.rank, ts_headline('russian', a.body_text, {q}, %s), "  # noqa: S608
            "hit.kind, hit.ticket_id FROM (SELECT d.article_id AS id, d.kind, d.ticket_id, "
            f"ts_rank(d.document, {q}) AS rank FROM search_ticketarticledocument d "
            f"WHERE d.document @@ {q} "
            f"AND ((d.kind = 'reply' AND d.ticket_id IN ({scope_sql})) "
            f"OR (d.kind = 'note' AND d.ticket_id IN ({notes_sql}))) "
            "ORDER BY rank DESC, d.article_id DESC LIMIT %s"
            ") hit JOIN tickets_article a ON a.id = hit.id ORDER BY hit.rank DESC, hit.id DESC",
            (*qp, self.HEADLINE, *qp, *qp, *scope_params, *notes_params, n),
        )

    def kb(self, stems: list[str], text: str, scope: QuerySet[Any], n: int) -> list[Any]:
        scope_sql, scope_params = _sql(scope)
        q, qp = self._query(stems, text)
        return self.run(
            "SELECT hit.id, hit.rank, ts_headline('russian', "  # noqa: S608
            f"a.title || ' · ' || a.summary || ' ' || a.body_text, {q}, %s), "
            "'article', NULL FROM (SELECT d.article_id AS id, "
            f"ts_rank(d.document, {q}) AS rank FROM search_kbdocument d "
            f"WHERE d.document @@ {q} AND d.article_id IN ({scope_sql}) "
            "ORDER BY rank DESC, d.article_id DESC LIMIT %s"
            ") hit JOIN kb_article a ON a.id = hit.id ORDER BY hit.rank DESC, hit.id DESC",
            (*qp, self.HEADLINE, *qp, *qp, *scope_params, n),
        )


def get_backend(*, any_word: bool = False) -> Backend:
    backend = PostgresBackend if connection.vendor == "postgresql" else SqliteBackend
    return backend(any_word=any_word)


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
    backend = get_backend(any_word=match == "any")
    want = offset + limit + 1
    is_agent = bool(getattr(user, "is_agent", False))
    rows: list[tuple[str, Any]] = []
    if kinds & {"tickets", "articles"}:
        tickets = ticket_filter(filters).apply(visible_tickets(user), user=user)
        scope = tickets.values("id")
        if "tickets" in kinds:
            rows += [("ticket", r) for r in backend.tickets(stems, text, scope, want)]
        if "articles" in kinds:
            notes = note_scope(user, tickets).values("id")
            rows += [("article", r) for r in backend.articles(stems, text, scope, notes, want * 3)]
    if "kb" in kinds:
        kb_scope = visible_articles(user, include_drafts=is_agent).values("id")
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
