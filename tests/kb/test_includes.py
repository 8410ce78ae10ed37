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
