"""From stored events to incidents: deduplication, resolution, flapping and correlation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from okno.alerts import actions
from okno.alerts.models import Alert, AlertSource, Event, EventState
from okno.tickets.models import Channel, StatusCategory, Ticket, TicketEvent

from .conftest import event

pytestmark = pytest.mark.django_db


def alert_tickets():
    return Ticket.objects.filter(channel=Channel.MONITORING)


def test_first_event_opens_an_incident_on_behalf_of_the_source_requester(
    send, process, monitor, service
):
    response = send(
        "/events", event("db1/disk", service="Printing", host="db1", summary="Disk full")
    )
    assert response.status_code == 202
    assert Event.objects.get().state == EventState.RECEIVED
    assert process() == 1
    ticket = alert_tickets().get()
    assert ticket.title == "Disk full — db1"
    assert ticket.requester.email == "monitoring+nagios@okno.localhost"
    assert ticket.service == service  # the service label names a catalog service
    assert (ticket.impact, ticket.urgency) == (1, 1)  # critical
    assert ticket.events.get(kind="created").actor == monitor
    assert ticket.custom_fields["alert"]["fingerprint"] == "db1/disk"
    stored = Event.objects.get()
    assert stored.state == EventState.PROCESSED
    assert stored.alert.ticket == ticket


def test_repeats_count_on_the_open_incident_instead_of_new_tickets(send, process):
    send("/events", event("web1/http"))
    process()
    for _ in range(5):
        send("/events", event("web1/http"))
    process()
    ticket = alert_tickets().get()
    alert = Alert.objects.get()
    assert alert.count == 6
    repeated = ticket.events.filter(kind=actions.ALERT_REPEATED)
    assert [e.data["count"] for e in repeated] == [5]  # one timeline entry per batch


def test_resolution_annotates_and_resolves_the_incident(send, process):
    send("/events", event("web1/http"))
    process()
    send("/events", event("web1/http", status="resolved"))
    process()
    ticket = alert_tickets().get()
    assert ticket.status_category == StatusCategory.RESOLVED
    assert ticket.events.filter(kind=actions.ALERT_RESOLVED).exists()
    assert ticket.articles.filter(kind="note", body_text__contains="resolved").exists()


def test_resolution_only_annotates_when_the_source_does_not_auto_resolve(send, process):
    send("/events", event("web1/http"))
    process()
    AlertSource.objects.filter(name="nagios").update(auto_resolve=False)
    send("/events", event("web1/http", status="resolved"))
    process()
    ticket = alert_tickets().get()
    assert ticket.status_category == StatusCategory.NEW
    assert ticket.events.filter(kind=actions.ALERT_RESOLVED).exists()


def test_firing_again_soon_after_resolution_reopens_the_same_incident(send, process):
    send("/events", event("web1/http"))
    process()
    send("/events", event("web1/http", status="resolved"))
    process()
    send("/events", event("web1/http"))
    process()
    ticket = alert_tickets().get()
    assert ticket.status_category == StatusCategory.OPEN
    assert ticket.reopen_count == 1


def test_flapping_is_marked_and_stops_status_churn(send, process):
    for status in ["firing", "resolved", "firing", "resolved", "firing", "resolved", "firing"]:
        send("/events", event("web1/http", status=status))
        process()
    ticket = alert_tickets().get()
    alert = Alert.objects.get()
    assert alert.flapping
    assert ticket.events.filter(kind=actions.ALERT_FLAPPING).count() == 1
    # four changes (default) make it flap: the resolutions after that change no status
    status_changes = ticket.events.filter(kind="status_changed").count()
    send("/events", event("web1/http", status="resolved"))
    process()
    ticket.refresh_from_db()
    assert ticket.status_category in (StatusCategory.NEW, StatusCategory.OPEN)
    assert ticket.events.filter(kind="status_changed").count() == status_changes


def test_a_flapping_alert_that_stays_quiet_calms_down_and_resolves(send, process):
    for status in ["firing", "resolved", "firing", "resolved", "firing", "resolved"]:
        send("/events", event("web1/http", status=status))
        process()
    alert = Alert.objects.get()
    assert alert.flapping and alert.status == "resolved"
    assert actions.sweep_flapping(now=timezone.now() + timedelta(minutes=31)) == 1
    alert.refresh_from_db()
    assert not alert.flapping
    assert alert_tickets().get().status_category == StatusCategory.RESOLVED


def test_alerts_of_one_service_become_children_of_one_mass_incident(send, process):
    send("/events", event("db1/disk", service="Billing"))
    process()
    send("/events", event("db1/cpu", service="Billing"))
    send("/events", event("db1/mem", service="Billing"))
    process()
    parents = alert_tickets().filter(parent__isnull=True)
    assert parents.count() == 1
    parent = parents.get()
    assert parent.title == "Mass incident: Billing"
    assert parent.impact == 1
    assert parent.children.count() == 3
    # the first incident was re-parented through link_tickets
    first = Alert.objects.get(fingerprint="db1/disk").ticket
    assert first.parent == parent
    assert first.events.filter(kind="linked", field="parent").exists()


def test_the_whole_infrastructure_falling_over_is_one_major_incident(send, process):
    AlertSource.objects.create(
        name="nagios",
        requester=actions.source_for("bootstrap").requester,
        max_children=10,
    )
    batch = [
        event(f"host{n}/{check}", host=f"host{n}", summary=f"{check} on host{n}")
        for n in range(60)
        for check in ("ping", "disk", "http")
    ]
    response = send("/events", {"events": batch})
    assert response.status_code == 202
    assert response.json()["accepted"] == 180
    process()
    top = alert_tickets().filter(parent__isnull=True)
    assert top.count() == 1
    major = top.get()
    assert major.title.startswith("Major incident")
    assert alert_tickets().count() <= 1 + 4 * 11 + 10  # bounded, whatever the storm size
    assert Alert.objects.filter(ticket__isnull=True).count() == 0
    assert Alert.objects.filter(attached=True, ticket=major).exists()


def test_children_resolve_then_the_parent_resolves(send, process):
    send("/events", {"events": [event(f"db1/{n}", service="Billing") for n in range(3)]})
    process()
    send(
        "/events",
        {"events": [event(f"db1/{n}", service="Billing", status="resolved") for n in range(3)]},
    )
    process()
    parent = alert_tickets().get(parent__isnull=True)
    assert parent.status_category == StatusCategory.RESOLVED
    assert all(c.status_category == StatusCategory.RESOLVED for c in parent.children.all())


def test_a_bad_event_fails_alone(send, process, monkeypatch):
    send("/events", {"events": [event("a"), event("b"), event("c")]})
    real = actions._Run._open_ticket

    def explode(self, ev, parent):
        if ev.fingerprint == "b":
            raise RuntimeError("boom")
        return real(self, ev, parent)

    monkeypatch.setattr(actions._Run, "_open_ticket", explode)
    process()
    states = dict(Event.objects.values_list("fingerprint", "state"))
    assert states == {"a": "processed", "b": "failed", "c": "processed"}
    assert "boom" in Event.objects.get(fingerprint="b").error
    monkeypatch.setattr(actions._Run, "_open_ticket", real)
    assert actions.retry_failed([Event.objects.get(fingerprint="b").pk]) == 1
    process()
    assert Event.objects.get(fingerprint="b").state == "processed"


def test_resolution_for_an_unknown_alert_is_stored_and_ignored(send, process):
    send("/events", event("never-seen", status="resolved"))
    process()
    assert not alert_tickets().exists()
    assert Event.objects.get().state == EventState.PROCESSED


def test_repeat_events_write_no_follow_ups(send, process, django_capture_on_commit_callbacks):
    send("/events", event("web1/http"))
    process()
    send("/events", {"events": [event("web1/http")] * 20})
    from okno.alerts.actions import process_pending

    with django_capture_on_commit_callbacks() as callbacks:
        process_pending()
    assert callbacks == []  # nobody is notified of repeats
    assert TicketEvent.objects.filter(kind=actions.ALERT_REPEATED).count() == 1
