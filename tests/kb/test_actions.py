"""Knowledge-base writes: sanitizing, versions, variants, feedback, deflections, files."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from okno.kb import actions
from okno.kb.models import ArticleStatus, ArticleVersion, Deflection, Feedback, Visibility
from okno.tickets import actions as ticket_actions
from okno.tickets.attachments import NewAttachment

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def test_html_is_sanitized_and_plain_text_kept(make_article):
    article = make_article(
        body='<p onclick="x()">Hi <script>alert(1)</script><b>there</b></p>'
        '<a href="javascript:alert(1)">bad</a><a href="https://ok.test">ok</a>'
        '<img src="x" onerror="alert(1)"><style>p{}</style>'
    )
    assert "script" not in article.body_html and "onclick" not in article.body_html
    assert "onerror" not in article.body_html and "javascript:" not in article.body_html
    assert "<b>there</b>" in article.body_html
    assert 'rel="noopener noreferrer"' in article.body_html
    assert article.body_text.startswith("Hi there")


def test_every_save_is_a_version(make_article, agent):
    article = make_article(title="v1")
    actions.update_article(article, actor=agent, title="v2", body_html="<p>Second</p>")
    actions.unpublish_article(article, actor=agent)
    numbers = list(article.versions.order_by("number").values_list("number", "title", "status"))
    assert numbers == [
        (1, "v1", "published"),
        (2, "v2", "published"),
        (3, "v2", "draft"),
    ]


def test_cyrillic_titles_get_readable_unique_addresses(make_article):
    first = make_article(title="Не печатает принтер")
    second = make_article(title="Не печатает принтер")
    assert first.slug == "ne-pechataet-printer"
    assert second.slug == "ne-pechataet-printer-2"


def test_bad_input_gives_field_errors_and_saves_nothing(make_article, category, agent):
    with pytest.raises(ValidationError) as exc:
        make_article(
            title=" ",
            body="<script>only script</script>",
            visibility=Visibility.ORGANIZATIONS,
            slug="Bad Slug",
        )
    assert {"title", "body_html", "organizations", "slug"} <= set(exc.value.message_dict)
    assert not ArticleVersion.objects.exists()


def test_files_are_checked_before_anything_is_saved(make_article, agent):
    with pytest.raises(ValidationError) as exc:
        make_article(attachments=[NewAttachment("a.png", PNG), NewAttachment("empty.txt", b"")])
    assert "attachments" in exc.value.message_dict
    article = make_article(attachments=[NewAttachment("../../evil.png", PNG)])
    file = article.attachments.get()
    assert file.filename == "evil.png" and file.content_type == "image/png"


def test_only_agents_write(make_article, requester):
    with pytest.raises(PermissionDenied):
        make_article(actor=requester)


def test_language_variants_share_a_group_one_per_language(make_article):
    english = make_article(title="Printer jams", language="en")
    russian = make_article(title="Принтер зажёвывает", language="ru", translation_of=english)
    assert russian.translation_group == english.translation_group
    with pytest.raises(ValidationError) as exc:
        make_article(title="Again", language="ru", translation_of=english)
    assert "language" in exc.value.message_dict


def test_feedback_once_per_person_and_per_session(make_article, requester):
    article = make_article()
    actions.record_feedback(article, actor=requester, helpful=False, comment="Missing step")
    actions.record_feedback(article, actor=requester, helpful=True)
    actions.record_feedback(article, actor=None, session_key="s1", helpful=True)
    actions.record_feedback(article, actor=None, session_key="s1", helpful=False)
    assert Feedback.objects.count() == 2
    assert Feedback.objects.get(user=requester).helpful is True
    with pytest.raises(ValidationError):
        actions.record_feedback(article, actor=None, helpful=True)


def test_deflection_records_without_a_ticket(make_article, requester):
    article = make_article()
    actions.record_deflection(article, actor=requester, query="printer jams")
    assert Deflection.objects.get().query == "printer jams"
    assert requester.requested_tickets.count() == 0


def test_reply_becomes_a_draft_linked_to_the_ticket(agent, ticket, category):
    reply = ticket_actions.add_reply(ticket, actor=agent, body="Open tray 2.\n\nRemove paper.")
    article = actions.draft_from_ticket_article(reply.pk, actor=agent)
    assert article.status == ArticleStatus.DRAFT and article.visibility == Visibility.AGENTS
    assert article.title == ticket.title
    assert "<p>Open tray 2.</p>" in article.body_html
    assert list(article.related_tickets.all()) == [ticket]


def test_reply_of_a_ticket_the_agent_cannot_work_on_is_refused(specialist, agent, ticket):
    from django.http import Http404

    reply = ticket_actions.add_reply(ticket, actor=agent, body="Secret fix")
    with pytest.raises((Http404, PermissionDenied)):
        actions.draft_from_ticket_article(reply.pk, actor=specialist)
