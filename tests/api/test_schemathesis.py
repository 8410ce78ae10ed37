"""Property-based API testing with schemathesis against the live OpenAPI schema.

Every operation of ``/api/v1/`` is called with generated (valid and invalid) input by an agent
with a read+write token, in-process through Django's WSGI application on the test database, and
every response must:

- not be a server error (5xx),
- have a documented status code and content type,
- match the documented body schema and headers.

Path ids are steered towards objects that exist (two tickets, a file, the agent, their
organization and token), so the handlers behind the 404 are exercised too. Bounded for
``make test``: the schema's examples plus ``MAX_EXAMPLES`` generated cases per operation, no
deadline. ``OKNO_SCHEMATHESIS_DEEP=1`` adds schemathesis' coverage phase (boundary values of
every parameter: about three times the calls) for a deeper run by hand.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from okno.accounts.models import ApiToken
from okno.api.api import api
from tests.conftest import make_user

MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

DEEP = os.environ.get("OKNO_SCHEMATHESIS_DEEP") == "1"

schema = schemathesis.openapi.from_dict(
    api.get_openapi_schema(path_prefix="/api/v1"),
    config=schemathesis.config.SchemathesisConfig.from_dict(
        {"phases": {"coverage": {"enabled": DEEP}}}
    ),
)
wsgi_app = get_wsgi_application()


@pytest.fixture
def world(db, agent, requester, acme, service, ticket, l2):
    """An agent with a token, two tickets (one with a file), and the ids that exist."""
    from okno.tickets.actions import add_attachments, open_ticket
    from okno.tickets.attachments import NewAttachment

    make_user("other@acme.test", organization=acme)
    second = open_ticket(
        actor=agent,
        requester=requester,
        title="Mail bounces",
        description="Since Monday.",
        service=service,
        team=agent.teams.first(),
    )
    add_attachments(
        second, actor=agent, files=[NewAttachment(filename="log.txt", content=b"lines\n")]
    )
    token, raw = ApiToken.issue(agent, "schemathesis")
    return {
        "raw": raw,
        "ids": {
            "ticket_id": [ticket.pk, second.pk],
            "user_id": [agent.pk, requester.pk],
            "organization_id": [acme.pk],
            "token_id": [token.pk],
            "attachment_id": [second.attachments.first().pk],
        },
    }


@pytest.fixture
def in_process_requests(settings):
    """Django's request signals would close the test's connection mid-transaction (the test
    client disconnects them the same way); the rate limit is off for the run."""
    settings.API_RATE_LIMIT = ""
    cache.clear()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _steer_to_existing(case, ids) -> None:
    """Two in three generated ids become ids of real objects (the rest stay random)."""
    for name, value in list((case.path_parameters or {}).items()):
        known = ids.get(name)
        if known and isinstance(value, int) and value % 3:
            case.path_parameters[name] = known[value % len(known)]


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_operation_conforms_to_its_schema(case, world, in_process_requests):
    _steer_to_existing(case, world["ids"])
    # a token per call: a generated DELETE /tokens/{id} must not lock the rest of the run out
    _token, raw = ApiToken.issue(ApiToken.objects.get(name="schemathesis").user, "case")
    case.call_and_validate(app=wsgi_app, headers={"Authorization": f"Bearer {raw}"}, checks=CHECKS)
