"""Mail routing rules tag new tickets for real; the admin renames, counts and merges tags."""

from __future__ import annotations

from okno.mail.actions import ingest
from okno.mail.models import RoutingRule
from okno.tags import actions
from okno.tags.models import Tag
from okno.tickets.models import TicketEvent
from tests.mail.conftest import make_mail

from .conftest import names


def test_rule_tags_become_ticket_tags(requester, l1, l2):
    Tag.objects.create(name="VPN")
    RoutingRule.objects.create(name="vpn", subject_keywords="vpn", team=l2, tags="vpn, Remote work")
    row = ingest(make_mail(subject="VPN drops", body="Every hour"))
    ticket = row.ticket
    assert names(ticket) == ["Remote work", "VPN"]  # the existing tag's spelling wins
    assert ticket.custom_fields == {"routing_rule": "vpn"}
    event = TicketEvent.objects.get(ticket=ticket, kind="tags_changed")
    assert event.actor is None
    untouched = ingest(make_mail(subject="Printer", body="jams", message_id="<other@acme.test>"))
    assert names(untouched.ticket) == []


def test_a_bad_name_in_an_old_rule_does_not_stop_the_mail(requester, l1):
    RoutingRule.objects.create(name="r", subject_keywords="disk", tags="disk, " + "x" * 60)
    row = ingest(make_mail(subject="Disk full", body="Help"))
    assert row.ticket is not None and names(row.ticket) == ["disk"]


def test_rule_admin_checks_tags_and_test_page_shows_them(admin, client, l2):
    client.force_login(admin)
    form = {
        "name": "VPN",
        "order": 10,
        "enabled": "on",
        "subject_keywords": "vpn",
        "team": l2.pk,
        "tags": "  vpn ;Remote   work, VPN",
    }
    response = client.post("/admin/mail/routingrule/add/", form)
    assert response.status_code == 302, response.content.decode()[-2000:]
    rule = RoutingRule.objects.get(name="VPN")
    assert rule.tags == "vpn, Remote work"
    response = client.post(
        "/admin/mail/routingrule/add/", {**form, "name": "Bad", "tags": "y" * 51}
    )
    assert response.status_code == 200 and "too long" in response.content.decode()
    response = client.post(
        "/admin/mail/routingrule/test/", {"raw": make_mail(subject="VPN").decode()}
    )
    assert "A new ticket gets the tags: vpn, Remote work" in response.content.decode()


def test_tag_admin_lists_counts_and_merges(admin, agent, client, make_ticket):
    a, b = make_ticket(), make_ticket()
    actions.add_tags(a, "wifi, wlan", actor=agent)
    actions.add_tags(b, "wlan", actor=agent)
    client.force_login(admin)
    listing = client.get("/admin/tags/tag/?q=w").content.decode()
    assert "wifi" in listing and "wlan" in listing
    wifi, wlan = Tag.objects.get(key="wifi"), Tag.objects.get(key="wlan")
    selected = {"action": "merge", "_selected_action": [wifi.pk, wlan.pk]}
    page = client.post("/admin/tags/tag/", selected)
    assert page.status_code == 200 and "Keep this tag" in page.content.decode()
    response = client.post(
        "/admin/tags/tag/", {**selected, "apply": "1", "target": wifi.pk}, follow=True
    )
    assert "Merged into “wifi”; 1 ticket gained it." in response.content.decode()
    assert names(a) == names(b) == ["wifi"]
    assert not Tag.objects.filter(key="wlan").exists()


def test_tag_admin_rename_refuses_an_existing_name(admin, client):
    tag = Tag.objects.create(name="vpn")
    Tag.objects.create(name="printer")
    client.force_login(admin)
    url = f"/admin/tags/tag/{tag.pk}/change/"
    response = client.post(url, {"name": " PRINTER ", "color": ""})
    assert response.status_code == 200 and "merge the two tags instead" in response.content.decode()
    assert client.post(url, {"name": "  VPN  ", "color": "#123456"}).status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.key, tag.color) == ("VPN", "vpn", "#123456")
