"""Token scopes, per-token rate limits and request ids, enforced centrally for every router."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import RequestFactory

from okno.accounts.models import ApiToken
from okno.api.auth import accepted_scopes, check_scopes
from okno.api.errors import ApiError

from .conftest import error_of


def token_client(api, user, scopes):
    _token, raw = ApiToken.issue(user, "scoped", scopes=scopes)
    return api(raw=raw)


# --- scopes ------------------------------------------------------------------------------------
def test_read_only_token_reads(api, agent, ticket):
    client = token_client(api, agent, ["read"])
    assert client.get("/tickets").status_code == 200
    assert client.get(f"/tickets/{ticket.pk}").status_code == 200


@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_read_only_token_gets_403_on_unsafe_methods(api, agent, ticket, method):
    client = token_client(api, agent, ["read"])
    paths = {
        "post": f"/tickets/{ticket.pk}/articles",
        "patch": f"/tickets/{ticket.pk}",
        "delete": "/tokens/1",
    }
    if method == "delete":
        response = client.delete(paths[method])
    else:
        response = getattr(client, method)(paths[method], {"kind": "note", "body": "x"})
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "insufficient_scope"
    assert "read-only" in error["message"]
    ticket.refresh_from_db()
    assert not ticket.articles.filter(body_text="x").exists()


def test_write_token_reads_and_writes(api, agent, ticket):
    client = token_client(api, agent, ["write"])
    assert client.get(f"/tickets/{ticket.pk}").status_code == 200
    response = client.post(f"/tickets/{ticket.pk}/articles", {"kind": "note", "body": "seen"})
    assert response.status_code == 201


@pytest.mark.parametrize("scope", ["events", "redbutton"])
@pytest.mark.parametrize("path", ["/tickets", "/users/me", "/statuses", "/tokens", "/services"])
def test_narrow_tokens_cannot_use_other_routers(api, agent, scope, path):
    response = token_client(api, agent, [scope]).get(path)
    assert response.status_code == 403
    assert error_of(response)["code"] == "insufficient_scope"


def test_events_token_cannot_create_a_broader_token(api, agent):
    client = token_client(api, agent, ["events"])
    response = client.post("/tokens", {"name": "escalate"})
    assert response.status_code == 403
    assert ApiToken.objects.filter(name="escalate").count() == 0


def test_session_calls_have_no_scopes(client, agent):
    client.force_login(agent)
    assert client.get("/api/v1/users/me").status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "accepted"),
    [
        ("GET", "tickets", {"read", "write"}),
        ("HEAD", "tickets/3/events", {"read", "write"}),
        ("POST", "tickets", {"write"}),
        ("DELETE", "tokens/3", {"write"}),
        ("POST", "events", {"write", "events"}),
        ("POST", "events/alertmanager", {"write", "events"}),
        ("GET", "events", {"read", "write", "events"}),
        ("POST", "redbutton/reports", {"write", "redbutton"}),
        ("GET", "redbutton/devices/1", {"read", "write", "redbutton"}),
        ("POST", "eventsx", {"write"}),
    ],
)
def test_accepted_scopes_by_path_and_method(method, path, accepted):
    assert accepted_scopes(method, path) == accepted


@pytest.mark.parametrize(
    ("scopes", "method", "path", "allowed"),
    [
        (["events"], "POST", "/api/v1/events", True),
        (["events"], "POST", "/api/v1/events/zabbix", True),
        (["events"], "POST", "/api/v1/redbutton/reports", False),
        (["redbutton"], "POST", "/api/v1/redbutton/reports", True),
        (["redbutton"], "POST", "/api/v1/events", False),
        (["read"], "POST", "/api/v1/events", False),
        (["read"], "GET", "/api/v1/tickets/1/events", True),
        (["events"], "GET", "/api/v1/tickets/1/events", False),
        ([], "GET", "/api/v1/tickets", False),
    ],
)
def test_narrow_routes_are_found_by_path(agent, scopes, method, path, allowed):
    token, _raw = ApiToken.issue(agent, "t", scopes=scopes)
    request = RequestFactory().generic(method, path)
    if allowed:
        check_scopes(token, request)
    else:
        with pytest.raises(ApiError) as caught:
            check_scopes(token, request)
        assert caught.value.status == 403 and caught.value.code == "insufficient_scope"


def test_handlers_see_the_user_and_the_token(agent, rf):
    from okno.api.auth import TokenAuth

    token, raw = ApiToken.issue(agent, "t", scopes=["read"])
    request = rf.get("/api/v1/tickets", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert TokenAuth()(request) == agent
    assert request.okno_token == token
    assert request.api_token == token


def test_tokens_are_created_with_the_requested_scopes(api, agent):
    response = api(agent).post("/tokens", {"name": "monitoring", "scopes": ["events"]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["scopes"] == ["events"]
    assert ApiToken.objects.get(pk=body["id"]).scopes == ["events"]
    narrow = api(raw=body["token"])
    assert narrow.get("/tickets").status_code == 403


@pytest.mark.parametrize("scopes", [[], ["admin"], "read"])
def test_unknown_or_empty_scopes_are_a_field_error(api, agent, scopes):
    response = api(agent).post("/tokens", {"name": "bad", "scopes": scopes})
    assert response.status_code == 400
    assert "scopes" in " ".join(error_of(response)["fields"])


def test_default_token_scopes_are_read_and_write(api, agent):
    response = api(agent).post("/tokens", {"name": "default"})
    assert sorted(response.json()["scopes"]) == ["read", "write"]


# --- rate limit --------------------------------------------------------------------------------
def test_rate_limit_is_per_token_with_retry_after(api, agent, settings):
    settings.API_RATE_LIMIT = "3/min"
    first, second = token_client(api, agent, ["read"]), token_client(api, agent, ["read"])
    for _ in range(3):
        assert first.get("/users/me").status_code == 200
    response = first.get("/users/me")
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60
    # the same user's other token has its own budget
    assert second.get("/users/me").status_code == 200


# --- request ids -------------------------------------------------------------------------------
def test_every_response_has_a_request_id(api, agent, client):
    ok = api(agent).get("/users/me")
    unauthenticated = api().get("/tickets")
    unknown = client.get("/api/v1/no/such/thing")
    wrong_method = api(agent).put("/users/me", {})
    schema = client.get("/api/v1/openapi.json")
    ids = [r["X-Request-ID"] for r in (ok, unauthenticated, unknown, wrong_method, schema)]
    assert all(len(rid) == 32 for rid in ids)
    assert len(set(ids)) == len(ids)
    for response in (unauthenticated, unknown, wrong_method):
        assert response.json()["error"]["request_id"] == response["X-Request-ID"]


def test_a_sane_incoming_request_id_is_kept(api, agent):
    rid = "c0ffee-42.abc:1"
    response = api(agent).get("/users/me", HTTP_X_REQUEST_ID=rid)
    assert response["X-Request-ID"] == rid


@pytest.mark.parametrize("bad", ["", " ", "a" * 129, "<script>", "a b", "-leading", "ü"])
def test_an_insane_incoming_request_id_is_replaced(api, agent, bad):
    response = api(agent).get("/users/me", HTTP_X_REQUEST_ID=bad)
    assert response["X-Request-ID"] != bad
    assert len(response["X-Request-ID"]) == 32


def test_error_bodies_and_logs_carry_the_request_id(api, agent, caplog):
    with caplog.at_level(logging.INFO, logger="okno.api"):
        response = api(agent).get("/users", {"limit": "many"}, HTTP_X_REQUEST_ID="trace-1")
    assert response.status_code == 400
    assert response.json()["error"]["request_id"] == "trace-1"
    assert any("request_id=trace-1" in record.getMessage() for record in caplog.records)


def test_scope_errors_carry_the_request_id(api, agent):
    response = token_client(api, agent, ["events"]).get("/tickets", HTTP_X_REQUEST_ID="r-9")
    assert response.json()["error"]["request_id"] == "r-9"
    assert response["X-Request-ID"] == "r-9"


def test_the_schema_documents_scopes_and_request_ids(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/tickets"]["get"]
    assert {"401", "403", "429"} <= set(operation["responses"])
    assert "X-Request-ID" in operation["responses"]["200"]["headers"]


def test_hand_built_error_bodies_get_the_request_id_and_5xx_are_logged(rf, caplog):
    from django.http import JsonResponse

    from okno.api.middleware import with_request_id

    @with_request_id
    def broken(request):
        return JsonResponse({"error": {"code": "x", "message": "m", "fields": {}}}, status=502)

    with caplog.at_level(logging.ERROR, logger="okno.api"):
        response = broken(rf.get("/api/v1/anything", HTTP_X_REQUEST_ID="up-1"))
    assert response["X-Request-ID"] == "up-1"
    assert json.loads(response.content)["error"]["request_id"] == "up-1"
    assert any("request_id=up-1" in r.getMessage() for r in caplog.records)


def test_the_site_wide_middleware_ids_every_response(rf):
    from django.http import HttpResponse

    from okno.api.middleware import RequestIdMiddleware

    middleware = RequestIdMiddleware(lambda request: HttpResponse("page"))
    response = middleware(rf.get("/desk/"))
    assert len(response["X-Request-ID"]) == 32
    assert middleware(rf.get("/", HTTP_X_REQUEST_ID="abc"))["X-Request-ID"] == "abc"
