"""The intake endpoints and the alert reads: auth, scopes, validation, and recorded payloads."""

from __future__ import annotations

import json

import pytest

from okno.accounts.models import ApiToken
from okno.alerts import tasks
from okno.alerts.models import Alert, Event
from okno.tickets.models import Channel, StatusCategory, Ticket

from .conftest import event
from .test_formats import recorded

pytestmark = pytest.mark.django_db


def error(response):
    return response.json()["error"]


def test_events_token_is_accepted_with_202_and_ids(send):
    response = send("/events", {"events": [event("a"), event("b")]})
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 2
    assert body["ids"] == list(Event.objects.order_by("id").values_list("id", flat=True))


def test_many_events_keep_payload_order_and_every_field(send):
    events = [dict(event(f"fp{n}"), summary=f"Check {n}", host=f"h{n}") for n in range(250)]
    response = send("/events", {"events": events})
    assert response.status_code == 202
    stored = list(Event.objects.filter(pk__in=response.json()["ids"]).order_by("id"))
    assert [e.pk for e in stored] == response.json()["ids"]
    assert [(e.fingerprint, e.summary, e.host) for e in stored] == [
        (f"fp{n}", f"Check {n}", f"h{n}") for n in range(250)
    ]


def test_nul_characters_are_replaced_not_rejected(send):
    """PostgreSQL text cannot hold NUL; the event is still stored, the rest kept as sent."""
    payload = dict(event("a\u0000b"), summary="disk \\u0000 full\u0000", labels={"k": "v\u0000"})
    response = send("/events", payload)
    assert response.status_code == 202
    stored = Event.objects.get()
    assert stored.summary in ("disk \\u0000 full\ufffd", "disk \\u0000 full\u0000")
    assert stored.fingerprint in ("a\ufffdb", "a\u0000b")
    assert stored.labels["k"] in ("v\ufffd", "v\u0000")


def test_write_token_may_send_too(send, monitor):
    _token, raw = ApiToken.issue(monitor, "full")
    assert send("/events", event("a"), token=raw).status_code == 202


def test_read_only_token_may_not_send(send, monitor):
    _token, raw = ApiToken.issue(monitor, "ro", scopes=["read"])
    response = send("/events", event("a"), token=raw)
    assert response.status_code == 403
    assert error(response)["code"] == "insufficient_scope"
    assert not Event.objects.exists()


def test_a_browser_session_may_not_send(client, agent):
    client.force_login(agent)
    response = client.post("/api/v1/events", data=event("a"), content_type="application/json")
    assert response.status_code == 403
    assert error(response)["code"] == "token_required"


def test_no_credentials_is_401(client):
    response = client.post("/api/v1/events", data=event("a"), content_type="application/json")
    assert response.status_code == 401


def test_events_only_token_can_do_nothing_else(api_get):
    for path in ("/alerts", "/tickets", "/users/me"):
        assert api_get(path).status_code == 403, path


@pytest.fixture
def api_get(client, events_token):
    def get(path, token=None):
        return client.get(f"/api/v1{path}", HTTP_AUTHORIZATION=f"Bearer {token or events_token}")

    return get


def test_invalid_json_is_a_field_error(send):
    response = send("/events", b"{not json")
    assert response.status_code == 400
    assert "body" in error(response)["fields"]


def test_bad_event_in_a_batch_stores_nothing(send):
    response = send("/events", {"events": [event("a"), {"status": "weird"}]})
    assert response.status_code == 400
    fields = error(response)["fields"]
    assert fields["events.1.summary"] == ["This field is required."]
    assert fields["events.1.status"] == ["Unknown status: use “firing” or “resolved”."]
    assert not Event.objects.exists()


def test_source_query_parameter_names_the_source(send):
    send("/events/alertmanager", recorded("alertmanager_firing.json"), source="prom-eu")
    send("/events", event("x"), source="Other Nagios")
    assert set(Event.objects.values_list("source_name", flat=True)) == {"prom-eu", "other-nagios"}


def test_alertmanager_group_becomes_one_mass_incident(send, process):
    response = send("/events/alertmanager", recorded("alertmanager_firing.json"))
    assert response.json()["accepted"] == 2
    process()
    parent = Ticket.objects.get(channel=Channel.MONITORING, parent__isnull=True)
    assert parent.title == "Mass incident: Shop"
    assert parent.children.count() == 2


def test_zabbix_problem_update_and_recovery(send, process):
    for name in ("zabbix_problem.json", "zabbix_update.json", "zabbix_update.json"):
        assert send("/events/zabbix", recorded(name)).status_code == 202
    process()
    ticket = Ticket.objects.get(channel=Channel.MONITORING)
    assert ticket.title == "MySQL: Service is down — db-billing-01"
    assert (ticket.impact, ticket.urgency) == (2, 1)  # High
    assert Alert.objects.get().count == 3
    send("/events/zabbix", recorded("zabbix_resolved.json"))
    process()
    ticket.refresh_from_db()
    assert ticket.status_category == StatusCategory.RESOLVED


def test_agents_read_alerts_of_tickets_they_see(send, process, client, agent, requester):
    send("/events", event("db1/disk", summary="Disk full"))
    process()
    _token, raw = ApiToken.issue(agent, "reader", scopes=["read"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    listing = client.get("/api/v1/alerts?status=firing", **auth)
    assert listing.status_code == 200
    [item] = listing.json()["items"]
    assert item["summary"] == "Disk full"
    assert item["source"] == "nagios"
    one = client.get(f"/api/v1/alerts/{item['id']}", **auth)
    assert one.status_code == 200 and one.json()["ticket_id"] == item["ticket_id"]
    assert client.get("/api/v1/alerts/999999", **auth).status_code == 404
    _token, raw = ApiToken.issue(requester, "requester")
    denied = client.get("/api/v1/alerts", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert denied.status_code == 403


def test_alert_list_pages_by_cursor(send, process, client, agent):
    send("/events", {"events": [event(f"e{n}", host=f"h{n}") for n in range(3)]})
    process()
    _token, raw = ApiToken.issue(agent, "reader", scopes=["read"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    first = client.get("/api/v1/alerts?limit=2", **auth).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get(f"/api/v1/alerts?limit=2&cursor={first['next_cursor']}", **auth).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    bad = client.get("/api/v1/alerts?cursor=abc", **auth)
    assert bad.status_code == 400


def test_storing_queues_one_processing_job_and_the_worker_runs_it(
    send, run_tasks, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    monkeypatch.setattr(tasks, "_last_kick", 0.0)
    with django_capture_on_commit_callbacks(execute=True):
        send("/events", event("a"))
        send("/events", event("b", host="other"))  # within a second: no second job
    assert DBTaskResult.objects.filter(task_path__endswith="process_events").count() == 1
    run_tasks()
    assert set(Event.objects.values_list("state", flat=True)) == {"processed"}
    assert Ticket.objects.filter(channel=Channel.MONITORING).count() == 2


def test_intake_has_its_own_rate_limit_off_by_default(send, settings):
    settings.API_RATE_LIMIT = "2/min"
    for _ in range(4):
        assert send("/events", event("a")).status_code == 202
    settings.ALERTS_RATE_LIMIT = "1/min"
    from django.core.cache import cache

    cache.clear()
    assert send("/events", event("a")).status_code == 202
    response = send("/events", event("a"))
    assert response.status_code == 429


def test_openapi_documents_the_intake(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/events/alertmanager"]["post"]
    assert "202" in operation["responses"]
    example = operation["requestBody"]["content"]["application/json"]["example"]
    assert json.dumps(example)
