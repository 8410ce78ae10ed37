"""The one search interface, on whichever database the suite runs (SQLite or PostgreSQL)."""

from __future__ import annotations

import pytest
from django.db import connection

from okno.kb import actions as kb_actions
from okno.kb.models import ArticleStatus, Category, Visibility
from okno.search import schema
from okno.search.backends import render_snippet, search
from okno.tickets import actions


@pytest.fixture
def printer_ticket(requester, service):
    return actions.open_ticket(
        actor=requester,
        title="Не печатает принтер в бухгалтерии",
        description="Принтер HP на третьем этаже мигает красным.",
        service=service,
    )


@pytest.fixture
def kb_category(db):
    return Category.objects.create(name="Printing", slug="printing")


def kb_article(agent, category, title, body, **extra):
    extra.setdefault("status", ArticleStatus.PUBLISHED)
    extra.setdefault("visibility", Visibility.PUBLIC)
    return kb_actions.create_article(
        actor=agent, category=category, title=title, body_html=body, **extra
    )


def ids(results, kind="ticket"):
    return [h.pk for h in results.hits if h.kind == kind]


def test_russian_word_form_finds_the_ticket(agent, printer_ticket):
    results = search(agent, "принтера")
    assert printer_ticket.pk in ids(results)
    hit = next(h for h in results.hits if h.pk == printer_ticket.pk)
    assert "<mark>" in hit.snippet


def test_other_word_forms_and_languages(agent, requester, printer_ticket):
    actions.add_reply(printer_ticket, actor=requester, body="Принтери не друкують з ранку.")
    for query in ("принтеры", "принтером", "принтерів", "ПРИНТЕР", "бухгалтерии"):
        assert printer_ticket.pk in ids(search(agent, query)), query


def test_english_word_forms(agent, requester, service):
    ticket = actions.open_ticket(
        actor=requester, title="Printers keep jamming", description="Paper jams.", service=service
    )
    assert ticket.pk in ids(search(agent, "printer jam"))


def test_partial_word_and_email_find_the_ticket(agent, printer_ticket):
    assert printer_ticket.pk in ids(search(agent, "бухгалт"))
    assert printer_ticket.pk in ids(search(agent, "rita@acme.test"))


def test_words_in_replies_are_found_and_highlighted(agent, requester, printer_ticket):
    actions.add_reply(printer_ticket, actor=agent, body="Заменили картридж, проверьте печать.")
    results = search(agent, "картриджа", kinds=("articles",))
    assert ids(results) == [printer_ticket.pk]
    assert results.hits[0].source == "reply"
    assert "<mark>" in results.hits[0].snippet


def test_requester_never_finds_internal_notes(agent, requester, printer_ticket):
    actions.add_note(printer_ticket, actor=agent, body="Секретный пароль администратора")
    assert ids(search(requester, "пароль")) == []
    assert ids(search(agent, "пароль")) == [printer_ticket.pk]


def test_outsider_finds_nothing_of_another_organization(outsider, printer_ticket):
    assert search(outsider, "принтер").hits == []
    assert search(outsider, f"#{printer_ticket.pk}").exact_ticket is None


def test_agent_of_another_team_sees_no_notes(specialist, agent, printer_ticket):
    actions.add_note(printer_ticket, actor=agent, body="Контрольная фраза заметки")
    assert ids(search(specialist, "контрольная")) == []


def test_ticket_number_opens_the_ticket(agent, requester, printer_ticket):
    for text in (str(printer_ticket.pk), f"#{printer_ticket.pk}", f" # {printer_ticket.pk} "):
        assert search(agent, text).exact_ticket == printer_ticket
    assert search(requester, f"#{printer_ticket.pk}").exact_ticket == printer_ticket


def test_filters_combine_with_text(agent, requester, service, printer_ticket):
    other = actions.open_ticket(actor=requester, title="Принтер в переговорной", description="x")
    assert set(ids(search(agent, "принтер"))) == {printer_ticket.pk, other.pk}
    assert ids(search(agent, "принтер", filters={"service": str(service.pk)})) == [
        printer_ticket.pk
    ]
    assert ids(search(agent, "принтер", filters={"state": "closed"})) == []


def test_kb_visibility_in_search(agent, requester, outsider, acme, kb_category):
    public = kb_article(agent, kb_category, "Как заменить картридж принтера", "<p>Откройте…</p>")
    internal = kb_article(
        agent, kb_category, "Сброс принтера (внутреннее)", "<p>Сервисный режим</p>",
        visibility=Visibility.AGENTS,
    )  # fmt: skip
    for_acme = kb_article(
        agent, kb_category, "Принтеры Acme", "<p>Адреса принтеров</p>",
        visibility=Visibility.ORGANIZATIONS, organizations=[acme],
    )  # fmt: skip
    draft = kb_article(agent, kb_category, "Черновик о принтере", "<p>…</p>", status="draft")
    assert set(ids(search(None, "принтер"), "kb")) == {public.pk}
    assert set(ids(search(outsider, "принтер"), "kb")) == {public.pk}
    assert set(ids(search(requester, "принтер"), "kb")) == {public.pk, for_acme.pk}
    assert set(ids(search(agent, "принтер"), "kb")) == {
        public.pk, internal.pk, for_acme.pk, draft.pk,
    }  # fmt: skip


def test_index_follows_edits_and_deletes(agent, printer_ticket, kb_category):
    actions.update_ticket(printer_ticket, actor=agent, title="Сканер не сканирует")
    assert ids(search(agent, "принтер", kinds=("tickets",))) == []
    assert ids(search(agent, "сканер", kinds=("tickets",))) == [printer_ticket.pk]
    article = kb_article(agent, kb_category, "Сканер", "<p>Старый текст</p>")
    kb_actions.update_article(article, actor=agent, body_html="<p>Новый абзац</p>")
    assert ids(search(agent, "абзац"), "kb") == [article.pk]
    assert ids(search(agent, "старый"), "kb") == []
    article.delete()
    assert ids(search(agent, "абзац"), "kb") == []


def test_pagination_with_cursor(agent, requester, service):
    for n in range(5):
        actions.open_ticket(actor=requester, title=f"Монитор мерцает {n}", description="x")
    first = search(agent, "монитор", limit=3)
    assert len(first.hits) == 3 and first.next_cursor
    second = search(agent, "монитор", limit=3, cursor=first.next_cursor)
    assert len(second.hits) == 2 and not second.next_cursor
    assert not set(ids(first)) & set(ids(second))


def test_query_syntax_is_never_an_error(agent, printer_ticket):
    for text in ('"', "AND OR NOT", "prin*", "(", "'; DROP TABLE x; --", "a:b", "NEAR(", "%_"):
        search(agent, text)  # must not raise


def test_snippet_escapes_everything_but_our_marks():
    raw = "<script>x</script> \x02принтер\x03 & <b>"
    assert render_snippet(raw) == (
        "&lt;script&gt;x&lt;/script&gt; <mark>принтер</mark> &amp; &lt;b&gt;"
    )
    assert render_snippet("\x02open") == "<mark>open</mark>"
    assert render_snippet("close\x03") == "close"


def test_rebuild_and_repair_restore_the_index(agent, printer_ticket):
    schema.uninstall(connection)
    assert schema.install(connection) is True  # triggers were missing: index rebuilt
    assert printer_ticket.pk in ids(search(agent, "принтера"))
    assert schema.install(connection) is False
    schema.rebuild(connection)
    assert printer_ticket.pk in ids(search(agent, "принтера"))


def test_any_word_mode_for_suggestions_from_a_subject(agent, requester, kb_category):
    article = kb_article(agent, kb_category, "Принтер зажевал бумагу", "<p>Откройте крышку.</p>")
    assert ids(search(requester, "Не работает принтера", kinds=("kb",)), "kb") == []
    hits = search(requester, "Не работает принтера", kinds=("kb",), match="any")
    assert ids(hits, "kb") == [article.pk]
    assert ids(search(requester, "не в на", kinds=("kb",), match="any"), "kb") == []
