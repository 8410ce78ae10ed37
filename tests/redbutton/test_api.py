"""``/api/v1/redbutton/…`` with device tokens, scoped API tokens and sessions."""

from __future__ import annotations

import base64

import pytest

from okno.accounts.models import ApiToken
from okno.redbutton.models import Device, Press
from tests.redbutton.test_actions import PNG

REPORTS = "/api/v1/redbutton/reports"


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.REDBUTTON_MERGE_WINDOW_MINUTES = 30
    settings.REDBUTTON_DEVICE_RATE = "2/h"
    settings.REDBUTTON_USER_RATE = "10/h"
    settings.API_RATE_LIMIT = ""


def post(client, path, data, auth=None):
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    return client.post(path, data, content_type="application/json", **extra)


def test_device_token_files_a_report_and_gets_the_ticket_number(client, device, diagnostics):
    body = {
        "report_id": "r-1",
        "comment": "No mail",
        "diagnostics": diagnostics,
        "screenshot_base64": base64.b64encode(PNG).decode(),
        "client": {"name": "okno-redbutton", "version": "0.1.0"},
    }
    response = post(client, REPORTS, body, f"Device {device.raw_token}")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["created"] and not data["merged"] and data["ticket"]
    assert data["url"].endswith(f"/portal/tickets/{data['ticket']}/")
    device.refresh_from_db()
    assert device.last_seen_at is not None
    assert Press.objects.get().ticket_id == data["ticket"]


def test_second_press_answers_200_merged_and_the_limit_429_with_retry_after(
    client, device, diagnostics
):
    auth = f"Device {device.raw_token}"
    first = post(client, REPORTS, {"diagnostics": diagnostics}, auth).json()
    second = post(client, REPORTS, {"diagnostics": diagnostics}, auth)
    assert second.status_code == 200 and second.json()["merged"]
    assert second.json()["ticket"] == first["ticket"]
    third = post(client, REPORTS, {"diagnostics": diagnostics}, auth)
    assert third.status_code == 429
    assert int(third["Retry-After"]) > 0
    error = third.json()["error"]
    assert error["code"] == "rate_limited" and error["ticket"] == first["ticket"]
    assert f"#{first['ticket']}" in error["message"]


def test_resending_the_same_report_id_answers_the_first_ticket(client, device, diagnostics):
    auth = f"Device {device.raw_token}"
    first = post(client, REPORTS, {"report_id": "same", "diagnostics": diagnostics}, auth).json()
    again = post(client, REPORTS, {"report_id": "same", "diagnostics": diagnostics}, auth)
    assert again.status_code == 200 and again.json()["duplicate"]
    assert again.json()["ticket"] == first["ticket"] and Press.objects.count() == 1


@pytest.mark.parametrize("auth", ["Device okrb_wrong", "Device ", "Device okno_notadevice"])
def test_bad_device_tokens_are_401(db, client, auth, diagnostics):
    response = post(client, REPORTS, {"diagnostics": diagnostics}, auth)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_disabled_device_is_401(client, device, diagnostics):
    Device.objects.filter(pk=device.pk).update(enabled=False)
    response = post(client, REPORTS, {"diagnostics": diagnostics}, f"Device {device.raw_token}")
    assert response.status_code == 401 and "disabled" in response.json()["error"]["message"]


def test_api_tokens_need_the_redbutton_scope(client, requester, diagnostics):
    _t, plain = ApiToken.issue(requester, "rw")
    _t, scoped = ApiToken.issue(requester, "rb", scopes=["redbutton"])
    refused = post(client, REPORTS, {"diagnostics": diagnostics}, f"Bearer {plain}")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "scope_missing"
    accepted = post(client, REPORTS, {"diagnostics": diagnostics}, f"Bearer {scoped}")
    assert accepted.status_code == 201
    assert Press.objects.get().device is None


def test_a_session_cannot_file_reports(client, requester, diagnostics):
    client.force_login(requester)
    assert post(client, REPORTS, {"diagnostics": diagnostics}).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "diagnostics"),
        ({"diagnostics": "text"}, "diagnostics"),
        ({"diagnostics": {}, "screenshot_base64": "!!notbase64"}, "screenshot_base64"),
        (
            {
                "diagnostics": {},
                "screenshot_base64": base64.b64encode(b"GIF89a-not-allowed").decode(),
            },
            "screenshot",
        ),
        ({"diagnostics": {}, "report_id": "x" * 65}, "report_id"),
    ],
)
def test_bad_reports_are_400_with_the_field(client, device, body, field):
    response = post(client, REPORTS, body, f"Device {device.raw_token}")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Press.objects.exists()


def test_register_a_device_by_session_returns_token_and_config(client, requester):
    client.force_login(requester)
    response = client.post(
        "/api/v1/redbutton/devices",
        {"name": "Laptop"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN="x",
    )
    # session calls need CSRF; the test client does not enforce it by default
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["token"].startswith("okrb_") and f"token = {data['token']}" in data["config"]
    assert "server = http://testserver" in data["config"]
    listed = client.get("/api/v1/redbutton/devices").json()["items"]
    assert [d["name"] for d in listed] == ["Laptop"] and "token" not in listed[0]


def test_agents_register_devices_for_others_requesters_cannot(client, agent, requester, colleague):
    _t, agent_token = ApiToken.issue(agent, "a")
    response = post(
        client,
        "/api/v1/redbutton/devices",
        {"name": "Rita PC", "owner_email": requester.email},
        f"Bearer {agent_token}",
    )
    assert response.status_code == 201 and response.json()["owner"] == requester.email
    _t, carl_token = ApiToken.issue(colleague, "c")
    response = post(
        client,
        "/api/v1/redbutton/devices",
        {"name": "x", "owner_email": requester.email},
        f"Bearer {carl_token}",
    )
    assert response.status_code == 400 and "owner_email" in response.json()["error"]["fields"]


def test_a_read_only_token_cannot_register_devices(client, requester):
    _t, read_only = ApiToken.issue(requester, "r", scopes=["read"])
    response = post(client, "/api/v1/redbutton/devices", {"name": "x"}, f"Bearer {read_only}")
    assert response.status_code == 403


def test_stats_for_agents_only(client, agent, requester, device, diagnostics):
    auth = f"Device {device.raw_token}"
    for _ in range(3):
        post(client, REPORTS, {"diagnostics": diagnostics}, auth)
    _t, agent_token = ApiToken.issue(agent, "a")
    data = client.get(
        "/api/v1/redbutton/stats?days=7", HTTP_AUTHORIZATION=f"Bearer {agent_token}"
    ).json()
    assert data["total"] == 3
    row = data["items"][0]
    assert (row["name"], row["presses"], row["tickets"], row["merged"], row["refused"]) == (
        "Rita Requester",
        3,
        1,
        1,
        1,
    )
    by_org = client.get(
        "/api/v1/redbutton/stats?group=organization", HTTP_AUTHORIZATION=f"Bearer {agent_token}"
    ).json()
    assert by_org["items"][0]["name"] == "Acme"
    _t, rita_token = ApiToken.issue(requester, "r")
    assert (
        client.get("/api/v1/redbutton/stats", HTTP_AUTHORIZATION=f"Bearer {rita_token}").status_code
        == 403
    )
    assert (
        client.get(
            "/api/v1/redbutton/stats?group=nope", HTTP_AUTHORIZATION=f"Bearer {agent_token}"
        ).status_code
        == 400
    )
