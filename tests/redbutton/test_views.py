"""The devices page, the statistics page and the diagnostics panel on the agent's ticket page."""

from __future__ import annotations

from django.template import Context, Template
from django.urls import reverse

from okno.redbutton import actions
from okno.redbutton.models import Device
from okno.redbutton.queries import diagnostics_for


def test_registering_a_device_shows_the_token_and_config_once(client, requester):
    client.force_login(requester)
    posted = client.post(reverse("redbutton:devices"), {"name": "Office PC"})
    assert posted.status_code == 302  # post/redirect/get: a reload registers nothing
    response = client.get(posted["Location"])
    device = Device.objects.get(owner=requester)
    text = response.content.decode()
    assert "token = okrb_" in text and 'download="config.ini"' in text
    assert "no-store" in response["Cache-Control"]
    again = client.get(reverse("redbutton:devices")).content.decode()
    assert "token = okrb_" not in again and device.token_hint in again


def test_an_empty_name_is_a_field_error(client, requester):
    client.force_login(requester)
    response = client.post(reverse("redbutton:devices"), {"name": "  "})
    assert response.status_code == 200 and not Device.objects.exists()
    assert "errorlist" in response.content.decode()


def test_owner_disables_and_reenables_a_device_others_get_404(client, requester, colleague, device):
    client.force_login(colleague)
    assert client.post(reverse("redbutton:device_toggle", args=[device.pk])).status_code == 404
    client.force_login(requester)
    client.post(reverse("redbutton:device_toggle", args=[device.pk]))
    device.refresh_from_db()
    assert not device.enabled
    client.post(reverse("redbutton:device_toggle", args=[device.pk]))
    device.refresh_from_db()
    assert device.enabled


def test_stats_page_lists_who_presses_most(
    client, agent, requester, colleague, device, diagnostics, settings
):
    settings.REDBUTTON_DEVICE_RATE = "2/h"
    for _ in range(3):
        actions.file_report(user=requester, device=device, diagnostics=diagnostics)
    actions.file_report(user=colleague, diagnostics=diagnostics)
    client.force_login(agent)
    response = client.get(reverse("redbutton:stats"), {"days": 7})
    text = response.content.decode()
    assert response.status_code == 200
    assert text.index("Rita Requester") < text.index("Carl Colleague")
    assert "4 presses" in text and "1 refused by the limits" in text
    csv = client.get(reverse("redbutton:stats"), {"group": "organization", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert "Acme,,4,2,1,1," in csv.content.decode()


def test_stats_page_is_for_agents(client, requester):
    client.force_login(requester)
    response = client.get(reverse("redbutton:stats"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")


def test_diagnostics_panel_shows_the_reports_of_the_ticket(requester, device, diagnostics, agent):
    first = actions.file_report(
        user=requester, device=device, diagnostics=diagnostics, comment="Mail is down"
    )
    actions.file_report(user=requester, device=device, diagnostics=diagnostics)
    reports = diagnostics_for(first.ticket)
    assert len(reports) == 2 and reports[1].comment == "Mail is down"
    html = Template('{% include "redbutton/diagnostics_panel.html" %}').render(
        Context({"ticket": first.ticket})
    )
    assert "Red Button diagnostics" in html and "rita-pc" in html
    assert "mail.acme.test:993" in html and "1 host unreachable" in html
    assert "pressed again" in html and "Full report (JSON)" in html
    assert "eth0 link down" in html


def test_diagnostics_panel_renders_nothing_for_other_tickets(ticket):
    html = Template('{% include "redbutton/diagnostics_panel.html" %}').render(
        Context({"ticket": ticket})
    )
    assert html.strip() == ""


def test_the_desk_ticket_page_still_renders_with_the_panel(
    client, agent, requester, device, diagnostics
):
    result = actions.file_report(user=requester, device=device, diagnostics=diagnostics)
    client.force_login(agent)
    response = client.get(reverse("desk:ticket", args=[result.ticket.pk]))
    assert response.status_code == 200
