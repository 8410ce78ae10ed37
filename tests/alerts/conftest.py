from __future__ import annotations

import json

import pytest

from okno.accounts.models import ApiToken


@pytest.fixture
def monitor(l1):
    """The account monitoring systems send events as: an agent of the service desk team."""
    from tests.conftest import make_user

    return make_user("prometheus@okno.test", "agent", teams=[l1], name="Prometheus")


@pytest.fixture
def events_token(monitor):
    _token, raw = ApiToken.issue(monitor, "alertmanager", scopes=["events"])
    return raw


@pytest.fixture
def send(client, events_token):
    """POST a JSON body to an intake endpoint with the events-only token."""

    def post(path: str, body, *, token: str | None = None, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        url = f"/api/v1{path}" + (f"?{query}" if query else "")
        return client.post(
            url,
            data=json.dumps(body) if not isinstance(body, (bytes, str)) else body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token or events_token}",
        )

    return post


@pytest.fixture
def process(django_capture_on_commit_callbacks):
    """Process stored events like the background job does, running on-commit callbacks."""
    from okno.alerts.actions import process_pending

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=False):
            return process_pending()

    return run


def event(fingerprint: str, *, status: str = "firing", **extra):
    body = {
        "source": "nagios",
        "fingerprint": fingerprint,
        "status": status,
        "severity": extra.pop("severity", "critical"),
        "summary": extra.pop("summary", f"Problem {fingerprint}"),
    }
    body.update(extra)
    return body
