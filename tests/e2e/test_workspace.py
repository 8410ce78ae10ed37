"""The agent workspace in a real browser: a saved view and a bulk assignment, a macro reply,
and two agents on one ticket seeing each other (two browser contexts)."""

from __future__ import annotations

from okno.desk.models import Macro, SavedView
from okno.tickets.actions import open_ticket
from okno.tickets.models import Ticket


def _tickets(requester, service, n, prefix):
    return [
        open_ticket(actor=requester, title=f"{prefix} {i}", description="Broken.", service=service)
        for i in range(n)
    ]


def test_saved_view_and_bulk_assign(
    browser, login, live_server, screenshot, agent, lead, requester, service
):
    printers = _tickets(requester, service, 3, "Printer jam")
    _tickets(requester, service, 2, "VPN drops")
    desk = login(browser, agent)
    desk.goto(f"{live_server.url}/desk/")
    desk.type("#filter-q", "Printer")
    desk.wait_for_function("document.querySelectorAll('#queue-results tbody tr').length === 3")
    desk.click(".save-view summary")
    desk.fill("#save-view-form input[name=name]", "Printers")
    desk.check("input[name=columns][value=priority]")
    desk.click("#save-view-form button[type=submit]")
    desk.wait_for_load_state("networkidle")
    view = SavedView.objects.get(name="Printers")
    assert view.params == "q=Printer"
    assert desk.locator(".saved-views a", has_text="Printers").locator(".count").inner_text() == "3"
    screenshot(desk, "workspace-01-saved-view")

    desk.check("[data-check-all]")
    desk.select_option("#bulk-operation", "assign")
    desk.select_option("#bulk-assignee", str(lead.pk))
    assert "3" in desk.locator("[data-bulk-count]").inner_text()
    screenshot(desk, "workspace-02-bulk-ticked")
    desk.click("#bulk-form button[type=submit]")
    desk.wait_for_load_state("networkidle")
    desk.get_by_text("3 updated").wait_for()
    screenshot(desk, "workspace-03-bulk-done")
    assert {t.pk for t in Ticket.objects.filter(assignee=lead)} == {t.pk for t in printers}

    phone = login(browser, agent, width=360)
    phone.goto(f"{live_server.url}/desk/?sv={view.pk}&q=Printer")
    phone.wait_for_load_state("networkidle")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "workspace-04-queue-360px")
    phone.context.close()
    desk.context.close()


def test_macro_reply(browser, login, live_server, screenshot, agent, requester, service):
    requester.language = "ru"
    requester.save()
    Macro.objects.create(
        owner=agent, name="Restart", body="Hello {{ requester.first_name }}, please restart."
    )
    Macro.objects.create(
        owner=agent,
        name="Restart",
        language="ru",
        body="Здравствуйте, {{ requester.first_name }}! Перезагрузите, пожалуйста. #{{ ticket.number }} — {{ agent.first_name }}",
    )
    ticket = open_ticket(
        actor=requester, title="Laptop is slow", description="Very slow.", service=service
    )
    desk = login(browser, agent)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    desk.select_option("#macro-select", "Restart")
    body = desk.locator("#reply-box textarea[name=body]")
    desk.wait_for_function(
        "document.querySelector('#reply-box textarea[name=body]').value.includes('Здравствуйте')"
    )
    expected = f"Здравствуйте, Rita! Перезагрузите, пожалуйста. #{ticket.pk} — Alice"
    assert body.input_value() == expected
    screenshot(desk, "workspace-05-macro-inserted")
    # Drop a file onto the reply box: it joins the form's file input.
    desk.evaluate(
        """() => {
            const data = new DataTransfer();
            data.items.add(new File(["uptime 41 days"], "uptime.txt", {type: "text/plain"}));
            const box = document.getElementById("reply-box");
            box.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true, cancelable: true}));
            box.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
        }"""
    )
    desk.locator("[data-drop-list] li", has_text="uptime.txt").wait_for()
    desk.click("#reply-box .form-actions button[type=submit]")
    desk.wait_for_load_state("networkidle")
    desk.get_by_text("Your reply is sent.").wait_for()
    article = ticket.articles.get(kind="reply", author=agent, body_text=expected)
    assert [a.filename for a in article.attachments.all()] == ["uptime.txt"]
    desk.keyboard.press("?")
    desk.locator("#shortcuts").wait_for()
    assert "Insert a macro" in desk.locator("#shortcuts").inner_text()
    desk.context.close()

    phone = login(browser, agent, width=360)
    for path, name in (
        (f"/desk/tickets/{ticket.pk}/", "workspace-08-ticket-360px"),
        ("/desk/macros/", "workspace-09-macros-360px"),
    ):
        phone.goto(f"{live_server.url}{path}")
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, path
        screenshot(phone, name)
    phone.context.close()


def test_two_agents_see_each_other(
    browser, login, live_server, screenshot, agent, lead, requester, service
):
    ticket = open_ticket(
        actor=requester, title="Mail is down", description="No mail.", service=service
    )
    url = f"{live_server.url}/desk/tickets/{ticket.pk}/"
    alice = login(browser, agent)
    leo = login(browser, lead)
    alice.goto(url)
    alice.wait_for_load_state("networkidle")
    leo.goto(url)
    leo.locator("#presence", has_text="Alice Agent is viewing").wait_for()
    leo.locator("#reply-box textarea[name=body]").type("Looking into the mail relay")
    # Leo's typing is announced at once; Alice's page picks it up on its next poll (~10 s).
    alice.locator("#presence", has_text="Leo Lead is replying").wait_for(timeout=15000)
    screenshot(alice, "workspace-06-collision-alice")
    screenshot(leo, "workspace-07-collision-leo")
    alice.context.close()
    leo.context.close()
