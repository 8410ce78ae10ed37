"""``/tickets``: list, create, read, change, reopen, merge, link — scoped and all-or-nothing."""

from __future__ import annotations

import pytest

from okno.catalog.models import Category, Service
from okno.tickets import actions
from okno.tickets.models import Status, Ticket, TicketEvent, TicketLink

from .conftest import error_of


def open_for(requester, title="Mail is down", **kw):
    return actions.open_ticket(actor=requester, title=title, description="Help", **kw)


# --- list --------------------------------------------------------------------------------------
def test_list_shows_only_what_the_caller_may_see(api, ticket, outsider, agent, requester):
    theirs = open_for(outsider, "Globex VPN")
    assert [t["id"] for t in api(requester).json_list("/tickets")] == [ticket.pk]
    assert [t["id"] for t in api(outsider).json_list("/tickets")] == [theirs.pk]
    assert {t["id"] for t in api(agent).json_list("/tickets")} == {ticket.pk, theirs.pk}


def test_list_item_is_lean_and_joined(api, agent, ticket, django_assert_max_num_queries):
    for n in range(10):
        open_for(ticket.requester, f"Ticket {n}")
    client = api(agent)
    client.get("/tickets")  # warm up per-user caches
    with django_assert_max_num_queries(6):
        response = client.get("/tickets")
    item = response.json()["items"][0]
    assert item["status"]["key"] == "new"
    assert item["requester"]["email"] == "rita@acme.test"
    assert item["team"]["name"] == "Service Desk"
    assert "custom_fields" not in item


def test_list_filters(api, agent, requester, ticket, service):
    other = open_for(requester, "Laptop broken", type="problem")
    client = api(agent)
    assert [t["id"] for t in client.json_list("/tickets", {"type": "problem"})] == [other.pk]
    assert [t["id"] for t in client.json_list("/tickets", {"service": service.pk})] == [ticket.pk]
    assert [t["id"] for t in client.json_list("/tickets", {"q": "laptop"})] == [other.pk]
    assert [t["id"] for t in client.json_list("/tickets", {"q": f"#{ticket.pk}"})] == [ticket.pk]
    assert client.json_list("/tickets", {"status": "resolved"}) == []
    assert len(client.json_list("/tickets", {"state": "all", "assignee": "none"})) == 2


def test_list_rejects_bad_filters_with_fields(api, agent):
    response = api(agent).get(
        "/tickets",
        {"state": "sleeping", "team": "x", "sort": "random", "limit": "0", "status": "nope"},
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"state", "team", "sort", "limit", "status"}


def test_list_rejects_garbage_cursor(api, agent):
    response = api(agent).get("/tickets", {"cursor": "!!!"})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"cursor"}


@pytest.mark.parametrize("sort", ["score", "newest", "oldest", "updated", "priority"])
def test_cursor_pagination_round_trip_has_no_duplicates_or_gaps(api, agent, requester, sort):
    created = {open_for(requester, f"T{n}", impact=1 + n % 3).pk for n in range(7)}
    client = api(agent)
    seen: list[int] = []
    params = {"limit": 3, "sort": sort}
    pages = 0
    while True:
        body = client.get("/tickets", params).json()
        seen += [t["id"] for t in body["items"]]
        pages += 1
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == created


# --- create ------------------------------------------------------------------------------------
def test_requester_opens_ticket_for_themselves(api, requester, service):
    response = api(requester).post(
        "/tickets",
        {"title": "Printer", "description": "It jams", "service": service.pk, "urgency": 1},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert response["Location"] == f"/api/v1/tickets/{ticket.pk}"
    assert ticket.requester == requester
    assert ticket.organization == requester.organization
    assert ticket.channel == "api"
    assert body["team"]["name"] == "Service Desk"
    assert ticket.articles.get().body_text == "It jams"


def test_agent_opens_ticket_on_behalf_by_email(api, agent, requester, l1):
    response = api(agent).post(
        "/tickets",
        {
            "title": "Phone call: VPN",
            "description": "Called in",
            "requester_email": "RITA@acme.test",
            "team": l1.pk,
            "assignee": agent.pk,
        },
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert (ticket.requester, ticket.assignee, ticket.status.key) == (requester, agent, "open")


def test_agent_files_for_a_new_person_who_becomes_a_requester(api, agent, acme):
    response = api(agent).post(
        "/tickets",
        {"title": "Badge", "description": "New badge", "requester_email": "neo@acme.test"},
    )
    assert response.status_code == 201
    from okno.accounts.models import User

    person = User.objects.get(email="neo@acme.test")
    assert person.organization == acme and person.role == "requester"
    assert Ticket.objects.get(pk=response.json()["id"]).requester == person


def test_failed_create_keeps_no_new_requester(api, agent):
    response = api(agent).post(
        "/tickets", {"title": "", "description": "y", "requester_email": "ghost@nowhere.test"}
    )
    assert response.status_code == 400
    from okno.accounts.models import User

    assert not User.objects.filter(email="ghost@nowhere.test").exists()


def test_agent_on_behalf_with_unknown_references_is_400(api, agent):
    response = api(agent).post(
        "/tickets",
        {
            "title": "x",
            "description": "y",
            "requester_email": "not an email",
            "team": 9999,
            "service": 9999,
            "category": 9999,
            "assignee": 9999,
            "organization": 9999,
        },
    )
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {
        "requester_email",
        "team",
        "service",
        "category",
        "assignee",
        "organization",
    }
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [{"requester_email": "carl@acme.test"}, {"team": "L1"}, {"assignee": "agent"}],
)
def test_requester_cannot_file_for_others_or_route(api, requester, colleague, agent, l1, extra):
    ids = {"L1": l1.pk, "agent": agent.pk}
    extra = {k: ids.get(v, v) for k, v in extra.items()}
    response = api(requester).post("/tickets", {"title": "x", "description": "y", **extra})
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert not Ticket.objects.exists()


def test_requester_cannot_pick_hidden_service(api, requester, l1):
    hidden = Service.objects.create(name="Payroll backend", requester_visible=False)
    response = api(requester).post(
        "/tickets", {"title": "x", "description": "y", "service": hidden.pk}
    )
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"service"}


def test_category_of_another_service_is_400(api, requester, service):
    other = Service.objects.create(name="Email")
    category = Category.objects.create(name="Spam", service=other)
    response = api(requester).post(
        "/tickets",
        {"title": "x", "description": "y", "service": service.pk, "category": category.pk},
    )
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"category"}


# --- read --------------------------------------------------------------------------------------
def test_get_ticket(api, requester, ticket):
    body = api(requester).get(f"/tickets/{ticket.pk}").json()
    assert body["id"] == ticket.pk
    assert body["title"] == ticket.title
    assert body["status"]["requester_label"] == "Received"
    assert body["custom_fields"] == {}


def test_colleague_sees_shared_organization_ticket(api, ticket, colleague, acme):
    assert api(colleague).get(f"/tickets/{ticket.pk}").status_code == 404
    acme.shared_tickets = True
    acme.save()
    colleague.sees_organization_tickets = True
    colleague.save()
    assert api(colleague).get(f"/tickets/{ticket.pk}").status_code == 200


# --- change ------------------------------------------------------------------------------------
def test_agent_changes_everything_in_one_patch(api, agent, ticket, l1):
    response = api(agent).patch(
        f"/tickets/{ticket.pk}",
        {
            "title": "Printer jams on floor 3",
            "type": "problem",
            "impact": 1,
            "urgency": 1,
            "assignee": agent.pk,
            "status": "waiting_customer",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Printer jams on floor 3"
    assert body["type"] == "problem"
    assert (body["impact"], body["urgency"], body["priority"]) == (1, 1, 1)
    assert body["assignee"]["id"] == agent.pk
    assert body["status"]["key"] == "waiting_customer"
    kinds = set(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert {"field_changed", "priority_changed", "assigned", "status_changed"} <= kinds


def test_failing_part_of_a_patch_changes_nothing(api, agent, ticket):
    before = TicketEvent.objects.count()
    response = api(agent).patch(
        f"/tickets/{ticket.pk}",
        {"title": "Renamed", "impact": 1, "priority": 5},  # override without a reason
    )
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"reason"}
    ticket.refresh_from_db()
    assert (ticket.title, ticket.impact) == ("Printer on floor 3 jams", 2)
    assert TicketEvent.objects.count() == before


def test_priority_override_with_reason(api, agent, ticket):
    response = api(agent).patch(f"/tickets/{ticket.pk}", {"priority": 1, "reason": "CEO's printer"})
    assert response.status_code == 200
    assert response.json()["priority"] == 1
    assert response.json()["priority_overridden"] is True


def test_patch_with_unknown_references_is_400_and_saves_nothing(api, agent, ticket):
    response = api(agent).patch(
        f"/tickets/{ticket.pk}",
        {"title": "Renamed", "status": "sleeping", "team": 9999, "assignee": 9999},
    )
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"status", "team", "assignee"}
    ticket.refresh_from_db()
    assert ticket.title == "Printer on floor 3 jams"


def test_patch_null_clears_a_field(api, agent, ticket):
    response = api(agent).patch(f"/tickets/{ticket.pk}", {"service": None})
    assert response.status_code == 200
    assert response.json()["service"] is None


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Mine now"},
        {"team": None},
        {"assignee": "agent"},
        {"impact": 1},
        {"status": "open"},
    ],
)
def test_requester_cannot_reclassify_route_or_prioritise(api, requester, agent, ticket, change):
    change = {k: (agent.pk if v == "agent" else v) for k, v in change.items()}
    response = api(requester).patch(f"/tickets/{ticket.pk}", change)
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    ticket.refresh_from_db()
    assert (ticket.title, ticket.assignee, ticket.impact) == ("Printer on floor 3 jams", None, 2)
    assert (ticket.team.name, ticket.status.key) == ("Service Desk", "new")


def test_requester_may_resolve_their_ticket(api, requester, ticket):
    response = api(requester).patch(f"/tickets/{ticket.pk}", {"status": "resolved"})
    assert response.status_code == 200
    assert response.json()["status"]["category"] == "resolved"


def test_agent_outside_the_team_cannot_change(api, specialist, ticket, admin):
    # Sam (L2) does not see L1's ticket at all: 404, not 403.
    assert api(specialist).patch(f"/tickets/{ticket.pk}", {"title": "x"}).status_code == 404
    assert api(admin).patch(f"/tickets/{ticket.pk}", {"title": "x"}).status_code == 200


# --- reopen, merge -----------------------------------------------------------------------------
def test_requester_reopens_resolved_ticket_with_reason(api, requester, ticket):
    actions.change_status(ticket, actor=requester, status=Status.objects.get(key="resolved"))
    response = api(requester).post(f"/tickets/{ticket.pk}/reopen", {"reason": "Jams again"})
    assert response.status_code == 200
    assert response.json()["status"]["category"] == "open"
    assert response.json()["reopen_count"] == 1
    assert ticket.articles.last().body_text == "Jams again"


def test_reopening_an_open_ticket_is_400(api, requester, ticket):
    response = api(requester).post(f"/tickets/{ticket.pk}/reopen", {})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"status"}


def test_agent_merges_duplicate(api, agent, requester, ticket):
    duplicate = open_for(requester, "Printer again")
    response = api(agent).post(f"/tickets/{duplicate.pk}/merge", {"target": ticket.pk})
    assert response.status_code == 200, response.content
    assert response.json()["id"] == ticket.pk
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == ticket.pk
    assert ticket.articles.count() == 2


def test_merge_into_invisible_ticket_is_400_without_leak(api, agent, outsider, ticket):
    globex = open_for(outsider, "Globex")
    Ticket.objects.filter(pk=globex.pk).update(team=None)
    response = api(agent).post(f"/tickets/{ticket.pk}/merge", {"target": globex.pk})
    missing = api(agent).post(f"/tickets/{ticket.pk}/merge", {"target": 999999})
    assert response.status_code == missing.status_code == 400
    assert error_of(response) == error_of(missing)


def test_requester_cannot_merge(api, requester, ticket):
    other = open_for(requester, "Other")
    response = api(requester).post(f"/tickets/{other.pk}/merge", {"target": ticket.pk})
    assert response.status_code == 403
    assert Ticket.objects.get(pk=other.pk).merged_into_id is None


# --- links -------------------------------------------------------------------------------------
def test_link_list_and_unlink(api, agent, requester, ticket):
    other = open_for(requester, "Related outage")
    child = open_for(requester, "Child")
    client = api(agent)
    response = client.post(f"/tickets/{ticket.pk}/links", {"other": other.pk, "kind": "related"})
    assert response.status_code == 201, response.content
    assert response.json()["items"] == [
        {
            "kind": "related",
            "ticket": {
                "id": other.pk,
                "title": "Related outage",
                "status": {
                    "key": "new",
                    "label": "New",
                    "requester_label": "Received",
                    "category": "new",
                },
            },
        }
    ]
    client.post(f"/tickets/{ticket.pk}/links", {"other": child.pk, "kind": "parent"})
    client.post(f"/tickets/{other.pk}/links", {"other": ticket.pk, "kind": "duplicate"})
    listed = client.get(f"/tickets/{ticket.pk}/links").json()["items"]
    kinds = {(i["kind"], i["ticket"]["id"]) for i in listed}
    assert kinds == {("related", other.pk), ("parent", child.pk), ("duplicated_by", other.pk)}
    child_view = client.get(f"/tickets/{child.pk}/links").json()["items"]
    assert [(i["kind"], i["ticket"]["id"]) for i in child_view] == [("child", ticket.pk)]

    for kind, target in (("related", other.pk), ("parent", child.pk), ("duplicated_by", other.pk)):
        gone = client.delete(f"/tickets/{ticket.pk}/links", {"other": target, "kind": kind})
        assert gone.status_code == 204, (kind, gone.content)
    assert client.get(f"/tickets/{ticket.pk}/links").json()["items"] == []
    assert not TicketLink.objects.exists()
    again = client.delete(f"/tickets/{ticket.pk}/links", {"other": other.pk, "kind": "related"})
    assert again.status_code == 404


def test_link_validation(api, agent, ticket):
    client = api(agent)
    bad_kind = client.post(f"/tickets/{ticket.pk}/links", {"other": ticket.pk, "kind": "sibling"})
    assert bad_kind.status_code == 400
    assert set(error_of(bad_kind)["fields"]) == {"kind"}
    to_self = client.post(f"/tickets/{ticket.pk}/links", {"other": ticket.pk, "kind": "related"})
    assert to_self.status_code == 400
    assert set(error_of(to_self)["fields"]) == {"other"}
    missing = client.post(f"/tickets/{ticket.pk}/links", {"other": 99999, "kind": "related"})
    assert set(error_of(missing)["fields"]) == {"other"}


def test_requester_cannot_link(api, requester, ticket):
    other = open_for(requester, "Other")
    response = api(requester).post(
        f"/tickets/{ticket.pk}/links", {"other": other.pk, "kind": "related"}
    )
    assert response.status_code == 403
    unlink = api(requester).delete(
        f"/tickets/{ticket.pk}/links", {"other": other.pk, "kind": "related"}
    )
    assert unlink.status_code == 403


# --- scope on every ticket-scoped operation ----------------------------------------------------
TICKET_OPERATIONS = [
    ("get", "", None),
    ("patch", "", {"title": "pwned"}),
    ("post", "/reopen", {}),
    ("post", "/merge", {"target": 1}),
    ("get", "/articles", None),
    ("post", "/articles", {"body": "hi"}),
    ("get", "/events", None),
    ("get", "/links", None),
    ("post", "/links", {"other": 1, "kind": "related"}),
    ("delete", "/links", {"other": 1, "kind": "related"}),
    ("get", "/attachments", None),
    ("upload", "/attachments", None),
]


@pytest.mark.parametrize(("method", "suffix", "data"), TICKET_OPERATIONS)
def test_other_organizations_ticket_is_404_everywhere(api, outsider, ticket, method, suffix, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api(outsider)
    url = f"/tickets/{ticket.pk}{suffix}"
    if method == "upload":
        response = client.upload(url, {"file": SimpleUploadedFile("a.txt", b"hello")})
    else:
        response = getattr(client, method)(url, data)
    assert response.status_code == 404, (method, suffix, response.content)
    assert error_of(response) == {"code": "not_found", "message": "Not found.", "fields": {}}
    ticket.refresh_from_db()
    assert ticket.title == "Printer on floor 3 jams"
    assert ticket.articles.count() == 1
    assert ticket.attachments.count() == 0


def test_unlink_validates_its_query(api, agent, ticket):
    client = api(agent)
    response = client.delete(f"/tickets/{ticket.pk}/links", {"other": "x", "kind": "sibling"})
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"other", "kind"}
