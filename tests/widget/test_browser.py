"""The widget in headless Chromium, embedded in a page served from another origin (a second
localhost port): the button opens the form, the request is sent cross-origin, the visitor
sees the ticket number. A page on an origin that is not allowed gets nothing through."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from okno.tickets.models import Ticket
from okno.widget.models import Submission, Widget

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """Live-server tests flush the database between tests, seeded statuses and the priority
    matrix included; put them back the way the migrations do."""
    import importlib

    from django.apps import apps

    for module in (
        "okno.tickets.migrations.0002_default_statuses",
        "okno.priority.migrations.0002_default_matrix",
    ):
        importlib.import_module(module).seed(apps, None)


class HostSite:
    """A customer's website: one static page embedding the widget, on its own port."""

    def __init__(self, html: str) -> None:
        page = html.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != "/":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def widget(service):
    return Widget.objects.create(name="Public site", service=service, rate_limit=5)


@pytest.fixture
def site(live_server, widget):
    """The allowed host page; the widget lists its origin."""
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Acme shop</title>"
        "</head><body><h1>Acme shop</h1><p>Welcome.</p>"
        f"<script src='{live_server.url}/widget/widget.js' data-widget='{widget.public_id}' "
        "defer></script></body></html>"
    )
    host = HostSite(html)
    widget.allowed_origins = host.origin
    widget.save()
    yield host
    host.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 800}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def open_form(page, url):
    page.goto(url)
    page.get_by_role("button", name="Contact support").click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    return dialog


def fill(dialog, message="The checkout page shows error 500"):
    dialog.get_by_label("Your name").fill("Vera Visitor")
    dialog.get_by_label("Email").fill("vera@visitors.test")
    dialog.get_by_label("How can we help?").fill(message)


def test_visitor_sends_a_request_and_sees_the_ticket_number(page, site, screenshot):
    dialog = open_form(page, site.origin + "/")
    # focus moved into the dialog: keyboard users land on the first field
    assert (
        page.evaluate("document.querySelector('[data-okno-widget]').shadowRoot.activeElement.name")
        == "name"
    )
    fill(dialog, "The checkout page shows error 500\nSince 10:00 today.")
    dialog.locator("input[type=file]").set_input_files(
        files=[{"name": "console.txt", "mimeType": "text/plain", "buffer": b"500 at /checkout"}]
    )
    screenshot(page, "widget-01-form")
    dialog.get_by_role("button", name="Send").click()
    confirmation = dialog.locator(".confirmation")
    confirmation.wait_for()
    ticket = Ticket.objects.get()
    assert f"#{ticket.pk}" in confirmation.inner_text()
    assert "vera@visitors.test" in confirmation.inner_text()
    screenshot(page, "widget-02-confirmation")
    assert ticket.channel == "widget"
    assert ticket.title == "The checkout page shows error 500"
    assert ticket.custom_fields["page"] == site.origin + "/"
    assert ticket.attachments.get().filename == "console.txt"
    # Escape closes the dialog and returns focus to the button
    page.keyboard.press("Escape")
    page.get_by_role("dialog").wait_for(state="hidden")


def test_field_errors_are_shown_next_to_the_fields(page, site):
    dialog = open_form(page, site.origin + "/")
    dialog.get_by_label("Email").fill("not an address")
    dialog.get_by_role("button", name="Send").click()
    error = dialog.locator("#" + dialog.get_by_label("Email").get_attribute("aria-describedby"))
    error.wait_for()
    assert "valid email" in error.inner_text()
    assert dialog.get_by_label("Email").get_attribute("aria-invalid") == "true"
    assert not Ticket.objects.exists()


def test_page_on_another_origin_is_refused(page, live_server, widget, site):
    other = HostSite(
        "<!doctype html><html><body><p>Not the customer's site.</p>"
        f"<script src='{live_server.url}/widget/widget.js' data-widget='{widget.public_id}'>"
        "</script></body></html>"
    )
    try:
        dialog = open_form(page, other.origin + "/")
        fill(dialog)
        dialog.get_by_role("button", name="Send").click()
        status = dialog.get_by_role("status")
        status.filter(has_text="could not be reached").wait_for()
        # The browser itself blocks reading the answer: no Access-Control-Allow-Origin.
        outcome = page.evaluate(
            """async (url) => {
                try { await fetch(url, {method: 'POST', body: new FormData()}); return 'read'; }
                catch (e) { return 'blocked'; }
            }""",
            f"{live_server.url}/widget/{widget.public_id}/submit",
        )
        assert outcome == "blocked"
        assert not Ticket.objects.exists()
    finally:
        other.close()


def test_honeypot_filled_is_rejected(page, site):
    dialog = open_form(page, site.origin + "/")
    fill(dialog)
    page.evaluate(
        """() => {
            const root = document.querySelector('[data-okno-widget]').shadowRoot;
            root.querySelector('.hp input').value = 'http://spam.example';
        }"""
    )
    dialog.get_by_role("button", name="Send").click()
    dialog.get_by_role("status").filter(has_text="looks automated").wait_for()
    assert not Ticket.objects.exists()
    assert Submission.objects.get().outcome == "spam"


def test_rate_limit_answers_429_json(page, site, widget):
    widget.rate_limit = 1
    widget.save()
    dialog = open_form(page, site.origin + "/")
    fill(dialog)
    dialog.get_by_role("button", name="Send").click()
    dialog.locator(".confirmation").wait_for()
    page.keyboard.press("Escape")
    dialog = open_form(page, site.origin + "/")
    fill(dialog, "Second try")
    dialog.get_by_role("button", name="Send").click()
    dialog.get_by_role("status").filter(has_text="Too many requests").wait_for()
    answer = page.evaluate(
        """async (url) => {
            const data = new FormData();
            data.append('email', 'vera@visitors.test');
            data.append('message', 'third');
            const r = await fetch(url, {method: 'POST', body: data, credentials: 'omit'});
            return {status: r.status, body: await r.json()};
        }""",
        f"{site_url(page)}/widget/{widget.public_id}/submit",
    )
    assert answer["status"] == 429
    assert answer["body"]["error"]["code"] == "rate_limited"
    assert Ticket.objects.count() == 1


def site_url(page) -> str:
    """The desk's base URL as the embedded script computed it."""
    return page.evaluate("new URL(document.querySelector('script[data-widget]').src).origin")
