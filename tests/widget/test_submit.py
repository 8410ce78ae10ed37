"""The widget's submit endpoint through Django's test client: CORS, origin check, honeypot,
rate limit, validation, attachments, and the reply that reaches the visitor by email."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from okno.tickets import actions as ticket_actions
from okno.tickets.models import Ticket
from okno.widget.models import Submission, Widget

SITE = "https://www.example.com"


@pytest.fixture
def widget(service):
    return Widget.objects.create(
        name="Public site", service=service, allowed_origins=f"{SITE}/\nhttp://127.0.0.1:8123"
    )


def post(client, widget, data=None, origin=SITE, **extra):
    body = {"name": "Vera Visitor", "email": "vera@visitors.test", "message": "Site is down"}
    body.update(data or {})
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post(f"/widget/{widget.public_id}/submit", body, **headers, **extra)


def test_allowed_origin_opens_a_ticket_and_reads_the_number(client, widget, service):
    response = post(client, widget, {"message": "Checkout page shows 500\nsince 10:00"})
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in response["Vary"]
    number = response.json()["ticket"]["number"]
    ticket = Ticket.objects.get(pk=number)
    assert ticket.channel == "widget"
    assert ticket.title == "Checkout page shows 500"
    assert ticket.service == service
    assert ticket.requester.email == "vera@visitors.test"
    assert ticket.requester.full_name == "Vera Visitor"
    assert ticket.custom_fields["widget"] == widget.public_id
    assert f"#{number}" in response.json()["message"]


def test_other_origin_is_refused_without_cors_header(client, widget):
    response = post(client, widget, origin="https://evil.example")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "origin_not_allowed"
    assert "Access-Control-Allow-Origin" not in response
    assert not Ticket.objects.exists()


def test_missing_origin_is_refused(client, widget):
    """A form post from a script without an Origin (curl, a bot) is not a browser on the site."""
    assert post(client, widget, origin=None).status_code == 403
    assert not Ticket.objects.exists()


def test_preflight_answers_only_allowed_origins(client, widget):
    url = f"/widget/{widget.public_id}/submit"
    ok = client.options(url, HTTP_ORIGIN=SITE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert ok.status_code == 204
    assert ok["Access-Control-Allow-Origin"] == SITE
    assert "POST" in ok["Access-Control-Allow-Methods"]
    assert "Content-Type" in ok["Access-Control-Allow-Headers"]
    refused = client.options(url, HTTP_ORIGIN="https://evil.example")
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused


def test_config_tells_the_script_the_honeypot_name(client, widget):
    widget.honeypot_field = "homepage"
    widget.save()
    response = client.get(f"/widget/{widget.public_id}/config", HTTP_ORIGIN=SITE)
    assert response.json()["honeypot"] == "homepage"
    assert response["Access-Control-Allow-Origin"] == SITE
    other = client.get(f"/widget/{widget.public_id}/config", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other


def test_honeypot_rejects_and_counts_the_attempt(client, widget):
    response = post(client, widget, {"website": "http://spam.example"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "rejected"
    assert response["Access-Control-Allow-Origin"] == SITE
    assert not Ticket.objects.exists()
    assert Submission.objects.get().outcome == "spam"


def test_rate_limit_per_address_answers_429_json(client, widget):
    widget.rate_limit = 2
    widget.save()
    assert post(client, widget).status_code == 201
    assert post(client, widget).status_code == 201
    response = post(client, widget)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    assert response["Access-Control-Allow-Origin"] == SITE
    assert Ticket.objects.count() == 2
    # another address is not affected
    assert post(client, widget, REMOTE_ADDR="10.9.8.7").status_code == 201


def test_missing_fields_are_reported_per_field(client, widget):
    response = post(client, widget, {"email": "not-an-address", "message": "  "})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"email", "message"}
    assert not Ticket.objects.exists()
    assert not Submission.objects.exists()


def test_attachments_are_stored_with_the_ticket(client, widget):
    upload = SimpleUploadedFile("console.log", b"TypeError: x is undefined\n")
    response = post(client, widget, {"attachments": [upload]})
    assert response.status_code == 201
    ticket = Ticket.objects.get(pk=response.json()["ticket"]["number"])
    attachment = ticket.attachments.get()
    assert attachment.filename == "console.log"
    assert attachment.content_type == "text/plain"


def test_empty_attachment_is_a_field_error_and_saves_nothing(client, widget):
    upload = SimpleUploadedFile("empty.txt", b"")
    response = post(client, widget, {"attachments": [upload]})
    assert response.status_code == 400
    assert "attachments" in response.json()["error"]["fields"]
    assert not Ticket.objects.exists()


def test_disabled_or_unknown_widget_is_404(client, widget):
    assert client.post("/widget/nope/submit", HTTP_ORIGIN=SITE).status_code == 404
    widget.enabled = False
    widget.save()
    assert post(client, widget).status_code == 404


def test_get_is_not_allowed_on_submit(client, widget):
    assert client.get(f"/widget/{widget.public_id}/submit").status_code == 405


def test_existing_requester_is_reused(client, widget, requester):
    response = post(client, widget, {"email": requester.email.upper()})
    ticket = Ticket.objects.get(pk=response.json()["ticket"]["number"])
    assert ticket.requester == requester
    assert ticket.organization == requester.organization


def test_script_is_javascript_in_the_visitors_language(client):
    response = client.get("/widget/widget.js", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "__OKNO_STRINGS__" not in body
    assert '"button": "Contact support"' in body
    assert "attachShadow" in body


def test_reply_reaches_the_visitor_by_email(
    client, widget, agent, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, widget)
    ticket = Ticket.objects.get(pk=response.json()["ticket"]["number"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket_actions.add_reply(ticket, actor=agent, body="We restarted the web server.")
    run_tasks()
    replies = [m for m in mail.outbox if "restarted the web server" in m.body]
    assert [m.to for m in replies] == [["vera@visitors.test"]]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://Example.com/", "https://example.com"),
        (" http://localhost:3000 ", "http://localhost:3000"),
    ],
)
def test_origins_are_normalized(given, expected):
    from okno.widget.models import normalize_origin

    assert normalize_origin(given) == expected


@pytest.mark.parametrize("bad", ["example.com", "https://example.com/page", "ftp://example.com"])
def test_origins_must_be_scheme_and_host(db, bad):
    from django.core.exceptions import ValidationError

    widget = Widget(name="w", allowed_origins=bad)
    with pytest.raises(ValidationError) as exc:
        widget.full_clean()
    assert "allowed_origins" in exc.value.message_dict


def test_admin_shows_the_embed_code(client, admin, widget):
    client.force_login(admin)
    page = client.get(f"/admin/widget/widget/{widget.pk}/change/").content.decode()
    assert f"data-widget=&quot;{widget.public_id}&quot;" in page
    assert "/widget/widget.js" in page
