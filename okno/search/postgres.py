"""PostgreSQL full-text search that stays fast at millions of tickets.

Three rules keep a query's cost proportional to what the page shows, not to the table:

- **The permission scope is checked per hit.** Each candidate document is joined to its
  ``tickets_ticket`` row by primary key and that row is filtered with the scope predicate
  (``visible_tickets`` and the page's filters, compiled by :func:`row_filter`). Nothing hashes
  or sorts the whole set of tickets a person may see. The planner drives the query from
  whichever side is smaller: the word's index entries for an agent, the requester's own
  tickets (``ticket_requester``) for a requester.
- **Only the newest candidates are ranked.** The matching, visible documents are taken newest
  first (ticket or article id, descending) and at most ``CANDIDATES`` of them go to
  ``ts_rank``; the page is the best of those. While a word has fewer visible hits than that,
  the ranking is exact; for a word on tens of thousands of tickets, the best matches among its
  newest ``CANDIDATES`` are shown and older ones only through more words or filters. Nothing is
  counted: a full page with a "more" link is all the page says.
- **Newest windows first.** An agent's query looks at the newest 5,000 tickets, then 50,000,
  then 500,000, then all, and stops as soon as a window holds ``CANDIDATES`` visible matches
  (``WINDOWS``): each window is an index range (bitmap-combined with the word's GIN entries), so
  neither a common nor a rare word reads more than it needs.
- **Trigrams only where words cannot match.** ``plain ILIKE '%text%'`` (the ``pg_trgm``
  index on title, requester e-mail and ``#number``) runs when the text looks like an
  identifier (digits, ``@``, ``.``, ``-``, ``_``: ticket numbers, e-mail addresses, host names,
  error codes) or when the words found fewer hits than the page needs (parts of words inside
  other words). A common word never pays for a trigram scan of every title that contains it.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import QuerySet

from .backends import ANY_MIN_LENGTH, MARK_END, MARK_START, Backend, _sql
from .stemming import words as query_words

CANDIDATES = 100  # documents per kind that get ranked: the newest visible matches
# Windows of the newest tickets searched in turn (agents): the newest 5,000 tickets, then
# 50,000, then 500,000, then all. A query stops at the first window that holds CANDIDATES
# visible matches - the same newest matches a search of everything would rank - so a common
# word costs the first window and a rare word a few index lookups, whatever the table's size.
# (Walking one index newest-first until enough rows pass the word is fast only when the word is
# common; for a rare one it reads the whole table, which PostgreSQL cannot know in advance.)
WINDOWS = (5_000, 20_000, 100_000, 500_000)
# Windows up to this many tickets are read by the ticket-id range alone and each document is
# tested against the word: cheaper than the GIN index when the word is common (its bitmap
# holds every matching document of the table, hundreds of thousands at 5M tickets).
RANGE_ONLY = 20_000
IDENTIFIER = re.compile(r"[\d@._\-]")
TRIGRAM_MIN_LENGTH = 3


def row_filter(tickets: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    """The scope of a ``Ticket`` queryset as a predicate on one joined ``tickets_ticket`` row.

    ``TRUE`` when it filters nothing, ``FALSE`` for ``.none()``. A filter that needs another
    table (``status__key``) cannot be written on the row alone; it becomes a primary-key
    ``IN`` (still checked per hit).
    """
    query = tickets.query
    if query.is_empty():
        return "FALSE", ()
    joined = [a for a, n in query.alias_refcount.items() if n and a != query.base_table]
    if joined:
        sql, params = tickets.order_by().values("id").query.sql_with_params()
        return f"tickets_ticket.id IN ({sql})", tuple(params)
    try:
        sql, params = query.get_compiler(connection=connection).compile(query.where)
    except EmptyResultSet:
        return "FALSE", ()
    except FullResultSet:
        return "TRUE", ()
    return (sql or "TRUE"), tuple(params)


class PostgresBackend(Backend):
    """tsvector @@ (russian ∪ english ∪ simple prefix stems), ts_rank, ts_headline; pg_trgm
    ``ILIKE`` on ticket titles, requester e-mails and numbers for identifiers and parts of words."""

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

    def scoped(
        self, table: str, scope: QuerySet[Any], notes: QuerySet[Any] | None = None
    ) -> tuple[str, tuple[Any, ...], str, tuple[Any, ...]]:
        """``(source, params, condition, params)``: the documents ``d`` of ``table`` and the
        condition that keeps those of tickets in ``scope`` (with ``notes``: internal notes only
        of the tickets whose notes the person may read).

        A wide scope (agents) is checked hit by hit with a correlated sub-select on the ticket's
        primary key: the planner cannot turn it into a hash of every visible ticket, and walks
        the word's documents newest first until it has enough. A narrow scope (requesters: their
        own and their organization's tickets) drives a nested loop (``LATERAL``) over the
        person's tickets, so its cost is their ticket count whatever the word, however common
        elsewhere.
        """
        where, wp = row_filter(scope)
        notes_where, np = row_filter(notes) if notes is not None else ("TRUE", ())
        if self.wide_scope or where == "TRUE":
            if notes_where != "TRUE":
                where, wp = f"{where} AND (d.kind = 'reply' OR {notes_where})", (*wp, *np)
            if where == "TRUE":
                return f"{table} d", (), "TRUE", ()
            check = f"(SELECT {where} FROM tickets_ticket WHERE tickets_ticket.id = d.ticket_id)"  # noqa: S608
            return f"{table} d", (), check, wp
        source = (
            f"(SELECT tickets_ticket.id, {notes_where} AS notes FROM tickets_ticket "  # noqa: S608
            f"WHERE {where} OFFSET 0) s CROSS JOIN LATERAL "
            f"(SELECT * FROM {table} d0 WHERE d0.ticket_id = s.id OFFSET 0) d"
        )
        condition = "TRUE" if notes is None else "(d.kind = 'reply' OR s.notes)"
        return source, (*np, *wp), condition, ()

    # The tsquery is written out (not joined from a sub-select) wherever it is used, so the
    # planner sees a constant: it estimates the word's frequency and can use the GIN indexes.
    def windows(self) -> list[tuple[int, bool]]:
        """``(lower ticket-id bound, range only)`` per window, newest first (0: everything)."""
        if not self.wide_scope:
            return [(0, False)]  # a narrow scope starts from the person's own tickets
        top = getattr(self, "_top", None)
        if top is None:  # once per search: tickets and articles share the windows
            top = self._top = self.run("SELECT COALESCE(MAX(id), 0) FROM tickets_ticket", ())[0][0]
        return [(top - size, size <= RANGE_ONLY) for size in WINDOWS if top - size > 0] + [
            (0, False)
        ]

    def windowed(self, query: Any, *, whole: bool = False) -> list[Any]:
        """Run ``query(lower, range_only)`` for each window (``whole``: only the last one, all
        tickets) until one holds enough candidates; its rows carry the candidate count as
        their last column, which is dropped."""
        rows: list[Any] = []
        for lower, range_only in self.windows()[-1:] if whole else self.windows():
            rows = query(lower, range_only)
            if rows and rows[0][-1] >= CANDIDATES:
                break
        return [row[:-1] for row in rows]

    @staticmethod
    def matches(q: str, range_only: bool) -> str:
        """The word condition; ``IS TRUE`` hides it from the GIN index (tested row by row)."""
        return f"(d.document @@ {q}) IS TRUE" if range_only else f"d.document @@ {q}"

    def tickets(self, stems: list[str], text: str, scope: QuerySet[Any], n: int) -> list[Any]:
        # An identifier (number, e-mail, host) is found by its trigrams over all tickets at once.
        return self.windowed(
            lambda lower, only: self._tickets(stems, text, scope, n, lower, only),
            whole=bool(IDENTIFIER.search(text)),
        )

    def _tickets(
        self, stems: list[str], text: str, scope: QuerySet[Any], n: int, lower: int, only: bool
    ) -> list[Any]:
        source, jp, scoped, sp = self.scoped("search_ticketdocument", scope)
        q, qp = self._query(stems, text)
        # OFFSET 0 fences the window: the planner matches the word inside it (GIN and the
        # ticket-id range) instead of walking the whole ticket-id index newest first.
        found = (
            "SELECT * FROM (SELECT d.ticket_id AS id, d.document, d.plain "  # noqa: S608
            f"FROM {source} WHERE {self.matches(q, only)} AND d.ticket_id > %s AND {scoped} "
            "OFFSET 0) w ORDER BY w.id DESC LIMIT %s"
        )
        params: list[Any] = [*jp, *qp, lower, *sp, CANDIDATES]
        rank, rank_params = f"ts_rank(c.document, {q})", list(qp)
        candidates = "SELECT * FROM words"
        parts = ""
        if len(text) >= TRIGRAM_MIN_LENGTH and lower == 0:  # parts of words: last window only
            like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            gate = "" if IDENTIFIER.search(text) else "AND (SELECT count(*) FROM words) < %s "
            parts = (
                ", parts AS (SELECT d.ticket_id AS id, d.document, d.plain "  # noqa: S608
                f"FROM {source} WHERE d.plain ILIKE %s AND d.ticket_id > %s "
                f"AND NOT (d.document @@ {q}) AND {scoped} {gate}"
                "ORDER BY d.ticket_id DESC LIMIT %s)"
            )
            params += [*jp, like, lower, *qp, *sp, *([n] if gate else []), CANDIDATES]
            rank, rank_params = f"{rank} + similarity(c.plain, %s)", [*rank_params, text]
            candidates += " UNION ALL SELECT * FROM parts"
        return self.run(
            f"WITH words AS ({found}){parts} "  # noqa: S608
            f"SELECT hit.id, hit.rank, ts_headline('russian', t.title, {q}, %s), 'title', hit.id, "
            f"(SELECT count(*) FROM ({candidates}) n) "
            f"FROM (SELECT c.id, {rank} AS rank FROM ({candidates}) c "
            "ORDER BY rank DESC, c.id DESC LIMIT %s"
            ") hit JOIN tickets_ticket t ON t.id = hit.id ORDER BY hit.rank DESC, hit.id DESC",
            (*params, *qp, self.TITLE_HEADLINE, *rank_params, n),
        )

    def articles(
        self, stems: list[str], text: str, scope: QuerySet[Any], notes: QuerySet[Any], n: int
    ) -> list[Any]:
        return self.windowed(
            lambda lower, only: self._articles(stems, text, scope, notes, n, lower, only)
        )

    def _articles(
        self,
        stems: list[str],
        text: str,
        scope: QuerySet[Any],
        notes: QuerySet[Any],
        n: int,
        lower: int,
        only: bool,
    ) -> list[Any]:
        source, jp, scoped, sp = self.scoped("search_ticketarticledocument", scope, notes)
        q, qp = self._query(stems, text)
        # Newest tickets first within the window, like the tickets' query.
        return self.run(
            "WITH c AS (SELECT * FROM (SELECT d.article_id AS id, d.kind, d.ticket_id, "  # noqa: S608
            f"d.document FROM {source} WHERE {self.matches(q, only)} AND d.ticket_id > %s "
            f"AND {scoped} OFFSET 0) w ORDER BY w.ticket_id DESC, w.id DESC LIMIT %s) "
            f"SELECT hit.id, hit.rank, ts_headline('russian', a.body_text, {q}, %s), "
            "hit.kind, hit.ticket_id, (SELECT count(*) FROM c) FROM ("
            f"SELECT c.id, c.kind, c.ticket_id, ts_rank(c.document, {q}) AS rank FROM c "
            "ORDER BY rank DESC, c.id DESC LIMIT %s"
            ") hit JOIN tickets_article a ON a.id = hit.id ORDER BY hit.rank DESC, hit.id DESC",
            (*jp, *qp, lower, *sp, CANDIDATES, *qp, self.HEADLINE, *qp, n),
        )

    def kb(self, stems: list[str], text: str, scope: QuerySet[Any], n: int) -> list[Any]:
        """The knowledge base is small (thousands of articles): ranked exactly."""
        scope_sql, scope_params = _sql(scope.values("id"))
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
