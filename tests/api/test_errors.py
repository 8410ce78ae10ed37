"""Every failure has the same shape and the right status; the schema documents every route."""

from __future__ import annotations

import pytest

from okno.tickets.models import Ticket

from .conftest import error_of

OPERATIONS = {
    ("get", "/api/v1/tickets"): "tickets_list",
    ("post", "/api/v1/tickets"): "tickets_create",
    ("get", "/api/v1/tickets/{ticket_id}"): "tickets_get",
    ("patch", "/api/v1/tickets/{ticket_id}"): "tickets_update",
    ("post", "/api/v1/tickets/{ticket_id}/reopen"): "tickets_reopen",
    ("post", "/api/v1/tickets/{ticket_id}/merge"): "tickets_merge",
    ("get", "/api/v1/tickets/{ticket_id}/articles"): "tickets_articles_list",
    ("post", "/api/v1/tickets/{ticket_id}/articles"): "tickets_articles_create",
    ("get", "/api/v1/tickets/{ticket_id}/events"): "tickets_events_list",
    ("get", "/api/v1/tickets/{ticket_id}/links"): "tickets_links_list",
    ("post", "/api/v1/tickets/{ticket_id}/links"): "tickets_links_create",
    ("delete", "/api/v1/tickets/{ticket_id}/links"): "tickets_links_delete",
    ("get", "/api/v1/tickets/{ticket_id}/attachments"): "tickets_attachments_list",
    ("post", "/api/v1/tickets/{ticket_id}/attachments"): "tickets_attachments_create",
    ("get", "/api/v1/attachments/{attachment_id}"): "attachments_download",
    ("get", "/api/v1/statuses"): "statuses_list",
    ("get", "/api/v1/services"): "services_list",
    ("get", "/api/v1/teams"): "teams_list",
    ("get", "/api/v1/users/me"): "users_me",
    ("get", "/api/v1/users"): "users_list",
    ("get", "/api/v1/users/{user_id}"): "users_get",
    ("get", "/api/v1/organizations"): "organizations_list",
    ("get", "/api/v1/organizations/{organization_id}"): "organizations_get",
    ("get", "/api/v1/tokens"): "tokens_list",
    ("post", "/api/v1/tokens"): "tokens_create",
    ("delete", "/api/v1/tokens/{token_id}"): "tokens_revoke",
}


def test_openapi_lists_every_operation_with_its_id_and_docs(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    found = {
        (method, path): op["operationId"]
        for path, item in schema["paths"].items()
        for method, op in item.items()
    }
    # The core operations keep their ids; other apps add their own routers.
    assert OPERATIONS.items() <= found.items()
    assert len(set(found.values())) == len(found), "operation ids must be unique"
    for path, item in schema["paths"].items():
        for method, op in item.items():
            assert op.get("summary") and op.get("description"), op["operationId"]
            assert "401" in op["responses"], op["operationId"]
            if (method, path) in OPERATIONS:
                assert op["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert "ErrorOut" in schema["components"]["schemas"]


def test_docs_page_is_served_locally_and_legacy_url_redirects(client, db):
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in docs.content.decode()
    assert "cdn" not in docs.content.decode().lower()  # works offline
    redirect = client.get("/api/docs")
    assert redirect.status_code == 302
    assert redirect["Location"] == "/api/v1/docs"


def test_unknown_path_is_structured_404(api, agent):
    response = api(agent).get("/no-such-thing")
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_non_numeric_ticket_id_is_404(api, agent):
    assert api(agent).get("/tickets/abc").status_code == 404


def test_missing_ticket_is_structured_404(api, agent):
    response = api(agent).get("/tickets/999999")
    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found", "message": "Not found.", "fields": {}}


def test_wrong_method_is_structured_405_with_allow(api, agent):
    response = api(agent).put("/tickets", {})
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_validation_error_names_each_field(api, requester, service):
    response = api(requester).post(
        "/tickets", {"description": "x", "impact": "high", "colour": "red"}
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"title", "impact", "colour"}
    assert not Ticket.objects.exists()


def test_domain_validation_error_uses_action_messages(api, requester):
    response = api(requester).post("/tickets", {"title": "  ", "description": "", "impact": 7})
    assert response.status_code == 400
    fields = error_of(response)["fields"]
    assert set(fields) == {"title", "description", "impact"}
    assert not Ticket.objects.exists()


def test_unparseable_json_is_400(api, requester):
    client = api(requester)
    response = client.client.post(
        "/api/v1/tickets", "{not json", content_type="application/json", **client.headers
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


def test_too_large_body_is_413(api, requester, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api(requester).post("/tickets", {"title": "big", "description": "x" * 5000})
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"


def test_unexpected_failure_is_generic_500(api, agent, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr("okno.tickets.api.TicketFilter.from_params", explode)
    response = api(agent).get("/tickets")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "server_error"
    assert "hunter2" not in response.content.decode()


@pytest.mark.parametrize("path", ["/tickets", "/users/me", "/statuses"])
def test_unauthenticated_error_shape(api, db, path):
    response = api().get(path)
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
