"""Tags over the API: on ticket output, create and update, add/remove routes, the ``tag`` list
filter and ``GET /tags``; scoped like every ticket route, structured errors for bad names."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from okno.accounts.models import ApiToken
from okno.tags import actions
from okno.tags.models import Tag
from okno.tickets import actions as ticket_actions
from okno.tickets.models import Ticket, TicketEvent
from tests.api.conftest import ApiClient, error_of

from .conftest import names


@pytest.fixture
def api(db, settings):
    settings.API_RATE_LIMIT = "600/min"
    cache.clear()

    def make(user):
        _token, raw = ApiToken.issue(user, "tests")
        return ApiClient(Client(), raw)

    return make


def test_ticket_output_lists_tags_for_agents_only(api, agent, requester, ticket):
    actions.add_tags(ticket, "VPN, urgent", actor=agent)
    assert api(agent).get(f"/tickets/{ticket.pk}").json()["tags"] == ["urgent", "VPN"]
    assert api(requester).get(f"/tickets/{ticket.pk}").json()["tags"] == []
    assert api(agent).json_list("/tickets")[0]["tags"] == ["urgent", "VPN"]
    assert api(requester).json_list("/tickets")[0]["tags"] == []


def test_list_tags_cost_one_query_per_page(
    api, agent, requester, make_ticket, django_assert_max_num_queries
):
    for n in range(10):
        actions.add_tags(make_ticket(), f"n{n}, shared", actor=agent)
    client = api(agent)
    client.get("/tickets")  # warm up per-user caches
    with django_assert_max_num_queries(7):  # tests/api's budget of 6, +1 for the tags
        items = client.json_list("/tickets")
    assert all("shared" in item["tags"] for item in items)


def test_list_filters_by_tag(api, agent, make_ticket):
    vpn, both, _plain = make_ticket(), make_ticket(), make_ticket()
    actions.add_tags(vpn, "vpn", actor=agent)
    actions.add_tags(both, "vpn, urgent", actor=agent)
    client = api(agent)
    assert {t["id"] for t in client.json_list("/tickets", {"tag": "VPN"})} == {vpn.pk, both.pk}
    assert [t["id"] for t in client.json_list("/tickets", {"tag": "vpn,urgent"})] == [both.pk]
    assert client.json_list("/tickets", {"tag": "unknown"}) == []
    response = client.get("/tickets", {"tag": "x" * 51})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"tag"}


def test_agent_creates_a_tagged_ticket(api, agent, requester):
    response = api(agent).post(
        "/tickets",
        {
            "title": "VPN down",
            "description": "Since 9:00",
            "requester": requester.pk,
            "tags": ["VPN", " outage ", "vpn"],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["tags"] == ["outage", "VPN"]
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert TicketEvent.objects.filter(ticket=ticket, kind="tags_changed").count() == 1


def test_bad_tag_names_are_a_400_and_create_nothing(api, agent, requester):
    response = api(agent).post(
        "/tickets",
        {"title": "x", "description": "y", "requester": requester.pk, "tags": ["ok", "z" * 51]},
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error" and set(error["fields"]) == {"tags"}
    assert not Ticket.objects.exists() and not Tag.objects.exists()


def test_requesters_cannot_tag(api, requester, ticket):
    client = api(requester)
    response = client.post("/tickets", {"title": "x", "description": "y", "tags": ["mine"]})
    assert response.status_code == 403
    assert client.patch(f"/tickets/{ticket.pk}", {"tags": ["mine"]}).status_code == 403
    assert client.post(f"/tickets/{ticket.pk}/tags", {"names": ["mine"]}).status_code == 403
    assert client.delete(f"/tickets/{ticket.pk}/tags", {"name": "x"}).status_code == 403
    assert client.get("/tags").status_code == 403
    assert not Tag.objects.exists() and Ticket.objects.count() == 1


def test_patch_replaces_the_set_together_with_other_changes(api, agent, ticket):
    actions.add_tags(ticket, "a, b", actor=agent)
    client = api(agent)
    response = client.patch(f"/tickets/{ticket.pk}", {"title": "New title", "tags": ["b", "c"]})
    assert response.status_code == 200, response.content
    assert response.json()["tags"] == ["b", "c"] and response.json()["title"] == "New title"
    assert client.patch(f"/tickets/{ticket.pk}", {"tags": None}).json()["tags"] == []
    # All or nothing: a bad name keeps the title too.
    response = client.patch(f"/tickets/{ticket.pk}", {"title": "Other", "tags": ["q" * 60]})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.title == "New title"


def test_patch_without_tags_leaves_them(api, agent, ticket):
    actions.add_tags(ticket, "keep", actor=agent)
    api(agent).patch(f"/tickets/{ticket.pk}", {"title": "Renamed"})
    assert names(ticket) == ["keep"]


def test_add_and_remove_routes(api, agent, ticket):
    client = api(agent)
    response = client.post(f"/tickets/{ticket.pk}/tags", {"names": ["VPN", "urgent"]})
    assert response.status_code == 200 and response.json() == {"tags": ["urgent", "VPN"]}
    response = client.delete(f"/tickets/{ticket.pk}/tags", {"name": "vpn"})
    assert response.status_code == 200 and response.json() == {"tags": ["urgent"]}
    assert client.post(f"/tickets/{ticket.pk}/tags", {"names": []}).status_code == 400
    assert client.post(f"/tickets/{ticket.pk}/tags", {"tags": ["x"]}).status_code == 400


def test_other_teams_and_organizations_get_404(api, specialist, outsider, ticket):
    for user in (specialist, outsider):
        client = api(user)
        assert client.post(f"/tickets/{ticket.pk}/tags", {"names": ["x"]}).status_code == 404
        assert client.delete(f"/tickets/{ticket.pk}/tags", {"name": "x"}).status_code == 404
        assert client.patch(f"/tickets/{ticket.pk}", {"tags": ["x"]}).status_code == 404
    assert not Tag.objects.exists()


def test_tag_list_with_counts(api, agent, make_ticket, l2):
    a, b = make_ticket(), make_ticket()
    actions.add_tags(a, "VPN, printer", actor=agent)
    actions.add_tags(b, "vpn", actor=agent)
    theirs = make_ticket()
    ticket_actions.assign_ticket(theirs, actor=None, team=l2)
    actions.add_tags(theirs, "vpn", actor=None)
    Tag.objects.create(name="unused", color="#aa0000")
    client = api(agent)
    items = client.json_list("/tags")
    assert [(t["name"], t["ticket_count"]) for t in items] == [
        ("printer", 1),
        ("unused", 0),
        ("VPN", 3),  # counted over all tickets
    ]
    assert items[1]["color"] == "#aa0000"
    assert [t["name"] for t in client.json_list("/tags", {"q": "v"})] == ["VPN"]
    assert [t["name"] for t in client.json_list("/tags", {"limit": 1, "offset": 1})] == ["unused"]
    response = client.get("/tags", {"limit": 0})
    assert response.status_code == 400 and "limit" in error_of(response)["fields"]
