"""Pure normalizers: generic JSON, Alertmanager and Zabbix payloads -> one Event shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okno.alerts import formats
from okno.alerts.formats import FormatError

PAYLOADS = Path(__file__).parent / "payloads"


def recorded(name: str):
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


# --- generic ------------------------------------------------------------------------------------
def test_generic_event_is_normalized():
    [event] = formats.normalize_generic(
        {
            "source": "Nagios Prod",
            "dedup_key": "db1/disk",
            "status": "OK",
            "severity": "CRIT",
            "summary": "Disk full",
            "ci": "Billing DB",
            "host": "db1",
            "labels": {"rack": 7},
            "occurred_at": "2026-11-23T10:00:00Z",
        }
    )
    assert event.source == "nagios-prod"
    assert event.fingerprint == "db1/disk"
    assert event.status == "resolved"
    assert event.severity == "critical"
    assert event.service == "Billing DB"
    assert event.key == "Billing DB"
    assert event.labels == {"rack": "7"}
    assert event.occurred_at == datetime(2026, 11, 23, 10, tzinfo=UTC)


def test_generic_without_fingerprint_gets_a_stable_one():
    body = {"summary": "Disk full", "host": "db1"}
    first, second = formats.normalize_generic(body), formats.normalize_generic(dict(body))
    assert first[0].fingerprint == second[0].fingerprint
    assert formats.normalize_generic({"summary": "Disk full", "host": "db2"})[0].fingerprint != (
        first[0].fingerprint
    )


def test_generic_batch_reports_every_bad_field_by_path():
    with pytest.raises(FormatError) as caught:
        formats.normalize_generic(
            {
                "events": [
                    {"summary": "ok"},
                    {"status": "exploded"},
                    "nope",
                    {"summary": "x", "occurred_at": "yesterday", "labels": [1]},
                ]
            }
        )
    assert caught.value.fields == {
        "events.1.summary": ["required"],
        "events.1.status": ["bad_status"],
        "events.2": ["not_object"],
        "events.3.labels": ["not_object"],
        "events.3.occurred_at": ["bad_time"],
    }


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ([], {"body": ["not_object"]}),
        ({"events": {}}, {"events": ["not_list"]}),
        ({"events": []}, {"events": ["required"]}),
        ({"events": [{"summary": "x"}] * 1001}, {"events": ["too_many"]}),
    ],
)
def test_generic_rejects_wrong_shapes(body, fields):
    with pytest.raises(FormatError) as caught:
        formats.normalize_generic(body)
    assert caught.value.fields == fields


def test_long_fingerprints_are_hashed():
    [event] = formats.normalize_generic({"summary": "x", "fingerprint": "f" * 500})
    assert len(event.fingerprint) == 64


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
field_names = st.sampled_from(
    [
        "summary",
        "status",
        "severity",
        "fingerprint",
        "labels",
        "occurred_at",
        "host",
        "events",
        "alerts",
        "trigger_name",
        "event_id",
        "tags",
        "startsAt",
        "endsAt",
        "annotations",
    ]
)


@pytest.mark.parametrize("kind", sorted(formats.NORMALIZERS))
@given(payload=st.dictionaries(field_names, json_values, max_size=8) | json_values)
def test_any_json_is_either_events_or_a_format_error(kind, payload):
    try:
        events = formats.NORMALIZERS[kind](payload, "src")
    except FormatError as exc:
        assert exc.fields
        assert all(isinstance(codes, list) and codes for codes in exc.fields.values())
        return
    for event in events:
        assert event.status in ("firing", "resolved")
        assert event.summary and len(event.summary) <= formats.MAX_SUMMARY
        assert 0 < len(event.fingerprint) <= formats.MAX_FINGERPRINT
        assert event.severity in ("critical", "high", "warning", "info")
        json.dumps(event.raw)


@given(st.datetimes(min_value=datetime(1980, 1, 1), max_value=datetime(2100, 1, 1)))
def test_times_round_trip(moment):
    aware = moment.replace(tzinfo=UTC)
    assert formats.parse_time(aware.isoformat()) == aware
    assert formats.parse_time(aware.isoformat().replace("+00:00", "Z")) == aware


# --- Alertmanager --------------------------------------------------------------------------------
def test_alertmanager_payload_gives_one_event_per_alert():
    events = formats.normalize_alertmanager(recorded("alertmanager_firing.json"), "prometheus")
    assert [e.fingerprint for e in events] == ["8b4f2c1e9d0a7b36", "0c9e6a3f1b2d4e58"]
    first = events[0]
    assert first.source == "prometheus"
    assert first.status == "firing"
    assert first.severity == "critical"
    assert first.summary == "web-01:9100 is down"
    assert "runbooks/instance-down" in first.description
    assert first.service == "Shop"
    assert first.host == "web-01:9100"
    assert first.occurred_at == datetime(2026, 11, 23, 10, 41, 7, 123456, tzinfo=UTC)
    assert first.raw["receiver"] == "okno"
    assert first.raw["labels"]["job"] == "node"


def test_alertmanager_resolution_uses_ends_at():
    payload = recorded("alertmanager_firing.json")
    payload["status"] = "resolved"
    for alert in payload["alerts"]:
        alert["status"] = "resolved"
        alert["endsAt"] = "2026-11-23T11:00:00Z"
    events = formats.normalize_alertmanager(payload)
    assert {e.status for e in events} == {"resolved"}
    assert events[0].occurred_at == datetime(2026, 11, 23, 11, tzinfo=UTC)


def test_alertmanager_without_fingerprint_hashes_the_labels():
    alert = {"labels": {"alertname": "X", "instance": "a"}, "status": "firing"}
    [one] = formats.normalize_alertmanager({"alerts": [alert]})
    [two] = formats.normalize_alertmanager({"alerts": [dict(alert)]})
    assert one.fingerprint == two.fingerprint


def test_alertmanager_errors_name_the_alert():
    with pytest.raises(FormatError) as caught:
        formats.normalize_alertmanager({"alerts": [{"labels": {}, "startsAt": "soon"}]})
    assert caught.value.fields == {
        "alerts.0.startsAt": ["bad_time"],
        "alerts.0.labels.alertname": ["required"],
    }
    with pytest.raises(FormatError) as caught:
        formats.normalize_alertmanager({"status": "firing"})
    assert caught.value.fields == {"alerts": ["required"]}


# --- Zabbix (payloads recorded from the media type script in the guide) ------------------------
def test_zabbix_problem():
    [event] = formats.normalize_zabbix(recorded("zabbix_problem.json"))
    assert event.source == "zabbix"
    assert event.fingerprint == "zabbix:418273"
    assert event.status == "firing"
    assert event.severity == "high"
    assert event.summary == "MySQL: Service is down"
    assert event.host == "db-billing-01"
    assert event.service == "Billing"
    assert event.labels["class"] == "database"
    assert event.labels["trigger_id"] == "23516"
    assert event.url.startswith("https://zabbix.example.com/")


def test_zabbix_update_is_a_repeat_of_the_same_problem():
    [problem] = formats.normalize_zabbix(recorded("zabbix_problem.json"))
    [update] = formats.normalize_zabbix(recorded("zabbix_update.json"))
    assert (update.fingerprint, update.status) == (problem.fingerprint, "firing")


def test_zabbix_recovery_resolves_the_problem_event():
    [event] = formats.normalize_zabbix(recorded("zabbix_resolved.json"))
    assert event.fingerprint == "zabbix:418273"
    assert event.status == "resolved"


def test_zabbix_unexpanded_macros_and_plain_tags():
    [event] = formats.normalize_zabbix(recorded("zabbix_unclassified_old_tags.json"), "zbx")
    assert event.fingerprint != "zabbix:{EVENT.ID}"
    assert len(event.fingerprint) == 40  # hash of trigger and host
    assert event.severity == "info"  # "Not classified"
    assert event.service == "Shop"
    assert event.labels["scope"] == "capacity"


@pytest.mark.parametrize(
    ("nseverity", "expected"),
    [
        ("5", "critical"),
        ("4", "high"),
        ("3", "warning"),
        ("2", "warning"),
        ("1", "info"),
        ("0", "info"),
    ],
)
def test_zabbix_numeric_severity(nseverity, expected):
    body = {**recorded("zabbix_problem.json"), "event_nseverity": nseverity, "severity": ""}
    assert formats.normalize_zabbix(body)[0].severity == expected


def test_zabbix_needs_a_name_and_an_id():
    with pytest.raises(FormatError) as caught:
        formats.normalize_zabbix({"status": "PROBLEM"})
    assert caught.value.fields == {"trigger_name": ["required"], "event_id": ["required"]}


def test_source_names_are_simple_identifiers():
    assert formats.source_name("Zabbix / Prod #2", "x") == "zabbix-prod-2"
    assert formats.source_name("", "fallback") == "fallback"
    assert formats.source_name("{HOST.NAME}", "fallback") == "fallback"
