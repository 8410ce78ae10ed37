"""CSAT from the email link, in a real browser: the requester opens the signed link from the
resolution email, rates 4 of 5 with a comment, and the agent's team lead sees it in the report.
Also checks the rating page and the report at 360 px (no sideways scrolling)."""

from __future__ import annotations

from okno.csat.links import rating_url
from okno.csat.models import Rating
from okno.tickets import actions
from okno.tickets.models import StatusCategory


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_csat_from_the_email_link(
    browser, login, live_server, screenshot, settings, requester, agent, lead, service
):
    settings.BASE_URL = live_server.url
    ticket = actions.open_ticket(
        actor=requester, title="VPN drops every hour", description="Since Monday.", service=service
    )
    actions.assign_ticket(ticket, actor=agent, assignee=agent)
    actions.add_reply(ticket, actor=agent, body="New VPN profile pushed; please reconnect.")
    actions.change_status(
        ticket, actor=agent, status=actions.default_status(StatusCategory.RESOLVED)
    )
    link = rating_url(ticket)  # what the resolution email carries
    assert link.startswith(live_server.url + "/csat/rate/")

    # The requester, signed in on a phone, follows the link with the score picked in the email.
    phone = login(browser, requester, width=360)
    phone.goto(link + "?score=4")
    phone.wait_for_load_state("networkidle")
    assert phone.is_checked("input[name=score][value='4']")
    assert no_horizontal_scroll(phone)
    phone.fill("textarea[name=comment]", "Quick fix, thank you!")
    screenshot(phone, "csat-01-rate-from-email-360")
    phone.click("form.stack button[type=submit]")
    phone.wait_for_load_state("networkidle")
    phone.get_by_text("Thank you for your feedback!").wait_for()
    assert f"/portal/tickets/{ticket.pk}/" in phone.url
    phone.get_by_text("You rated this 4 of 5").wait_for()
    screenshot(phone, "csat-02-portal-after-rating-360")
    rating = Rating.objects.get()
    assert (rating.score, rating.comment, rating.agent_id) == (4, "Quick fix, thank you!", agent.pk)
    assert ticket.events.filter(kind="rated").exists()

    # The team lead sees it in the satisfaction report, by agent.
    desk = login(browser, lead)
    desk.goto(f"{live_server.url}/csat/report/")
    desk.wait_for_load_state("networkidle")
    row = desk.locator("tr", has_text="Alice Agent")
    row.wait_for()
    assert "4.00" in row.inner_text()
    desk.get_by_text("Quick fix, thank you!").wait_for()
    screenshot(desk, "csat-03-report")
    small = login(browser, lead, width=360)
    small.goto(f"{live_server.url}/csat/report/")
    small.wait_for_load_state("networkidle")
    assert no_horizontal_scroll(small)
    screenshot(small, "csat-04-report-360")


def test_portal_request_form_and_notifications_screens(
    browser, login, live_server, screenshot, requester, agent, lead, service
):
    """The pages around CSAT, for the guides: the catalog and a service's request form with its
    guidance at 360 px; an agent's bell, notification list and the ticket's watch/remind panel."""
    from okno.catalog.models import FieldKind, FormField, RequestForm, ServiceCategory
    from okno.notifications.handlers import on_ticket_event

    service.catalog_category = ServiceCategory.objects.create(name="Hardware")
    service.save()
    form = RequestForm.objects.create(
        service=service, guidance="The printer's name is on the sticker on its front."
    )
    FormField.objects.create(form=form, key="printer", label="Printer name", required=True, order=1)
    FormField.objects.create(
        form=form,
        key="problem",
        label="What happens?",
        kind=FieldKind.CHOICE,
        choices="Paper jam\nNo toner\nSomething else",
        required=True,
        order=2,
    )
    FormField.objects.create(
        form=form, key="photo", label="Photo of the display", kind=FieldKind.FILE, order=3
    )

    phone = login(browser, requester, width=360)
    phone.goto(f"{live_server.url}/portal/")
    phone.get_by_text("Hardware").first.wait_for()
    assert no_horizontal_scroll(phone)
    screenshot(phone, "portal-01-catalog-360")
    assert phone.locator(f"a.service-card[href$='?service={service.pk}']").count() == 1
    # Choosing the service in the form loads its guidance and questions (htmx).
    phone.goto(f"{live_server.url}/portal/new/")
    assert phone.locator("textarea[name=cf-printer]").count() == 0
    phone.select_option("select[name=service]", str(service.pk))
    phone.get_by_text("What to include so we can help fast").wait_for()
    phone.locator("textarea[name=cf-printer]").wait_for()
    phone.fill("input[name=title]", "Printer jams")
    phone.fill("textarea[name=description]", "Every page.")
    phone.fill("textarea[name=cf-printer]", "PRN-3-EAST")
    phone.select_option("select[name=cf-problem]", "Paper jam")
    assert no_horizontal_scroll(phone)
    screenshot(phone, "portal-02-request-form-360")
    phone.click("form.stack button[type=submit].button-primary")
    phone.wait_for_load_state("networkidle")
    phone.get_by_text("Your answers").wait_for()
    screenshot(phone, "portal-03-request-with-answers-360")

    from okno.tickets.models import Ticket

    ticket = Ticket.objects.get(title="Printer jams")
    assert ticket.custom_fields == {"printer": "PRN-3-EAST", "problem": "Paper jam"}
    actions.assign_ticket(ticket, actor=lead, assignee=agent)
    on_ticket_event(ticket.pk, "assigned")
    note = actions.add_note(ticket, actor=lead, body="@alice the toner is in room 3.")
    on_ticket_event(ticket.pk, "noted", article_id=note.pk)

    desk = login(browser, agent)
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    panel = desk.locator("#notifications-panel")
    panel.wait_for()
    panel.get_by_role("button", name="Watch").click()
    panel.get_by_text("Stop watching").wait_for()
    panel.locator("input[name=note]").fill("Call Rita back")
    panel.get_by_role("button", name="Set reminder").click()
    desk.locator("#notifications-panel", has_text="Call Rita back").wait_for()
    panel = desk.locator("#notifications-panel")
    panel.screenshot(path=str(_shot_path("notifications-01-ticket-panel")))
    desk.goto(f"{live_server.url}/notifications/")
    desk.get_by_text("mentioned you").wait_for()
    screenshot(desk, "notifications-02-list")
    narrow = login(browser, agent, width=360)
    narrow.goto(f"{live_server.url}/notifications/preferences/")
    assert no_horizontal_scroll(narrow)
    screenshot(narrow, "notifications-03-preferences-360")


def _shot_path(name: str):
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
