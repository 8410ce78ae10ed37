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


def test_agent_writes_publishes_and_compares_versions(
    browser, login, live_server, screenshot, agent
):
    Category.objects.create(name="Network", slug="network")
    page = login(browser, agent)
    page.goto(f"{live_server.url}/kb/manage/new/")
    page.fill("#id_title", "Подключение к VPN")
    page.select_option("#id_category", label="Network")
    page.select_option("#id_language", "ru")
    page.fill("#id_summary", "Как подключиться к VPN из дома за пять минут.")
    page.fill("#id_body_html", "<p>Установите клиент.</p><p>Войдите.</p>")
    page.check("input[name=visibility][value=public]")
    page.click("button[name=publish]")
    page.get_by_text("The article is saved.").wait_for()
    page.fill(
        "#id_body_html",
        "<p>Установите клиент.</p><p>Войдите через <b>SSO</b>.</p><ul><li>Готово</li></ul>",
    )
    page.click("button[name=save]")
    page.get_by_text("The article is saved.").wait_for()
    screenshot(page, "kb-03-editor")
    page.click("text=Compare versions")
    page.locator(".diff-add").first.wait_for()
    screenshot(page, "kb-04-version-diff")

    reader = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
    reader.goto(f"{live_server.url}/kb/network/podklyuchenie-k-vpn/")
    assert reader.locator("h1").inner_text() == "Подключение к VPN"
    assert (
        reader.locator("meta[name=description]")
        .get_attribute("content")
        .startswith("Как подключиться")
    )
    screenshot(reader, "kb-05-public-article")
    reader.context.close()
