"""The dashboard page, its CSV export and the summary API: who sees what, and at what cost."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from okno.accounts.models import ApiToken
from okno.reports import rollup
from tests.conftest import make_user

PERIOD = {"period": "custom", "start": "2026-03-01", "end": "2026-03-05"}


@pytest.fixture
def manager(db):
    return make_user("mona@okno.test", "manager", name="Mona Manager")


@pytest.fixture
def folded(history):
    rollup.fold()
    return history


def test_requesters_and_strangers_are_refused(client, requester, outsider, folded):
    assert client.get("/reports/").status_code == 302  # to the login page
    for person in (requester, outsider):
        client.force_login(person)
        assert client.get("/reports/").status_code == 403
        assert client.get("/reports/export.csv").status_code == 403


def test_manager_sees_every_team(client, manager, folded, l1, l2):
    client.force_login(manager)
    response = client.get("/reports/", PERIOD)
    assert response.status_code == 200
    board = response.context["board"]
    assert board.totals["created"] == 4 and board.totals["resolved"] == 4
    assert board.totals["backlog"] == 1 and board.totals["reopened"] == 1
    assert board.totals["sla_first_response_percent"] == 50.0
    assert board.totals["csat_count"] == 1 and board.totals["csat_average"] == 2.0
    assert {r.key for r in board.by_team} == {l1.pk, l2.pk}
    page = response.content.decode()
    assert page.count('<svg class="chart"') == 2 and "Network" in page and "Printing" in page
    assert 'href="/reports/"' in page  # the nav link


def test_team_lead_and_agent_see_their_teams_only(client, lead, specialist, folded, l1, l2):
    client.force_login(lead)
    board = client.get("/reports/", PERIOD).context["board"]
    assert {r.key for r in board.by_team} == {l1.pk}
    assert board.totals["created"] == 3
    assert client.get("/reports/", {**PERIOD, "team": l2.pk}).status_code == 400
    client.force_login(specialist)
    board = client.get("/reports/", PERIOD).context["board"]
    assert board.totals["created"] == 1 and board.totals["backlog"] == 0
    assert [r.label for r in board.by_service] == ["Network"]


def test_filters_and_bad_periods(client, manager, folded, l2):
    client.force_login(manager)
    board = client.get("/reports/", {**PERIOD, "team": l2.pk}).context["board"]
    assert board.totals["created"] == 1
    bad = client.get("/reports/", {"period": "custom", "start": "2026-03-05", "end": "2026-03-01"})
    assert bad.status_code == 400 and "must not be after" in bad.content.decode()
    assert client.get("/reports/", {"period": "custom", "start": "2024-01-01"}).status_code == 400
    assert client.get("/reports/", {"period": "7"}).status_code == 200


def test_page_costs_a_constant_number_of_queries(client, manager, folded, requester, service):
    from okno.tickets.actions import open_ticket

    client.force_login(manager)
    client.get("/reports/", PERIOD)  # warm caches (session, sidebar)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/reports/", PERIOD).status_code == 200
    for n in range(5):
        open_ticket(actor=requester, title=f"More {n}", description="x", service=service)
    folded.go("2026-03-05 12:10")
    rollup.fold()
    client.get("/reports/", PERIOD)  # the desk sidebar's counters are cached for a while
    with CaptureQueriesContext(connection) as second:
        client.get("/reports/", PERIOD)
    assert len(second) == len(first) <= 16, [q["sql"][:80] for q in second.captured_queries]
    touched = " ".join(q["sql"] for q in second.captured_queries)
    assert "tickets_ticket" not in touched and "tickets_ticketevent" not in touched
    assert "csat_rating" not in touched and "sla_slaclock" not in touched


def test_csv_export_of_each_table(client, manager, folded):
    client.force_login(manager)
    response = client.get("/reports/export.csv", {**PERIOD, "table": "service"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["service"]: r["created"] for r in rows} == {"Printing": "3", "Network": "1"}
    days = list(
        csv.reader(
            io.StringIO(
                client.get("/reports/export.csv", {**PERIOD, "table": "day"}).content.decode()
            )
        )
    )
    assert len(days) == 1 + 5
    agents = client.get("/reports/export.csv", {**PERIOD, "table": "agent"}).content.decode()
    assert "Alice" in agents
    assert client.get("/reports/export.csv", {**PERIOD, "table": "secrets"}).status_code == 400


def test_api_summary_gives_the_page_figures(client, manager, lead, requester, folded, l1):
    _t, raw = ApiToken.issue(manager, "reports", ["read"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = client.get("/api/v1/reports/summary?from=2026-03-01&to=2026-03-05", **auth)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["totals"]["created"] == 4 and len(body["days"]) == 5
    assert body["totals"]["sla_resolution_percent"] == 50.0
    assert {g["name"] for g in body["by_service"]} == {"Printing", "Network"}
    bad = client.get("/api/v1/reports/summary?from=2026-03-05&to=2026-03-01", **auth)
    assert bad.status_code == 400 and "from" in bad.json()["error"]["fields"]
    _t, lead_raw = ApiToken.issue(lead, "reports", ["read"])
    scoped = client.get(
        "/api/v1/reports/summary?from=2026-03-01&to=2026-03-05",
        HTTP_AUTHORIZATION=f"Bearer {lead_raw}",
    ).json()
    assert scoped["teams"] == [l1.pk] and scoped["totals"]["created"] == 3
    _t, req_raw = ApiToken.issue(requester, "reports", ["read"])
    refused = client.get("/api/v1/reports/summary", HTTP_AUTHORIZATION=f"Bearer {req_raw}")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
