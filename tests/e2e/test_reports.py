"""The manager dashboard in a real browser: two weeks of tickets (24x7 SLA, some breached, some
rated), folded by the rebuild; the manager sees tiles, charts and tables, also at 360 px."""

from __future__ import annotations

import random
from datetime import timedelta

import time_machine
from django.utils import timezone

from okno.catalog.models import Service
from okno.csat.actions import rate_ticket
from okno.reports import rollup
from okno.sla.actions import publish_policy
from okno.sla.models import SlaPolicy, SlaTarget
from okno.tickets import actions
from okno.tickets.models import StatusCategory
from tests.conftest import make_user


def make_history(requester, agent, specialist, services) -> None:
    policy = SlaPolicy.objects.create(name="24x7", calendar_source="none")
    SlaTarget.objects.create(policy=policy, kind="first_response", amount=1, unit="hours")
    SlaTarget.objects.create(policy=policy, kind="resolution", amount=8, unit="hours")
    publish_policy(policy, actor=None)
    rnd = random.Random(7)
    resolved = actions.default_status(StatusCategory.RESOLVED)
    start = timezone.now().replace(hour=8, minute=0, second=0, microsecond=0)
    for back in range(14, 0, -1):
        for n in range(rnd.randint(2, 5)):
            at = start - timedelta(days=back, minutes=-37 * n)
            svc = rnd.choice(services)
            worker = agent if svc.owner_team_id == agent.memberships.get().team_id else specialist
            with time_machine.travel(at, tick=False):
                ticket = actions.open_ticket(
                    actor=requester, title=f"Issue {back}-{n}", description="x", service=svc
                )
                actions.assign_ticket(ticket, actor=worker, assignee=worker)
            with time_machine.travel(at + timedelta(minutes=rnd.choice([10, 30, 90])), tick=False):
                actions.add_reply(ticket, actor=worker, body="Looking into it.")
            if rnd.random() < 0.8:
                done = at + timedelta(hours=rnd.choice([1, 3, 6, 12]))
                with time_machine.travel(done, tick=False):
                    actions.change_status(ticket, actor=worker, status=resolved)
                with time_machine.travel(done + timedelta(minutes=5), tick=False):
                    rate_ticket(ticket, actor=requester, score=rnd.choice([3, 4, 5, 5]))


def test_manager_dashboard(
    browser, login, live_server, screenshot, requester, agent, specialist, service, l2
):
    services = [service, Service.objects.create(name="Network", owner_team=l2)]
    make_history(requester, agent, specialist, services)
    rollup.rebuild()
    manager = make_user("mona@okno.test", "manager", name="Mona Manager")

    page = login(browser, manager)
    page.goto(f"{live_server.url}/desk/")
    page.get_by_role("link", name="Reports").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/reports/")
    page.get_by_role("heading", name="Reports").wait_for()
    assert page.locator("svg#chart-volume rect").count() > 10
    assert page.locator("svg#chart-sla polyline").count() >= 1
    team_table = page.locator("section", has_text="By team")
    assert "Network" in page.locator("section", has_text="By service").inner_text()
    assert "Alice Agent" in page.locator("section", has_text="By agent").inner_text()
    assert team_table.locator("tbody tr").count() == 2
    screenshot(page, "reports-01-dashboard")

    page.select_option("select[name=period]", "7")
    page.click("form.reports-filter button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "period=7" in page.url
    assert page.locator("svg#chart-volume rect").count() == 14  # 7 days x 2 bars

    phone = login(browser, manager, width=360)
    phone.goto(f"{live_server.url}/reports/")
    phone.wait_for_load_state("networkidle")
    wide = phone.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => {"
        " if (e.getBoundingClientRect().right <= innerWidth + 1) return false;"
        " for (let p = e.parentElement; p; p = p.parentElement)"
        "  if (getComputedStyle(p).overflowX !== 'visible') return false;"
        " return true; }).slice(0, 5).map(e => e.tagName + '.' + e.className + ' '"
        " + e.getBoundingClientRect().right)"
    )
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), wide
    screenshot(phone, "reports-02-dashboard-360")
