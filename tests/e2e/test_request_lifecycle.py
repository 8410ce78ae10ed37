"""A request from start to finish, in a real browser, with a screenshot of every step:
the requester submits in the portal, the agent finds it in the queue and replies, the
requester reads the reply and marks the request resolved."""

from __future__ import annotations

import re

from okno.tickets.models import Ticket


def test_requester_agent_round_trip(
    browser, login, live_server, screenshot, requester, agent, service
):
    # 1. The requester submits a request in the portal.
    portal = login(browser, requester)
    portal.goto(f"{live_server.url}/portal/new/")
    portal.select_option("select[name=service]", str(service.pk))
    portal.fill("input[name=title]", "Scanner on floor 2 shows error E-302")
    portal.fill("textarea[name=description]", "Since this morning every scan stops at 40 %.")
    screenshot(portal, "01-portal-new-request")
    portal.click("form.stack button[type=submit]")
    portal.wait_for_load_state("networkidle")
    ticket = Ticket.objects.get(title="Scanner on floor 2 shows error E-302")
    assert re.search(rf"#\s*{ticket.pk}\b", portal.content())
    screenshot(portal, "02-portal-confirmation")

    # 2. The agent sees it in the queue and opens it.
    desk = login(browser, agent)
    desk.goto(f"{live_server.url}/desk/")
    row = desk.locator("tr", has_text="Scanner on floor 2 shows error E-302")
    row.wait_for()
    screenshot(desk, "03-desk-queue")
    row.locator("a").first.click()
    desk.wait_for_load_state("networkidle")
    assert f"/desk/tickets/{ticket.pk}/" in desk.url
    screenshot(desk, "04-desk-ticket")

    # 3. The agent replies publicly.
    reply = desk.locator("#reply-box")
    reply.locator("textarea[name=body]").fill(
        "Please restart the scanner; we pushed a firmware fix."
    )
    reply.locator("button[type=submit]").click()
    desk.wait_for_load_state("networkidle")
    desk.get_by_text("we pushed a firmware fix").first.wait_for()
    screenshot(desk, "05-desk-replied")
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None

    # 4. The requester sees the reply and marks the request resolved.
    portal.goto(f"{live_server.url}/portal/tickets/{ticket.pk}/")
    portal.get_by_text("we pushed a firmware fix").first.wait_for()
    screenshot(portal, "06-portal-sees-reply")
    portal.locator("form.resolve-box button[type=submit]").click()
    portal.wait_for_load_state("networkidle")
    screenshot(portal, "07-portal-resolved")
    ticket.refresh_from_db()
    assert ticket.status_category == "resolved"
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds[0] == "created" and "first_response" in kinds and kinds[-1] == "status_changed"


def test_portal_works_on_a_phone(browser, login, live_server, screenshot, requester, ticket):
    page = login(browser, requester, width=360)
    page.goto(f"{live_server.url}/portal/tickets/")
    page.get_by_text(ticket.title).first.wait_for()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(page, "08-portal-phone")
    assert overflow <= 1, f"page scrolls sideways by {overflow}px at 360px"
