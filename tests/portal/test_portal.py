"""The requester portal: ask, follow, reply, resolve, reopen — and never see internals."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from okno.catalog.models import Service
from okno.tickets import actions
from okno.tickets.attachments import NewAttachment
from okno.tickets.models import Status, Ticket


def url(name, ticket):
    return reverse(name, args=[ticket.pk])


def test_home_shows_the_help_box_and_portal_services_only(client, requester, service):
    Service.objects.create(name="Core network", requester_visible=False)
    Service.objects.create(name="Retired thing", is_active=False)
    client.force_login(requester)
    body = client.get(reverse("portal:home")).content.decode()
    assert "How can we help" in body
    assert f"{reverse('portal:new')}?service={service.pk}" in body
    assert "Core network" not in body and "Retired thing" not in body
    assert "You have no requests yet" in body


def test_new_form_preselects_the_service_and_title(client, requester, service):
    client.force_login(requester)
    response = client.get(reverse("portal:new"), {"service": service.pk, "title": "I cannot print"})
    form = response.context["form"]
    assert form.initial == {"service": service.pk, "title": "I cannot print"}
    body = response.content.decode()
    assert "How many people are affected?" in body and "How urgent is it?" in body


def test_submit_creates_a_ticket_and_shows_its_number(client, requester, service, l1):
    client.force_login(requester)
    response = client.post(
        reverse("portal:new"),
        {
            "service": service.pk,
            "type": "service_request",
            "title": "New keyboard",
            "description": "The E key is gone.",
            "impact": 3,
            "urgency": 3,
            "attachments": SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n fake"),
        },
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.type, ticket.team, ticket.priority) == (
        requester,
        "service_request",
        l1,
        5,
    )
    assert response.redirect_chain[-1][0] == url("portal:ticket", ticket)
    body = response.content.decode()
    assert f"Your request number is #{ticket.pk}" in body
    assert "photo.png" in body
    assert "Received" in body  # the plain-language name of "new"


def test_submit_with_missing_fields_saves_nothing(client, requester):
    client.force_login(requester)
    response = client.post(
        reverse("portal:new"),
        {"type": "incident", "title": "", "description": "", "impact": 3, "urgency": 2},
    )
    assert response.status_code == 200
    assert "Please check the fields marked below." in response.content.decode()
    assert not Ticket.objects.exists()


def test_portal_offers_only_plain_request_types(client, requester, service):
    client.force_login(requester)
    response = client.post(
        reverse("portal:new"),
        {"type": "change", "title": "x", "description": "y", "impact": 3, "urgency": 2},
    )
    assert "type" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_empty_file_in_the_portal_is_rejected(client, requester):
    client.force_login(requester)
    response = client.post(
        reverse("portal:new"),
        {
            "type": "incident",
            "title": "x",
            "description": "y",
            "impact": 3,
            "urgency": 2,
            "attachments": SimpleUploadedFile("empty.log", b""),
        },
    )
    assert "The submitted file is empty." in response.content.decode()
    assert not Ticket.objects.exists()


def test_my_requests_lists_own_and_shared_organization_tickets(
    client, requester, colleague, outsider, acme, ticket
):
    colleagues = actions.open_ticket(actor=colleague, title="Carl's laptop", description="x")
    foreign = actions.open_ticket(actor=outsider, title="Globex VPN", description="x")
    client.force_login(requester)
    response = client.get(reverse("portal:tickets"))
    assert [t.pk for t in response.context["rows"]] == [ticket.pk]
    assert "Received" in response.content.decode()

    acme.shared_tickets = True
    acme.save()
    requester.sees_organization_tickets = True
    requester.save()
    response = client.get(reverse("portal:tickets"))
    shown = {t.pk for t in response.context["rows"]}
    assert shown == {ticket.pk, colleagues.pk}
    assert foreign.pk not in shown
    assert [
        t.pk for t in client.get(reverse("portal:tickets"), {"q": "laptop"}).context["rows"]
    ] == [colleagues.pk]


def test_agents_see_only_their_own_requests_in_the_portal(client, agent, ticket):
    own = actions.open_ticket(actor=agent, title="My monitor flickers", description="x")
    client.force_login(agent)
    response = client.get(reverse("portal:tickets"))
    assert [t.pk for t in response.context["rows"]] == [own.pk]


@pytest.fixture
def conversation(ticket, agent):
    actions.add_note(
        ticket,
        actor=agent,
        body="Internal: requester is difficult.",
        attachments=[NewAttachment("internal-notes.txt", b"secret")],
    )
    actions.assign_ticket(ticket, actor=agent, assignee=agent)
    actions.add_reply(
        ticket,
        actor=agent,
        body="We replaced the roller.",
        attachments=[NewAttachment("receipt.txt", b"roller")],
        status=Status.objects.get(key="waiting_customer"),
    )
    return ticket


def test_portal_ticket_never_shows_notes_or_note_files(client, requester, conversation):
    client.force_login(requester)
    body = client.get(url("portal:ticket", conversation)).content.decode()
    assert "We replaced the roller." in body
    assert "receipt.txt" in body
    assert "requester is difficult" not in body
    assert "internal-notes.txt" not in body
    note_file = conversation.attachments.get(filename="internal-notes.txt")
    assert reverse("attachment", args=[note_file.pk, note_file.filename]) not in body
    assert "Alice Agent" in body  # the public reply's author
    assert "assigned" not in body  # only status changes, in plain words
    assert "Status: Waiting for your reply" in body


def test_reply_from_the_portal(client, requester, conversation):
    client.force_login(requester)
    response = client.post(url("portal:reply", conversation), {"body": "Works now, thanks!"})
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.articles.latest("id").body_text == "Works now, thanks!"
    assert conversation.status.key == "open"  # a reply brings a waiting ticket back


def test_empty_portal_reply_shows_an_error(client, requester, ticket):
    client.force_login(requester)
    response = client.post(url("portal:reply", ticket), {"body": ""})
    assert response.status_code == 400
    assert "Write a message or attach a file." in response.content.decode()
    assert ticket.articles.count() == 1


def test_mark_as_resolved_then_reopen(client, requester, ticket):
    client.force_login(requester)
    page = client.get(url("portal:ticket", ticket)).content.decode()
    assert "Mark as resolved" in page
    response = client.post(url("portal:resolve", ticket), follow=True)
    ticket.refresh_from_db()
    assert ticket.status_category == "resolved"
    body = response.content.decode()
    assert "Reopen" in body and "Mark as resolved" not in body

    client.post(url("portal:reopen", ticket), {"reason": "It jams again"})
    ticket.refresh_from_db()
    assert ticket.status_category == "open" and ticket.reopen_count == 1
    assert ticket.articles.latest("id").body_text == "It jams again"


def test_closed_request_offers_a_new_request_instead(client, requester, agent, ticket):
    actions.change_status(ticket, actor=agent, status=Status.objects.get(key="closed"))
    client.force_login(requester)
    body = client.get(url("portal:ticket", ticket)).content.decode()
    assert "open a new request" in body
    response = client.post(url("portal:reopen", ticket), {})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status.key == "closed"


PORTAL_TICKET_URLS = [
    ("get", "portal:ticket"),
    ("post", "portal:reply"),
    ("post", "portal:resolve"),
    ("post", "portal:reopen"),
]


@pytest.mark.parametrize(("method", "name"), PORTAL_TICKET_URLS)
def test_other_organization_gets_404_on_every_portal_ticket_url(
    client, outsider, ticket, method, name
):
    client.force_login(outsider)
    response = getattr(client, method)(url(name, ticket), {"body": "hi"})
    assert response.status_code == 404
    ticket.refresh_from_db()
    assert ticket.status.key == "new" and ticket.articles.count() == 1


def test_colleague_without_organization_sharing_gets_404(client, colleague, ticket):
    client.force_login(colleague)
    assert client.get(url("portal:ticket", ticket)).status_code == 404


def test_portal_requires_sign_in(client, ticket):
    for name in ("portal:home", "portal:new", "portal:tickets"):
        assert reverse("login") in client.get(reverse(name))["Location"]
    assert reverse("login") in client.get(url("portal:ticket", ticket))["Location"]
