"""Portal: catalog by category with request forms, reopen window, follow-ups, cancel, scope."""

from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from okno.catalog.models import FieldKind, FormField, RequestForm, Service, ServiceCategory
from okno.tickets import actions
from okno.tickets.models import StatusCategory, Ticket, TicketLink


def url(name, ticket):
    return reverse(name, args=[ticket.pk])


@pytest.fixture
def access_form(service):
    form = RequestForm.objects.create(
        service=service, guidance="Include the printer's room number."
    )
    FormField.objects.create(
        form=form, key="room", label="Room", kind=FieldKind.TEXT, required=True
    )
    FormField.objects.create(
        form=form, key="colour", label="Colour?", kind=FieldKind.CHOICE, choices="Yes\nNo", order=2
    )
    FormField.objects.create(
        form=form, key="photo", label="Photo of the jam", kind=FieldKind.FILE, order=3
    )
    return form


def test_home_groups_services_by_catalog_category(client, requester, service):
    hardware = ServiceCategory.objects.create(name="Hardware", order=1)
    access = ServiceCategory.objects.create(name="Access", order=2, description="Accounts")
    service.catalog_category = hardware
    service.save()
    Service.objects.create(name="VPN", catalog_category=access)
    Service.objects.create(name="Misc")
    client.force_login(requester)
    body = client.get(reverse("portal:home")).content.decode()
    assert body.index("Hardware") < body.index("Printing") < body.index("Access")
    assert body.index("Access") < body.index("VPN") < body.index("Other services")
    assert body.index("Other services") < body.index("Misc")


def test_new_request_shows_the_services_guidance_and_questions(client, requester, access_form):
    client.force_login(requester)
    body = client.get(reverse("portal:new"), {"service": access_form.service_id}).content.decode()
    assert "What to include so we can help fast" in body
    assert "Include the printer&#x27;s room number." in body
    assert 'name="cf-room"' in body and 'name="cf-photo"' in body
    fragment = client.get(reverse("portal:service_fields"), {"service": access_form.service_id})
    assert 'name="cf-colour"' in fragment.content.decode()
    assert "cf-room" not in client.get(reverse("portal:service_fields")).content.decode()


def test_answers_are_stored_and_file_answers_become_attachments(client, requester, access_form):
    client.force_login(requester)
    response = client.post(
        reverse("portal:new"),
        {
            "service": access_form.service_id,
            "type": "incident",
            "title": "Jam",
            "description": "Jams.",
            "impact": 3,
            "urgency": 2,
            "cf-room": "3.14",
            "cf-colour": "Yes",
            "cf-photo": SimpleUploadedFile("jam.png", b"\x89PNG\r\n\x1a\n jam"),
        },
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert ticket.custom_fields == {"room": "3.14", "colour": "Yes", "photo": "jam.png"}
    assert list(ticket.attachments.values_list("filename", flat=True)) == ["jam.png"]
    body = response.content.decode()
    assert "Your answers" in body and "3.14" in body and "Photo of the jam" in body


def test_missing_required_answer_saves_nothing(client, requester, access_form):
    client.force_login(requester)
    response = client.post(
        reverse("portal:new"),
        {
            "service": access_form.service_id,
            "type": "incident",
            "title": "Jam",
            "description": "Jams.",
            "impact": 3,
            "urgency": 2,
            "cf-colour": "Maybe",
        },
    )
    extra = response.context["extra"]
    assert set(extra.errors) == {"room", "colour"}
    assert "Please check the fields marked below." in response.content.decode()
    assert not Ticket.objects.exists()


def _resolve(ticket, agent):
    return actions.change_status(
        ticket, actor=agent, status=actions.default_status(StatusCategory.RESOLVED)
    )


def test_reopen_is_offered_within_the_window_only(client, requester, agent, ticket, settings):
    settings.PORTAL_REOPEN_DAYS = 3
    _resolve(ticket, agent)
    client.force_login(requester)
    body = client.get(url("portal:ticket", ticket)).content.decode()
    assert url("portal:reopen", ticket) in body and "You can reopen it until" in body
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        body = client.get(url("portal:ticket", ticket)).content.decode()
        assert url("portal:reopen", ticket) not in body
        assert f"?follow_up={ticket.pk}" in body
        response = client.post(url("portal:reopen", ticket), {"reason": "Back"})
        assert response.status_code == 400
        assert "within 3 days" in response.content.decode()
        response = client.post(url("portal:reply", ticket), {"body": "still broken"})
        assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status_category == StatusCategory.RESOLVED
    assert ticket.articles.count() == 1


def test_reopen_inside_the_window_works(client, requester, agent, ticket):
    _resolve(ticket, agent)
    client.force_login(requester)
    response = client.post(url("portal:reopen", ticket), {"reason": "Back again"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status_category == StatusCategory.OPEN


def test_a_follow_up_request_links_the_old_one(client, requester, agent, ticket):
    _resolve(ticket, agent)
    actions.change_status(ticket, actor=agent, status=actions.default_status(StatusCategory.CLOSED))
    client.force_login(requester)
    page = client.get(reverse("portal:new"), {"follow_up": ticket.pk}).content.decode()
    assert f"follows up on #{ticket.pk}" in page
    assert f'value="{ticket.pk}"' in page
    response = client.post(
        reverse("portal:new"),
        {
            "follow_up": ticket.pk,
            "type": "incident",
            "title": "Again: printer",
            "description": "Jams again.",
            "impact": 3,
            "urgency": 2,
        },
    )
    new = Ticket.objects.exclude(pk=ticket.pk).get()
    assert response.status_code == 302
    assert TicketLink.objects.filter(source=new, target=ticket, kind="related").exists()


def test_follow_up_of_someone_elses_ticket_is_ignored(client, outsider, ticket):
    client.force_login(outsider)
    page = client.get(reverse("portal:new"), {"follow_up": ticket.pk}).content.decode()
    assert "follows up on" not in page and "Again:" not in page
    client.post(
        reverse("portal:new"),
        {
            "follow_up": ticket.pk,
            "type": "incident",
            "title": "Mine",
            "description": "x",
            "impact": 3,
            "urgency": 2,
        },
    )
    assert not TicketLink.objects.exists()


def test_requester_cancels_an_active_request(client, requester, ticket):
    client.force_login(requester)
    assert "Cancel this request" in client.get(url("portal:ticket", ticket)).content.decode()
    response = client.post(url("portal:cancel", ticket), follow=True)
    ticket.refresh_from_db()
    assert ticket.status_category == StatusCategory.CLOSED
    assert "Your request is cancelled" in response.content.decode()
    assert ticket.events.filter(kind="status_changed", actor=requester).exists()


def test_a_colleague_cannot_cancel_someone_elses_request(client, colleague, ticket, acme):
    acme.shared_tickets = True
    acme.save()
    colleague.sees_organization_tickets = True
    colleague.save()
    client.force_login(colleague)
    body = client.get(url("portal:ticket", ticket)).content.decode()
    assert "Cancel this request" not in body
    client.post(url("portal:cancel", ticket))
    ticket.refresh_from_db()
    assert ticket.status_category == StatusCategory.NEW


def test_my_requests_can_narrow_to_only_mine(client, colleague, requester, ticket, acme):
    acme.shared_tickets = True
    acme.save()
    colleague.sees_organization_tickets = True
    colleague.save()
    own = actions.open_ticket(actor=colleague, title="My monitor", description="Flickers")
    client.force_login(colleague)
    body = client.get(reverse("portal:tickets")).content.decode()
    assert ticket.title in body and own.title in body and "Only mine" in body
    body = client.get(reverse("portal:tickets"), {"scope": "mine"}).content.decode()
    assert ticket.title not in body and own.title in body


def test_portal_pages_keep_to_their_query_budgets(
    client, requester, agent, service, ticket, django_assert_max_num_queries
):
    hardware = ServiceCategory.objects.create(name="Hardware")
    for i in range(10):
        other = Service.objects.create(name=f"Service {i}", catalog_category=hardware)
        form = RequestForm.objects.create(service=other, guidance="g")
        FormField.objects.create(form=form, key="a", label="A")
    form = RequestForm.objects.create(service=service, guidance="g")
    FormField.objects.create(form=form, key="a", label="A", kind=FieldKind.CHOICE, choices="x")
    ticket.custom_fields = {"a": "x"}
    ticket.save()
    _resolve(ticket, agent)
    client.force_login(requester)
    budgets = [
        (reverse("portal:home"), 6),
        (reverse("portal:new") + f"?service={service.pk}", 8),
        (url("portal:ticket", ticket), 10),
    ]
    for path, budget in budgets:
        client.get(path)  # warm the session
        with django_assert_max_num_queries(budget):
            assert client.get(path).status_code == 200
