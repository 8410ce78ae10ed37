"""The full-text index, maintained on write by database triggers.

Tickets, ticket articles (public replies and internal notes) and KB articles are indexed by
triggers on their own tables, so ``tickets.actions`` and ``kb.actions`` need no search code
and nothing can forget to update the index.

- PostgreSQL: ``search_ticketdocument`` / ``search_ticketarticledocument`` / ``search_kbdocument``
  hold a ``tsvector`` built with the ``russian`` configuration (Russian Snowball stemmer for
  Cyrillic words, English Snowball stemmer for Latin words) plus the ``simple`` configuration
  (every word unchanged: Ukrainian, product names, codes), each with a GIN index;
  ``search_ticketdocument.plain`` has a ``pg_trgm`` GIN index for ticket numbers, e-mail
  addresses and parts of words.
- SQLite: FTS5 virtual tables with the ``unicode61 remove_diacritics 2`` tokenizer.

The bulk loader (``okno demo --tickets N``) defers the ticket and article triggers for its own
transactions and writes the same documents set-based (``DEFERRED_SETTING``,
``document_statements``).

``install`` is idempotent: the migration calls it, and so does ``post_migrate`` (SQLite drops a
table's triggers when a later migration rebuilds that table; they are put back and the index
rebuilt when that happened).
"""

from __future__ import annotations

from typing import Any

TOKENIZER = "unicode61 remove_diacritics 2"
INDEXED_KINDS = ("reply", "note")

# --- SQLite ------------------------------------------------------------------------------------
SQLITE_TABLES = {
    "search_ticket_fts": f"CREATE VIRTUAL TABLE IF NOT EXISTS search_ticket_fts USING fts5("
    f"title, meta, tokenize = '{TOKENIZER}')",
    "search_article_fts": f"CREATE VIRTUAL TABLE IF NOT EXISTS search_article_fts USING fts5("
    f"body, ticket_id UNINDEXED, kind UNINDEXED, tokenize = '{TOKENIZER}')",
    "search_kb_fts": f"CREATE VIRTUAL TABLE IF NOT EXISTS search_kb_fts USING fts5("
    f"title, body, tokenize = '{TOKENIZER}')",
}
_SQLITE_TICKET_ROW = (
    "INSERT INTO search_ticket_fts(rowid, title, meta) VALUES (new.id, new.title, "
    "coalesce((SELECT email FROM accounts_user WHERE id = new.requester_id), '') "
    "|| ' ' || new.id);"
)
_SQLITE_ARTICLE_ROW = (
    "INSERT INTO search_article_fts(rowid, body, ticket_id, kind) "
    "SELECT new.id, new.body_text, new.ticket_id, new.kind WHERE new.kind IN ('reply', 'note');"
)
_SQLITE_KB_ROW = (
    "INSERT INTO search_kb_fts(rowid, title, body) VALUES "
    "(new.id, new.title, new.summary || ' ' || new.body_text);"
)
SQLITE_TRIGGERS = {
    "search_ticket_ai": f"AFTER INSERT ON tickets_ticket BEGIN {_SQLITE_TICKET_ROW} END",
    "search_ticket_au": "AFTER UPDATE OF title, requester_id ON tickets_ticket BEGIN "  # noqa: S608
    f"DELETE FROM search_ticket_fts WHERE rowid = old.id; {_SQLITE_TICKET_ROW} END",
    "search_ticket_ad": "AFTER DELETE ON tickets_ticket BEGIN "
    "DELETE FROM search_ticket_fts WHERE rowid = old.id; END",
    "search_article_ai": f"AFTER INSERT ON tickets_article BEGIN {_SQLITE_ARTICLE_ROW} END",
    "search_article_au": "AFTER UPDATE OF body_text, kind ON tickets_article BEGIN "  # noqa: S608
    f"DELETE FROM search_article_fts WHERE rowid = old.id; {_SQLITE_ARTICLE_ROW} END",
    "search_article_ad": "AFTER DELETE ON tickets_article BEGIN "
    "DELETE FROM search_article_fts WHERE rowid = old.id; END",
    "search_kb_ai": f"AFTER INSERT ON kb_article BEGIN {_SQLITE_KB_ROW} END",
    "search_kb_au": "AFTER UPDATE OF title, summary, body_text ON kb_article BEGIN "  # noqa: S608
    f"DELETE FROM search_kb_fts WHERE rowid = old.id; {_SQLITE_KB_ROW} END",
    "search_kb_ad": "AFTER DELETE ON kb_article BEGIN "
    "DELETE FROM search_kb_fts WHERE rowid = old.id; END",
}
SQLITE_REBUILD = [
    "DELETE FROM search_ticket_fts",
    "INSERT INTO search_ticket_fts(rowid, title, meta) SELECT t.id, t.title, "
    "coalesce(u.email, '') || ' ' || t.id FROM tickets_ticket t "
    "LEFT JOIN accounts_user u ON u.id = t.requester_id",
    "DELETE FROM search_article_fts",
    "INSERT INTO search_article_fts(rowid, body, ticket_id, kind) SELECT id, body_text, "
    "ticket_id, kind FROM tickets_article WHERE kind IN ('reply', 'note')",
    "DELETE FROM search_kb_fts",
    "INSERT INTO search_kb_fts(rowid, title, body) SELECT id, title, "
    "summary || ' ' || body_text FROM kb_article",
]

# --- PostgreSQL --------------------------------------------------------------------------------
# A session that sets this (``SET LOCAL okno.search_deferred = 'on'``) writes the ticket and
# article documents itself, set-based, in the same transaction (``document_statements``): the
# bulk loader does, so that millions of rows are not indexed one trigger call at a time. Every
# other session, and every later transaction of that one, is indexed by the triggers as usual.
DEFERRED_SETTING = "okno.search_deferred"
_WHEN_NOT_DEFERRED = f"WHEN (current_setting('{DEFERRED_SETTING}', true) IS DISTINCT FROM 'on')"

# One definition of each document, over a row (``NEW`` in the triggers, a table alias in the
# set-based statements), so the loader's documents are exactly the triggers' documents.
_TICKET_DOCUMENT = (
    "{r}.id, okno_search_vector({r}.title, coalesce(u.email, '')), "
    "{r}.title || ' ' || coalesce(u.email, '') || ' #' || {r}.id"
)
_ARTICLE_VECTOR = "okno_search_vector('', {r}.body_text)"
_ARTICLE_DOCUMENT = "{r}.id, {r}.ticket_id, {r}.kind, " + _ARTICLE_VECTOR
_KINDS_SQL = ", ".join(f"'{kind}'" for kind in INDEXED_KINDS)
_INSERT_TICKET_DOCUMENT = "INSERT INTO search_ticketdocument (ticket_id, document, plain) "
_INSERT_ARTICLE_DOCUMENT = (
    "INSERT INTO search_ticketarticledocument (article_id, ticket_id, kind, document) "
)
# (S608: every piece of these statements is a constant of this module.)
_TICKET_DOCUMENTS = (
    f"{_INSERT_TICKET_DOCUMENT}SELECT {_TICKET_DOCUMENT.format(r='t')} "  # noqa: S608
    "FROM tickets_ticket t LEFT JOIN accounts_user u ON u.id = t.requester_id"
)
_ARTICLE_DOCUMENTS = (
    f"{_INSERT_ARTICLE_DOCUMENT}SELECT {_ARTICLE_DOCUMENT.format(r='a')} "  # noqa: S608
    f"FROM tickets_article a WHERE a.kind IN ({_KINDS_SQL})"
)

PG_INSTALL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE OR REPLACE FUNCTION okno_search_vector(head text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
      SELECT setweight(to_tsvector('russian', coalesce(head, '')), 'A')
          || setweight(to_tsvector('simple', coalesce(head, '')), 'A')
          || setweight(to_tsvector('russian', left(coalesce(body, ''), 200000)), 'B')
          || setweight(to_tsvector('simple', left(coalesce(body, ''), 200000)), 'B')
    $$""",
    f"""
    CREATE OR REPLACE FUNCTION okno_search_ticket_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        DELETE FROM search_ticketdocument WHERE ticket_id = OLD.id;
        RETURN OLD;
      END IF;
      {_INSERT_TICKET_DOCUMENT}
      SELECT {_TICKET_DOCUMENT.format(r="NEW")}
        FROM (SELECT 1) AS one LEFT JOIN accounts_user u ON u.id = NEW.requester_id
      ON CONFLICT (ticket_id) DO UPDATE SET document = EXCLUDED.document, plain = EXCLUDED.plain;
      RETURN NEW;
    END $$""",  # noqa: S608
    f"""
    CREATE OR REPLACE FUNCTION okno_search_article_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR NEW.kind NOT IN ({_KINDS_SQL}) THEN
        DELETE FROM search_ticketarticledocument
         WHERE article_id = (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END IF;
      {_INSERT_ARTICLE_DOCUMENT}
      VALUES ({_ARTICLE_DOCUMENT.format(r="NEW")})
      ON CONFLICT (article_id) DO UPDATE SET ticket_id = EXCLUDED.ticket_id,
        kind = EXCLUDED.kind, document = EXCLUDED.document;
      RETURN NEW;
    END $$""",  # noqa: S608
    """
    CREATE OR REPLACE FUNCTION okno_search_kb_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        DELETE FROM search_kbdocument WHERE article_id = OLD.id;
        RETURN OLD;
      END IF;
      INSERT INTO search_kbdocument (article_id, document)
      VALUES (NEW.id, okno_search_vector(NEW.title || ' ' || NEW.summary, NEW.body_text))
      ON CONFLICT (article_id) DO UPDATE SET document = EXCLUDED.document;
      RETURN NEW;
    END $$""",
    "DROP TRIGGER IF EXISTS okno_search_ticket ON tickets_ticket",
    "CREATE TRIGGER okno_search_ticket AFTER INSERT OR DELETE OR UPDATE OF title, requester_id "
    f"ON tickets_ticket FOR EACH ROW {_WHEN_NOT_DEFERRED} "
    "EXECUTE FUNCTION okno_search_ticket_sync()",
    "DROP TRIGGER IF EXISTS okno_search_article ON tickets_article",
    "CREATE TRIGGER okno_search_article AFTER INSERT OR DELETE OR UPDATE OF body_text, kind "
    f"ON tickets_article FOR EACH ROW {_WHEN_NOT_DEFERRED} "
    "EXECUTE FUNCTION okno_search_article_sync()",
    "DROP TRIGGER IF EXISTS okno_search_kb ON kb_article",
    "CREATE TRIGGER okno_search_kb AFTER INSERT OR DELETE OR UPDATE OF title, summary, body_text "
    "ON kb_article FOR EACH ROW EXECUTE FUNCTION okno_search_kb_sync()",
    "CREATE INDEX IF NOT EXISTS search_ticket_gin ON search_ticketdocument USING gin (document)",
    "CREATE INDEX IF NOT EXISTS search_ticket_trgm ON search_ticketdocument "
    "USING gin (plain gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS search_article_gin ON search_ticketarticledocument "
    "USING gin (document)",
    "CREATE INDEX IF NOT EXISTS search_kb_gin ON search_kbdocument USING gin (document)",
]
PG_REBUILD = [
    "DELETE FROM search_ticketdocument",
    _TICKET_DOCUMENTS,
    "DELETE FROM search_ticketarticledocument",
    _ARTICLE_DOCUMENTS,
    "DELETE FROM search_kbdocument",
    "INSERT INTO search_kbdocument (article_id, document) "
    "SELECT id, okno_search_vector(title || ' ' || summary, body_text) FROM kb_article",
]
# The tables whose documents a deferring session writes itself.
DOCUMENT_TABLES = ("search_ticketdocument", "search_ticketarticledocument")


# Articles in an id range, each distinct body vectorized once: ``okno_search_vector`` is
# IMMUTABLE, so equal texts have equal documents, and a bulk load's replies repeat (the data
# set's ~15,500 articles per chunk have ~2,100 distinct bodies). MATERIALIZED keeps PostgreSQL
# from moving the call above the join, where it would run once per article again.
_RANGE = f"{{r}}.kind IN ({_KINDS_SQL}) AND {{r}}.id BETWEEN %s AND %s"
_ARTICLE_DOCUMENTS_IN_RANGE = (
    "WITH texts AS MATERIALIZED (SELECT body_text, "  # noqa: S608 - module constants
    f"{_ARTICLE_VECTOR.format(r='tickets_article')} AS document "
    f"FROM tickets_article WHERE {_RANGE.format(r='tickets_article')} GROUP BY body_text) "
    f"{_INSERT_ARTICLE_DOCUMENT}SELECT a.id, a.ticket_id, a.kind, texts.document "
    "FROM tickets_article a JOIN texts ON texts.body_text = a.body_text "
    f"WHERE {_RANGE.format(r='a')}"
)


def triggers_defer(connection: Any) -> bool:
    """Whether the ticket and article triggers honour ``DEFERRED_SETTING`` (migration
    ``search.0003`` and later): only then may a session write those documents itself."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname IN "
            "('okno_search_ticket', 'okno_search_article') "
            "AND pg_get_triggerdef(oid) LIKE %s",
            [f"%{DEFERRED_SETTING}%"],
        )
        return cursor.fetchone()[0] == 2


def document_statements(
    tickets: tuple[int, int], articles: tuple[int, int]
) -> list[tuple[str, list[int]]]:
    """The set-based statements that write the documents of the tickets and articles with ids
    in the two inclusive ranges, as the triggers would have (for a session that set
    ``DEFERRED_SETTING``, in the transaction that wrote those rows)."""
    return [
        (_TICKET_DOCUMENTS + " WHERE t.id BETWEEN %s AND %s", list(tickets)),
        (_ARTICLE_DOCUMENTS_IN_RANGE, [*articles, *articles]),
    ]


PG_UNINSTALL = [
    "DROP TRIGGER IF EXISTS okno_search_ticket ON tickets_ticket",
    "DROP TRIGGER IF EXISTS okno_search_article ON tickets_article",
    "DROP TRIGGER IF EXISTS okno_search_kb ON kb_article",
    "DROP FUNCTION IF EXISTS okno_search_ticket_sync()",
    "DROP FUNCTION IF EXISTS okno_search_article_sync()",
    "DROP FUNCTION IF EXISTS okno_search_kb_sync()",
    "DROP FUNCTION IF EXISTS okno_search_vector(text, text)",
    "DROP INDEX IF EXISTS search_ticket_gin",
    "DROP INDEX IF EXISTS search_ticket_trgm",
    "DROP INDEX IF EXISTS search_article_gin",
    "DROP INDEX IF EXISTS search_kb_gin",
    # pg_trgm stays: other code may use it, and dropping an extension needs more rights.
]


def _sqlite_missing_triggers(cursor: Any) -> set[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    present = {row[0] for row in cursor.fetchall()}
    return set(SQLITE_TRIGGERS) - present


def install(connection: Any) -> bool:
    """Create (or repair) the index and its triggers; returns True when it rebuilt the index."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'okno_search_%%'")
            complete = cursor.fetchone()[0] == 3
            for statement in PG_INSTALL:
                cursor.execute(statement)
            if not complete:
                for statement in PG_REBUILD:
                    cursor.execute(statement)
            return not complete
        if connection.vendor == "sqlite":
            for statement in SQLITE_TABLES.values():
                cursor.execute(statement)
            missing = _sqlite_missing_triggers(cursor)
            for name in missing:
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {SQLITE_TRIGGERS[name]}")
            if missing:
                for statement in SQLITE_REBUILD:
                    cursor.execute(statement)
            return bool(missing)
    return False


def rebuild(connection: Any) -> None:
    """Re-index everything from the source tables (``manage.py search_reindex``)."""
    install(connection)
    statements = PG_REBUILD if connection.vendor == "postgresql" else SQLITE_REBUILD
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in PG_UNINSTALL:
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for table in SQLITE_TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
