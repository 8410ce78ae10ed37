"""Tags in the agent desk: chips, the ticket's tag editor, suggestions, the queue filter,
saved views, bulk tagging and the queue's query budget."""

from __future__ import annotations

from django.core.cache import cache
from django.urls import reverse

from okno.desk.models import SavedView
from okno.tags import actions
from okno.tags.models import Tag
from okno.tickets import actions as ticket_actions
from okno.tickets.models import TicketEvent

from .conftest import names

QUEUE = reverse("desk:queue")


def rows(response):
    return [t.pk for t in response.context["rows"]]


# --- ticket page -------------------------------------------------------------------------------
def test_ticket_page_shows_chips_and_the_editor(client, agent, ticket):
    Tag.objects.create(name="VPN", color="#1f7a4d")
    actions.add_tags(ticket, "vpn, urgent", actor=agent)
    client.force_login(agent)
    body = client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()
    assert 'id="ticket-tags"' in body
    assert ">VPN</a>" in body and ">urgent</a>" in body
    assert "--tag-color: #1f7a4d" in body
    assert 'aria-label="Remove tag urgent"' in body
    assert reverse("desk:ticket_tags", args=[ticket.pk]) in body
    assert "Alice Agent tagged the ticket VPN, urgent" in body  # the timeline line


def test_tag_editor_adds_and_removes(client, agent, ticket):
    client.force_login(agent)
    url = reverse("desk:ticket_tags", args=[ticket.pk])
    response = client.post(url, {"add": "VPN, printer"}, follow=True)
    assert "Tagged VPN, printer." in response.content.decode()
    assert names(ticket) == ["printer", "VPN"]
    response = client.post(url, {"remove": "vpn"}, follow=True)
    assert "Removed tag VPN." in response.content.decode()
    assert names(ticket) == ["printer"]
    response = client.post(url, {"add": "Printer"}, follow=True)
    assert "The tags are unchanged." in response.content.decode()


def test_tag_editor_shows_bad_names_and_saves_nothing(client, agent, ticket):
    client.force_login(agent)
    response = client.post(
        reverse("desk:ticket_tags", args=[ticket.pk]), {"add": "ok, " + "x" * 60}
    )
    assert response.status_code == 400
    assert "too long" in response.content.decode()
    assert names(ticket) == []


def test_tag_editor_is_for_agents_of_the_ticket(client, ticket, requester, specialist, outsider):
    url = reverse("desk:ticket_tags", args=[ticket.pk])
    client.force_login(requester)  # sees her ticket, may not tag it
    assert client.post(url, {"add": "x"}).status_code == 403
    for other in (specialist, outsider):  # another team's agent, another organization
        client.force_login(other)
        assert client.post(url, {"add": "x"}).status_code == 404
    assert names(ticket) == [] and not Tag.objects.exists()


def test_suggestions_list_existing_tags_for_agents_only(client, agent, requester):
    for name in ("vpn", "VoIP", "printer"):
        Tag.objects.create(name=name)
    client.force_login(agent)
    body = client.get(reverse("desk:tag_suggest")).content.decode()
    assert body.count("<option") == 3
    body = client.get(reverse("desk:tag_suggest"), {"q": "V"}).content.decode()
    assert 'value="VoIP"' in body and 'value="vpn"' in body and "printer" not in body
    client.force_login(requester)
    assert client.get(reverse("desk:tag_suggest")).status_code == 302


# --- queue -------------------------------------------------------------------------------------
def test_queue_rows_show_chips_and_filter_by_tag(client, agent, make_ticket):
    vpn, both, plain = make_ticket(title="VPN"), make_ticket(title="Both"), make_ticket()
    actions.add_tags(vpn, "VPN", actor=agent)
    actions.add_tags(both, "vpn, urgent", actor=agent)
    client.force_login(agent)
    response = client.get(QUEUE)
    assert set(rows(response)) == {vpn.pk, both.pk, plain.pk}
    assert 'class="tag-chip" href="?tag=VPN"' in response.content.decode()
    assert set(rows(client.get(QUEUE, {"tag": "vpn"}))) == {vpn.pk, both.pk}
    assert rows(client.get(QUEUE, {"tag": "VPN, Urgent"})) == [both.pk]  # all of them
    assert rows(client.get(QUEUE, {"tag": "nothing"})) == []
    response = client.get(QUEUE, {"tag": "x" * 60})
    assert "tag:" in response.content.decode()  # reported, not fatal
    assert len(rows(response)) == 3


def test_tag_filter_keeps_the_scope(client, agent, make_ticket, l2):
    theirs = make_ticket(title="Infra")
    ticket_actions.assign_ticket(theirs, actor=None, team=l2)
    actions.add_tags(theirs, "vpn", actor=None)
    client.force_login(agent)
    assert rows(client.get(QUEUE, {"tag": "vpn"})) == []


def test_saved_view_stores_the_tag_and_counts_it(client, agent, make_ticket):
    tagged = make_ticket()
    make_ticket()
    actions.add_tags(tagged, "VPN", actor=agent)
    client.force_login(agent)
    response = client.post(
        reverse("desk:view_save"), {"name": "VPN work", "params": "tag=VPN&q=&cursor=x"}
    )
    view = SavedView.objects.get(name="VPN work")
    assert view.params == "tag=VPN"
    assert response["Location"].endswith(f"?sv={view.pk}&tag=VPN")
    response = client.get(response["Location"])
    assert rows(response) == [tagged.pk]
    counts = {item["view"].pk: item["count"] for item in response.context["sidebar"]["saved"]}
    assert counts[view.pk] == 1
    bad = client.post(
        reverse("desk:view_save"), {"name": "Bad", "params": "tag=" + "y" * 60}, follow=True
    )
    assert "too long" in bad.content.decode()
    assert not SavedView.objects.filter(name="Bad").exists()


def test_queue_query_count_does_not_grow_with_tags(
    client, agent, make_ticket, service, django_assert_max_num_queries
):
    """Tags for the whole page come in one query: 30 rows with 3 tags each cost the same
    queries as 1 row with one tag (tests/desk/test_queue.py has the page's budget)."""
    first = make_ticket(service=service)
    actions.add_tags(first, "a", actor=agent)
    client.force_login(agent)
    client.get(QUEUE)
    cache.clear()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(QUEUE)
    for i in range(29):
        actions.add_tags(make_ticket(service=service), f"t{i % 5}, shared, x{i}", actor=agent)
    cache.clear()
    with django_assert_max_num_queries(len(small)):
        response = client.get(QUEUE)
    assert len(response.context["rows"]) == 30
    assert response.content.decode().count('class="tag-chip"') == 1 + 29 * 3
    # Nothing cached, and in a test's transaction no reference memo: session, user, teams,
    # rows, clocks, tags, bell; sidebar: saved views, 4 counters, availability; the filter
    # bars' 5 reference lists.
    with django_assert_max_num_queries(19):
        cache.clear()
        client.get(QUEUE, {"tag": "shared"})


# --- bulk --------------------------------------------------------------------------------------
def test_bulk_add_and_remove_tags_with_a_summary(client, agent, make_ticket, l2):
    a, b = make_ticket(), make_ticket()
    theirs = make_ticket()
    ticket_actions.assign_ticket(theirs, actor=None, team=l2)
    client.force_login(agent)
    response = client.post(
        reverse("desk:bulk"),
        {"ids": [a.pk, b.pk, theirs.pk], "operation": "tag_add", "tags_add": "VPN, outage"},
        follow=True,
    )
    text = response.content.decode()
    assert "2 updated, 1 failed" in text and f"#{theirs.pk} — " in text
    assert names(a) == names(b) == ["outage", "VPN"] and names(theirs) == []
    assert TicketEvent.objects.filter(kind="tags_changed", ticket__in=[a, b]).count() == 2
    response = client.post(
        reverse("desk:bulk"),
        {"ids": [a.pk, b.pk], "operation": "tag_remove", "tags_remove": "outage"},
        follow=True,
    )
    assert "2 updated" in response.content.decode()
    assert names(a) == names(b) == ["VPN"]


def test_bulk_tags_need_good_names(client, agent, make_ticket):
    a = make_ticket()
    client.force_login(agent)
    response = client.post(
        reverse("desk:bulk"), {"ids": [a.pk], "operation": "tag_add", "tags_add": " "}, follow=True
    )
    assert "Name at least one tag." in response.content.decode()
    response = client.post(
        reverse("desk:bulk"),
        {"ids": [a.pk], "operation": "tag_add", "tags_add": "z" * 51},
        follow=True,
    )
    assert "too long" in response.content.decode()
    assert names(a) == [] and not Tag.objects.exists()


def test_queue_offers_the_tag_filter_and_bulk_operations(client, agent):
    client.force_login(agent)
    body = client.get(QUEUE).content.decode()
    assert 'id="filter-tag"' in body and reverse("desk:tag_suggest") in body
    assert '<option value="tag_add">Add tags</option>' in body
    assert '<option value="tag_remove">Remove tags</option>' in body
