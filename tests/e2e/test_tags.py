"""Tags in a real browser: bulk-tag two queue rows, then filter the queue by that tag."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from okno.tags.queries import tag_names
from okno.tickets.actions import open_ticket


def test_bulk_tag_then_filter(browser, login, live_server, screenshot, agent, requester, service):
    vpn = [
        open_ticket(actor=requester, title=f"VPN drops {i}", description="x", service=service)
        for i in range(2)
    ]
    other = open_ticket(actor=requester, title="Printer jams", description="x", service=service)
    desk = login(browser, agent)
    desk.goto(f"{live_server.url}/desk/")
    for ticket in vpn:
        desk.check(f"input[name=ids][value='{ticket.pk}']")
    desk.select_option("#bulk-operation", "tag_add")
    desk.fill("#bulk-tags-add", "Remote access")
    screenshot(desk, "tags-01-bulk-ticked")
    desk.click("#bulk-form button[type=submit]")
    desk.wait_for_load_state("networkidle")
    desk.get_by_text("2 updated").wait_for()
    assert [tag_names(t) for t in vpn] == [["Remote access"], ["Remote access"]]
    assert tag_names(other) == []
    assert desk.locator("#queue-results .tag-chip", has_text="Remote access").count() == 2
    screenshot(desk, "tags-02-bulk-done")

    desk.fill("#filter-tag", "remote ACCESS")
    desk.press("#filter-tag", "Enter")
    desk.wait_for_function("document.querySelectorAll('#queue-results tbody tr').length === 2")
    assert parse_qs(urlsplit(desk.url).query)["tag"] == ["remote ACCESS"]  # pushed: shareable
    titles = desk.locator("#queue-results tbody .col-title > a").all_inner_texts()
    assert sorted(titles) == ["VPN drops 0", "VPN drops 1"]
    screenshot(desk, "tags-03-filtered")

    desk.goto(f"{live_server.url}/desk/tickets/{vpn[0].pk}/")
    assert desk.locator("#ticket-tags .tag-chip", has_text="Remote access").count() == 1
    screenshot(desk, "tags-04-ticket")
    desk.context.close()
