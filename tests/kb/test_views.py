"""Knowledge-base pages: public reading, SEO tags, editor, feedback, files, suggestions."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from okno.kb import actions
from okno.kb.models import Article, ArticleStatus, Deflection, Feedback, Visibility
from okno.tickets import actions as ticket_actions
from okno.tickets.attachments import NewAttachment

from .test_actions import PNG


def url(article):
    return reverse("kb:article", args=[article.category.slug, article.slug])


def test_public_article_has_clean_url_meta_and_canonical(client, make_article):
    article = make_article(title="Printer jams", summary="Clear a paper jam in two minutes.")
    assert url(article) == "/kb/printing/printer-jams/"
    response = client.get(url(article))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<meta name="description" content="Clear a paper jam in two minutes.">' in body
    assert '<link rel="canonical" href="http://testserver/kb/printing/printer-jams/">' in body
    assert "noindex" not in body


@pytest.mark.parametrize(
    ("visibility", "status"),
    [(Visibility.AGENTS, "published"), (Visibility.ORGANIZATIONS, "published"),
     (Visibility.PUBLIC, "draft")],
)  # fmt: skip
def test_anonymous_and_outsiders_get_404_for_restricted_articles(
    client, make_article, acme, outsider, visibility, status
):
    article = make_article(visibility=visibility, status=status, organizations=[acme])
    assert client.get(url(article)).status_code == 404
    client.force_login(outsider)
    assert client.get(url(article)).status_code == 404


def test_organization_articles_for_their_requesters(client, make_article, acme, requester):
    article = make_article(visibility=Visibility.ORGANIZATIONS, organizations=[acme])
    client.force_login(requester)
    response = client.get(url(article))
    assert response.status_code == 200 and b"noindex" in response.content
    assert article.title.encode() in client.get(reverse("kb:home")).content


def test_agents_preview_drafts_and_see_related_tickets(client, make_article, agent, ticket):
    article = make_article(status=ArticleStatus.DRAFT, related_tickets=[ticket])
    client.force_login(agent)
    body = client.get(url(article)).content.decode()
    assert "Draft" in body and f"#{ticket.pk}" in body


def test_sitemap_lists_public_published_articles_with_variants(client, make_article, acme):
    english = make_article(title="Printer jams", language="en")
    russian = make_article(title="Принтер", language="ru", translation_of=english)
    hidden = make_article(title="Internal only", visibility=Visibility.AGENTS)
    draft = make_article(title="Not yet", status="draft")
    response = client.get(reverse("kb:sitemap"))
    assert response["Content-Type"].startswith("application/xml")
    body = response.content.decode()
    assert body.startswith('<?xml version="1.0"')
    assert f"http://testserver{url(english)}" in body and f"http://testserver{url(russian)}" in body
    assert 'hreflang="ru"' in body
    assert url(hidden) not in body and url(draft) not in body


def test_editor_creates_edits_publishes_and_diffs(client, agent, category):
    client.force_login(agent)
    response = client.post(
        reverse("kb:create"),
        {
            "title": "VPN setup",
            "category": category.pk,
            "body_html": "<p>Install the client.</p>",
            "visibility": "public",
            "language": "en",
        },
    )
    article = Article.objects.get()
    assert response.status_code == 302 and article.status == ArticleStatus.DRAFT
    response = client.post(
        reverse("kb:edit", args=[article.pk]),
        {
            "title": "VPN setup",
            "category": category.pk,
            "body_html": "<p>Install the client.</p><p>Sign in with <b>SSO</b>.</p>",
            "visibility": "public",
            "language": "en",
            "slug": article.slug,
            "publish": "1",
        },
    )
    article.refresh_from_db()
    assert response.status_code == 302 and article.status == ArticleStatus.PUBLISHED
    page = client.get(reverse("kb:versions", args=[article.pk]) + "?a=1&b=2").content.decode()
    assert "diff-add" in page and "&lt;b&gt;SSO&lt;/b&gt;" in page


def test_editor_shows_field_errors(client, agent, category):
    client.force_login(agent)
    response = client.post(
        reverse("kb:create"),
        {"title": "x", "category": category.pk, "body_html": "<script></script>",
         "visibility": "organizations", "language": "en"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors.keys() >= {"body_html", "organizations"}
    assert not Article.objects.exists()


def test_editor_is_for_agents_only(client, requester, make_article):
    article = make_article()
    client.force_login(requester)
    for name, args in (("kb:manage", []), ("kb:create", []), ("kb:edit", [article.pk]),
                       ("kb:versions", [article.pk]), ("kb:link_suggest", [])):  # fmt: skip
        assert client.get(reverse(name, args=args)).status_code == 403, name
    client.logout()
    assert client.get(reverse("kb:manage")).status_code == 302


def test_feedback_anonymous_and_signed_in(client, make_article, requester):
    article = make_article()
    client.post(reverse("kb:feedback", args=[article.pk]), {"helpful": "no", "comment": "?"})
    client.post(reverse("kb:feedback", args=[article.pk]), {"helpful": "yes"})
    client.force_login(requester)
    client.post(reverse("kb:feedback", args=[article.pk]), {"helpful": "yes"})
    assert Feedback.objects.count() == 2
    assert Feedback.objects.get(user=None).helpful is True


def test_article_files_follow_article_visibility(client, make_article, outsider, agent):
    public = make_article(attachments=[NewAttachment("shot.png", PNG)])
    hidden = make_article(
        title="Hidden", visibility=Visibility.AGENTS,
        attachments=[NewAttachment("<script>.html", b"<script>alert(1)</script>")],
    )  # fmt: skip
    ok = client.get(public.attachments.get().get_absolute_url())
    assert ok.status_code == 200 and ok["Content-Type"] == "image/png"
    assert ok["X-Content-Type-Options"] == "nosniff" and "sandbox" in ok["Content-Security-Policy"]
    secret = hidden.attachments.get()
    assert client.get(secret.get_absolute_url()).status_code == 404
    client.force_login(agent)
    response = client.get(secret.get_absolute_url())
    assert (
        response["Content-Type"] == "text/plain"
        and "attachment;" in response["Content-Disposition"]
    )


def test_portal_suggestions_are_scoped_and_escaped(client, make_article, requester):
    make_article(title="Printer <script>alert(1)</script> jams")
    make_article(title="Printer internal", visibility=Visibility.AGENTS)
    client.force_login(requester)
    response = client.get(reverse("kb:suggest"), {"title": "printer"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "&lt;script&gt;" in body and "<script>alert" not in body
    assert "internal" not in body and "This solved it" in body


def test_this_solved_it_records_a_deflection_without_a_ticket(client, make_article, requester):
    article = make_article()
    client.force_login(requester)
    response = client.post(
        reverse("kb:deflect", args=[article.pk]), {"query": "printer"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b"No request was created" in response.content
    assert Deflection.objects.get().user == requester
    assert requester.requested_tickets.count() == 0


def test_portal_new_request_form_asks_for_suggestions(client, requester, make_article):
    make_article(title="Printer jams")
    client.force_login(requester)
    body = client.get(reverse("portal:new") + "?title=printer").content.decode()
    assert 'hx-get="/kb/suggest/"' in body and 'hx-trigger="keyup changed delay:300ms' in body
    assert 'id="kb-suggestions"' in body and "Printer jams" in body


def test_desk_link_suggestions_as_json(client, agent, make_article):
    make_article(title="Printer jams")
    make_article(title="Printer reset (internal)", visibility=Visibility.AGENTS)
    client.force_login(agent)
    data = json.loads(client.get(reverse("kb:link_suggest"), {"q": "printer"}).content)
    by_title = {a["title"]: a for a in data["articles"]}
    assert by_title["Printer jams"]["url"] == "http://testserver/kb/printing/printer-jams/"
    assert by_title["Printer jams"]["requester_can_open"] is True
    assert by_title["Printer reset (internal)"]["requester_can_open"] is False
    html = client.get(reverse("kb:link_suggest"), {"q": "printer", "format": "html"})
    assert b"kb-insert-link" in html.content


def test_reply_to_draft_view(client, agent, specialist, ticket):
    reply = ticket_actions.add_reply(ticket, actor=agent, body="Restart the spooler.")
    client.force_login(specialist)
    assert client.post(reverse("kb:from_reply", args=[reply.pk])).status_code == 404
    client.force_login(agent)
    response = client.post(reverse("kb:from_reply", args=[reply.pk]))
    article = Article.objects.get()
    assert response["Location"] == reverse("kb:edit", args=[article.pk])
    assert "Restart the spooler." in article.body_text


def test_kb_home_lists_and_searches(client, make_article, django_assert_max_num_queries):
    make_article(title="Printer jams")
    make_article(title="Сброс пароля", body="<p>Откройте страницу входа.</p>", language="ru")
    with django_assert_max_num_queries(6):
        body = client.get(reverse("kb:home"), {"q": "пароля"}).content.decode()
    assert "<mark>" in body and "Сброс пароля" in body


def test_reserved_category_slugs_are_refused(db):
    from django.core.exceptions import ValidationError

    from okno.kb.models import Category

    with pytest.raises(ValidationError):
        Category(name="Manage", slug="manage").full_clean()
    actions.default_category()  # creates "general" when there is none
