"""API test helpers: a client that speaks JSON with a personal token, per persona."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from okno.accounts.models import ApiToken


class ApiClient:
    """Django's test client with ``Authorization: Bearer <token>`` and JSON bodies."""

    prefix = "/api/v1"

    def __init__(self, client: Client, raw_token: str | None) -> None:
        self.client = client
        self.raw = raw_token
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw_token}"} if raw_token else {}

    def url(self, path: str) -> str:
        return path if path.startswith(self.prefix) else self.prefix + path

    def get(self, path: str, params: dict[str, Any] | None = None, **extra: Any):
        return self.client.get(self.url(path), params or {}, **self.headers, **extra)

    def _send(self, method: str, path: str, data: Any = None, **extra: Any):
        body = "" if data is None else json.dumps(data)
        return getattr(self.client, method)(
            self.url(path), body, content_type="application/json", **self.headers, **extra
        )

    def post(self, path: str, data: Any = None, **extra: Any):
        return self._send("post", path, data, **extra)

    def patch(self, path: str, data: Any = None, **extra: Any):
        return self._send("patch", path, data, **extra)

    def put(self, path: str, data: Any = None, **extra: Any):
        return self._send("put", path, data, **extra)

    def delete(self, path: str, params: dict[str, Any] | None = None, **extra: Any):
        query = "&".join(f"{k}={v}" for k, v in (params or {}).items())
        return self.client.delete(
            self.url(path) + (f"?{query}" if query else ""), **self.headers, **extra
        )

    def json_list(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        response = self.get(path, params)
        assert response.status_code == 200, response.content
        return response.json()["items"]

    def upload(self, path: str, files: dict[str, Any], **extra: Any):
        return self.client.post(self.url(path), files, **self.headers, **extra)


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    settings.API_RATE_LIMIT = "600/min"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(db):
    """``api(user)`` -> an ApiClient authenticated with a fresh token of ``user``."""

    def make(user=None, raw: str | None = None) -> ApiClient:
        if user is not None and raw is None:
            _token, raw = ApiToken.issue(user, "tests")
        return ApiClient(Client(), raw)

    return make


def error_of(response) -> dict[str, Any]:
    """The ``error`` object of a structured error response (asserting the shape), without its
    ``request_id`` (asserted to be the response's ``X-Request-ID``)."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields", "request_id"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    error = dict(body["error"])
    assert error.pop("request_id") == response["X-Request-ID"]
    return error
