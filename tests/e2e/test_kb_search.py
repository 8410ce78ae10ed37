"""Knowledge-base suggestions in the portal and search by a Russian word form, in Chromium."""

from __future__ import annotations

import pytest

from okno.kb import actions as kb_actions
from okno.kb.models import Category, Deflection, Visibility
from okno.tickets import actions

pytestmark = pytest.mark.e2e


def test_portal_suggests_articles_and_records_a_deflection(
    browser, login, live_server, screenshot, requester, agent
):
    category = Category.objects.create(name="Printing", slug="printing")
    kb_actions.create_article(
        actor=agent,
        category=category,
        title="Принтер зажевал бумагу: что делать",
        summary="Как за минуту освободить лоток.",
        body_html="<p>Откройте заднюю крышку принтера и аккуратно вытяните лист.</p>",
        visibility=Visibility.PUBLIC,
        status="published",
        language="ru",
    )
    page = login(browser, requester, width=390)
    page.goto(f"{live_server.url}/portal/new/")
    page.locator("input[name=title]").press_sequentially("Не работает принтера", delay=20)
    suggestion = page.locator("#kb-suggestions .kb-suggest-item")
    suggestion.first.wait_for()
    assert "Принтер зажевал бумагу" in suggestion.first.inner_text()
    assert page.locator("#kb-suggestions mark").count() >= 1
    screenshot(page, "kb-01-portal-suggestion")

    page.locator("#kb-suggestions button.kb-solved").first.click()
    page.get_by_text("No request was created").wait_for()
    screenshot(page, "kb-02-portal-deflected")
    assert Deflection.objects.filter(user=requester).count() == 1
    assert requester.requested_tickets.count() == 0


def test_search_by_russian_word_form(browser, login, live_server, screenshot, requester, agent):
    ticket = actions.open_ticket(
        actor=requester,
        title="Не печатает принтер в бухгалтерии",
        description="Принтер HP мигает красным.",
    )
    actions.open_ticket(actor=requester, title="Сканер не сканирует", description="Сканер")
    page = login(browser, agent)
    page.goto(f"{live_server.url}/search/?q=принтера")
    hit = page.locator(".search-hit", has_text="Не печатает принтер в бухгалтерии")
    hit.wait_for()
    assert hit.locator("mark").first.inner_text().lower().startswith("принтер")
    assert page.locator(".search-hit", has_text="Сканер").count() == 0
    screenshot(page, "search-01-russian-word-form")

    page.fill("#search-q", f"#{ticket.pk}")
    page.press("#search-q", "Enter")
    page.wait_for_url(f"**/desk/tickets/{ticket.pk}/")
    screenshot(page, "search-02-number-opens-ticket")
