"""The two small templates the desk includes in its ticket page."""

from django.template.loader import render_to_string
from django.test import RequestFactory

from okno.tickets import actions as ticket_actions


def test_reply_suggest_include_renders(agent):
    request = RequestFactory().get("/desk/tickets/1/")
    request.user = agent
    html = render_to_string("kb/reply_suggest.html", {"target": "id_body"}, request=request)
    assert 'data-kb-target="id_body"' in html and 'hx-get="/kb/manage/links/?format=html"' in html
    assert "kb/kb.js" in html


def test_from_reply_button_include_renders(agent, ticket):
    reply = ticket_actions.add_reply(ticket, actor=agent, body="Fixed")
    request = RequestFactory().get("/")
    request.user = agent
    html = render_to_string("kb/from_reply_button.html", {"article": reply}, request=request)
    assert f'action="/kb/manage/from-reply/{reply.pk}/"' in html and "csrfmiddlewaretoken" in html


def test_from_reply_button_template_and_function_agree(agent, ticket):
    """The template (for any includer) and the function the desk's timeline calls."""
    from django.utils import translation

    from okno.kb.buttons import from_reply_button, from_reply_url

    reply = ticket_actions.add_reply(ticket, actor=agent, body="Fixed")
    csrf = '<input type="hidden" name="csrfmiddlewaretoken" value="t0ken">'
    for language in ("en", "ru"):
        with translation.override(language):
            html = render_to_string(
                "kb/from_reply_button.html", {"article": reply, "csrf_token": "t0ken"}
            )
            assert html == f"\n{from_reply_button(from_reply_url(reply.pk), csrf)}\n"
    assert "Сделать статьёй базы знаний" in html  # translated, in the language in use
