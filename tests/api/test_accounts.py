"""People, organizations, reference data and the caller's own tokens."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from okno.accounts.models import ApiToken, Team
from okno.catalog.models import Category, Service
from tests.conftest import make_user

from .conftest import error_of


# --- users -------------------------------------------------------------------------------------
def test_me(api, requester):
    body = api(requester).get("/users/me").json()
    assert body["email"] == "rita@acme.test"
    assert body["name"] == "Rita Requester"
    assert body["role"] == "requester"
    assert body["is_agent"] is False
    assert body["organization"]["name"] == "Acme"


def test_agents_find_people_by_email_or_words(api, agent, requester, colleague, outsider):
    client = api(agent)
    by_email = client.json_list("/users", {"email": "RITA@acme.test"})
    assert [u["id"] for u in by_email] == [requester.pk]
    by_words = client.json_list("/users", {"q": "acme"})
    assert {u["id"] for u in by_words} == {requester.pk, colleague.pk}
    by_org = client.json_list("/users", {"organization": outsider.organization_id})
    assert [u["id"] for u in by_org] == [outsider.pk]
    assert [u["id"] for u in client.json_list("/users", {"role": "agent"})] == [agent.pk]


def test_user_list_pages_by_cursor(api, agent, acme):
    for n in range(5):
        make_user(f"user{n}@acme.test", organization=acme)
    client = api(agent)
    seen, params = [], {"limit": 2}
    while True:
        body = client.get("/users", params).json()
        seen += [u["id"] for u in body["items"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen)) == 6
    assert seen == sorted(seen)


def test_user_list_rejects_bad_input(api, agent):
    client = api(agent)
    assert set(error_of(client.get("/users", {"limit": 0}))["fields"]) == {"limit"}
    assert set(error_of(client.get("/users", {"cursor": "abc"}))["fields"]) == {"cursor"}


def test_requesters_cannot_list_people(api, requester):
    response = api(requester).get("/users")
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"


def test_get_user(api, agent, requester, colleague):
    assert api(agent).get(f"/users/{requester.pk}").json()["email"] == requester.email
    assert api(requester).get(f"/users/{requester.pk}").status_code == 200
    assert api(requester).get(f"/users/{colleague.pk}").status_code == 404
    assert api(agent).get("/users/999999").status_code == 404


# --- organizations -----------------------------------------------------------------------------
def test_organizations_for_agents_and_requesters(api, agent, requester, globex, acme):
    all_orgs = api(agent).json_list("/organizations")
    assert [o["name"] for o in all_orgs] == ["Acme", "Globex"]
    assert all_orgs[0]["email_domains"] == "acme.test"
    assert [o["name"] for o in api(agent).json_list("/organizations", {"q": "glob"})] == ["Globex"]
    own = api(requester).json_list("/organizations")
    assert own == [
        {
            "id": acme.pk,
            "name": "Acme",
            "parent_id": None,
            "email_domains": None,
            "shared_tickets": None,
            "vip": None,
        }
    ]


def test_get_organization(api, agent, requester, acme, globex):
    assert api(agent).get(f"/organizations/{globex.pk}").json()["vip"] is False
    assert api(requester).get(f"/organizations/{acme.pk}").json()["name"] == "Acme"
    hidden = api(requester).get(f"/organizations/{globex.pk}")
    assert hidden.status_code == 404
    assert error_of(hidden)["code"] == "not_found"
    assert api(agent).get("/organizations/999999").status_code == 404


# --- reference data ----------------------------------------------------------------------------
def test_teams_for_agents_only(api, agent, requester, l1, l2):
    Team.objects.create(name="Retired", is_active=False)
    teams = api(agent).json_list("/teams")
    assert [(t["name"], t["line"]) for t in teams] == [("Service Desk", 1), ("Infrastructure", 2)]
    assert teams[0]["next_line_id"] == l2.pk
    assert api(requester).get("/teams").status_code == 403


def test_services_with_categories(api, agent, requester, service):
    Category.objects.create(name="Paper jam", service=service)
    Category.objects.create(name="Old", service=service, is_active=False)
    Service.objects.create(name="Backend", requester_visible=False)
    Service.objects.create(name="Gone", is_active=False)
    seen_by_requester = api(requester).json_list("/services")
    assert [s["name"] for s in seen_by_requester] == ["Printing"]
    assert [c["name"] for c in seen_by_requester[0]["categories"]] == ["Paper jam"]
    assert [s["name"] for s in api(agent).json_list("/services")] == ["Backend", "Printing"]


def test_statuses(api, requester):
    statuses = api(requester).json_list("/statuses")
    keys = [s["key"] for s in statuses]
    assert keys[:2] == ["new", "open"]
    assert {"resolved", "closed"} <= set(keys)
    assert statuses[0]["requester_label"] == "Received"


# --- tokens ------------------------------------------------------------------------------------
def test_create_use_list_and_revoke_a_token(api, agent):
    client = api(agent)
    created = client.post("/tokens", {"name": "CI pipeline"})
    assert created.status_code == 201, created.content
    body = created.json()
    raw = body["token"]
    assert raw.startswith("okno_")
    assert body["hint"] == raw[:10]
    stored = ApiToken.objects.get(pk=body["id"])
    assert raw not in (stored.key_hash, stored.hint)

    fresh = api(raw=raw)
    assert fresh.get("/users/me").json()["id"] == agent.pk
    listed = client.json_list("/tokens")
    assert {t["name"] for t in listed} == {"CI pipeline", "tests"}
    assert all("token" not in t for t in listed)

    assert client.delete(f"/tokens/{body['id']}").status_code == 204
    assert fresh.get("/users/me").status_code == 401
    assert client.delete(f"/tokens/{body['id']}").status_code == 204  # idempotent


def test_token_with_expiry(api, agent):
    client = api(agent)
    soon = timezone.now() + timedelta(days=30)
    body = client.post("/tokens", {"name": "temp", "expires_at": soon.isoformat()}).json()
    assert ApiToken.objects.get(pk=body["id"]).expires_at == soon
    past = client.post("/tokens", {"name": "old", "expires_at": "2000-01-01T00:00:00Z"})
    assert past.status_code == 400
    assert set(error_of(past)["fields"]) == {"expires_at"}


def test_token_input_is_validated(api, agent):
    client = api(agent)
    for data, field in (({"name": ""}, "name"), ({"name": "   "}, "name"), ({}, "name")):
        response = client.post("/tokens", data)
        assert response.status_code == 400
        assert set(error_of(response)["fields"]) == {field}
    assert ApiToken.objects.filter(user=agent).count() == 1


def test_cannot_see_or_revoke_someone_elses_token(api, agent, requester):
    theirs, _raw = ApiToken.issue(requester, "rita's")
    client = api(agent)
    assert [t["name"] for t in client.json_list("/tokens")] == ["tests"]
    response = client.delete(f"/tokens/{theirs.pk}")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked is False
