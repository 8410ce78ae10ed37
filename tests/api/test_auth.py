"""Who may call the API: tokens (Bearer/Token), the browser session with CSRF, throttling."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from okno.accounts.models import ApiToken
from tests.conftest import PASSWORD

from .conftest import error_of


def test_bearer_token_authenticates_as_its_user(api, agent):
    response = api(agent).get("/users/me")
    assert response.status_code == 200
    assert response.json()["email"] == agent.email


def test_token_scheme_is_accepted_too(client, agent):
    _token, raw = ApiToken.issue(agent, "cli")
    response = client.get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 200


def test_missing_credentials_is_401_with_challenge(api):
    response = api().get("/tickets")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer okno_not-a-real-token", "Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer"],
)
def test_bad_authorization_header_is_401(client, agent, header):
    response = client.get("/api/v1/users/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"


def test_revoked_token_is_401(api, agent):
    token, raw = ApiToken.issue(agent, "old")
    token.revoked = True
    token.save()
    response = api(raw=raw).get("/users/me")
    assert response.status_code == 401
    assert "revoked" in error_of(response)["message"]


def test_expired_token_is_401(api, agent):
    token, raw = ApiToken.issue(agent, "short")
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    assert api(raw=raw).get("/users/me").status_code == 401


def test_token_of_inactive_user_is_401(api, agent):
    client = api(agent)
    agent.is_active = False
    agent.save()
    assert client.get("/users/me").status_code == 401


def test_last_used_is_written_at_most_once_a_minute(api, agent):
    token, raw = ApiToken.issue(agent, "cli")
    client = api(raw=raw)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("/users/me")
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        client.get("/users/me")
    token.refresh_from_db()
    assert token.last_used_at == start
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        client.get("/users/me")
    token.refresh_from_db()
    assert token.last_used_at == start + timedelta(seconds=61)


def test_session_of_signed_in_browser_works(client, agent):
    client.force_login(agent)
    response = client.get("/api/v1/users/me")
    assert response.status_code == 200
    assert response.json()["id"] == agent.pk


def test_session_writes_need_the_csrf_token(agent, ticket):
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username=agent.email, password=PASSWORD)
    url = f"/api/v1/tickets/{ticket.pk}/articles"
    body = '{"kind": "note", "body": "checked the tray"}'
    refused = browser.post(url, body, content_type="application/json")
    assert refused.status_code == 403
    assert error_of(refused)["code"] == "csrf_failed"
    assert ticket.articles.count() == 1

    browser.get("/accounts/profile/")  # any page with a form sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201, accepted.content
    assert ticket.articles.count() == 2


def test_bad_token_never_falls_back_to_the_session(client, agent):
    client.force_login(agent)
    response = client.get("/api/v1/users/me", HTTP_AUTHORIZATION="Bearer okno_wrong")
    assert response.status_code == 401


def test_throttling_answers_429_with_retry_after(api, agent, settings):
    settings.API_RATE_LIMIT = "3/min"
    client = api(agent)
    for _ in range(3):
        assert client.get("/users/me").status_code == 200
    response = client.get("/users/me")
    assert response.status_code == 429
    assert error_of(response)["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_throttling_counts_per_token(api, agent, settings):
    settings.API_RATE_LIMIT = "2/min"
    first, second = api(agent), api(agent)
    assert [first.get("/users/me").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/users/me").status_code == 200


def test_token_lookup_builds_the_same_objects_as_the_orm(db, requester):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from okno.accounts.models import ApiToken, hash_token
    from okno.api.token_lookup import token_by_hash

    token, raw = ApiToken.issue(requester, "probe", scopes=["read", "events"])
    with CaptureQueriesContext(connection) as ctx:
        found = token_by_hash(hash_token(raw))
        assert found.user.organization.name == requester.organization.name  # no lazy load
    assert len(ctx.captured_queries) == 1
    orm = ApiToken.objects.select_related("user__organization").get(pk=token.pk)
    for field in ApiToken._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(orm, field.attname), field.name
    assert found.scopes == ["read", "events"] and found.is_usable
    assert found.user.pk == requester.pk and found.user.is_active is True
    assert token_by_hash(hash_token("okno_nope")) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("600/min", "600/min"),
        ("10/30min", "10/30min"),
        ("5/s", "5/s"),
        ("", ""),
        ("0", ""),
        ("off", ""),
        (" OFF ", ""),
    ],
)
def test_rate_settings_accept_rates_and_the_ways_to_turn_them_off(monkeypatch, value, expected):
    from okno.settings import env_rate

    monkeypatch.setenv("OKNO_PROBE_RATE", value)
    assert env_rate("PROBE_RATE", "600/min") == expected


@pytest.mark.parametrize("value", ["600", "fast", "10/week", "-1/min", "0/min"])
def test_a_bad_rate_stops_the_start_with_its_name(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from okno.settings import env_rate

    monkeypatch.setenv("OKNO_PROBE_RATE", value)
    with pytest.raises(ImproperlyConfigured, match="OKNO_PROBE_RATE"):
        env_rate("PROBE_RATE")
