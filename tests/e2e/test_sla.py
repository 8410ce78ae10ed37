"""SLA in a real browser: a queue badge turning warning then breached as time passes, the
ticket's SLA panel with its explanation, the calendar editor and the printable SLA document."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from okno.sla.actions import publish_policy, save_calendar
from okno.sla.models import Calendar, SlaPolicy, SlaTarget
from okno.tickets import actions

BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def test_badge_colours_panel_and_document(
    browser, login, live_server, screenshot, requester, agent, admin, service
):
    cal = Calendar(
        name="Berlin office",
        timezone="Europe/Berlin",
        hours={d: [["08:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        holidays=["2026-03-03"],
    )
    save_calendar(cal, actor=None)
    policy = SlaPolicy.objects.create(name="Standard", calendar=cal, penalty_per_breach="100.00")
    SlaTarget.objects.create(policy=policy, kind="first_response", amount=4, unit="hours")
    SlaTarget.objects.create(
        policy=policy, kind="resolution", amount=16, unit="hours", pause_categories=["waiting"]
    )
    publish_policy(policy, actor=None)
    agent.time_zone = "Europe/Berlin"
    agent.save(update_fields=["time_zone"])

    with time_machine.travel(at("2026-03-02 09:00"), tick=False) as clock:
        ticket = actions.open_ticket(
            actor=requester,
            title="Printer on floor 3 jams",
            description="Every page.",
            service=service,
        )
        page = login(browser, agent)
        queue = f"{live_server.url}/desk/"
        badge = page.locator(f"tr[data-href$='/{ticket.pk}/'] .sla-badge")

        page.goto(queue)
        assert badge.get_attribute("data-sla-level") == "ok"
        screenshot(page, "sla-01-queue-ok")

        clock.move_to(at("2026-03-02 12:15"))  # 81 % of the 4 h first response
        page.goto(queue)
        assert badge.get_attribute("data-sla-level") == "warning"
        screenshot(page, "sla-02-queue-warning")

        clock.move_to(at("2026-03-02 13:30"))
        page.goto(queue)
        assert badge.get_attribute("data-sla-level") == "breached"
        assert "overdue" in badge.inner_text()
        colour = badge.evaluate("el => getComputedStyle(el).color")
        assert colour in ("rgb(180, 35, 24)", "rgb(255, 138, 128)")  # --sla-breached
        screenshot(page, "sla-03-queue-breached")

        page.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
        panel = page.locator(".sla-panel")
        panel.wait_for()
        panel.locator("summary").click()
        panel.get_by_text("Window counted").first.wait_for()
        assert "Tue 03.03.2026" in panel.inner_text()  # the holiday skipped
        screenshot(page, "sla-04-ticket-panel")

        boss = login(browser, admin)
        boss.goto(f"{live_server.url}/sla/calendars/{cal.pk}/")
        boss.get_by_text("Weekly hours").first.wait_for()
        screenshot(boss, "sla-05-calendar-editor")
        boss.goto(f"{live_server.url}/sla/report/?kind=first_response")
        screenshot(boss, "sla-06-report")
        boss.goto(f"{live_server.url}/sla/document/")
        boss.get_by_text("How time is measured").wait_for()
        screenshot(boss, "sla-07-document")
        boss.emulate_media(media="print")
        assert not boss.locator("nav.sidebar").is_visible()
        screenshot(boss, "sla-08-document-print")
