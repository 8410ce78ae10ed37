"""In Chromium: Rita registers her computer on /redbutton/, the config the page hands out drives
the real client, and an agent reads the statistics page. Screenshots go to var/screenshots."""

from __future__ import annotations

from okno.redbutton.models import Device, Press
from okno.tickets.models import Ticket
from tests.e2e.conftest import (  # noqa: F401 - fixtures shared with the browser suite
    _reference_data,
    browser,
    chromium_path,
    login,
    screenshot,
)
from tests.redbutton.test_client_e2e import run_client


def test_register_a_computer_press_the_button_and_see_the_statistics(
    browser,  # noqa: F811
    login,  # noqa: F811
    live_server,
    screenshot,  # noqa: F811
    requester,
    agent,
    tmp_path,
):
    page = login(browser, requester, width=360)
    page.goto(f"{live_server.url}/redbutton/")
    page.fill("input[name=name]", "Office PC")
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state("networkidle")
    config = page.input_value("#rb-config")
    assert "token = okrb_" in config and f"server = {live_server.url}" in config
    assert page.locator("a[download='config.ini']").is_visible()
    screenshot(page, "redbutton-01-device-registered-360px")

    home = tmp_path / "home"
    (home / ".config" / "okno-redbutton").mkdir(parents=True)
    (home / ".config" / "okno-redbutton" / "config.ini").write_text(config)
    done = run_client({"home": home}, "--yes", "-m", "The screen flickers")
    assert done.returncode == 0, done.stdout + done.stderr
    ticket = Ticket.objects.get()
    assert f"#{ticket.pk}" in done.stdout
    assert Press.objects.get().device == Device.objects.get(owner=requester)

    page.reload()
    assert "Office PC" in page.content() and "token = okrb_" not in page.content()

    desk = login(browser, agent)
    desk.goto(f"{live_server.url}/redbutton/stats/?days=7")
    row = desk.locator("tr", has_text="Rita Requester")
    row.wait_for()
    assert row.locator("td.num").first.inner_text() == "1"
    screenshot(desk, "redbutton-02-statistics")
    desk.goto(f"{live_server.url}/desk/tickets/{ticket.pk}/")
    assert desk.get_by_text("The screen flickers").first.is_visible()
    screenshot(desk, "redbutton-03-desk-ticket")
