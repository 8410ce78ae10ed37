"""The search page for agents and requesters."""

from __future__ import annotations

from django.urls import reverse

from okno.kb import actions as kb_actions
from okno.kb.models import Category, Visibility
from okno.tickets import actions


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("search:search"), {"q": "принтер"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_agent_finds_tickets_replies_and_kb_with_highlights(client, agent, requester, ticket):
    actions.add_reply(ticket, actor=requester, body="Принтер снова зажевал бумагу")
    category = Category.objects.create(name="Printing", slug="printing")
    kb_actions.create_article(
        actor=agent, category=category, title="Замятие бумаги в принтере",
        body_html="<p>Откройте лоток.</p>", visibility=Visibility.AGENTS, status="published",
    )  # fmt: skip
    client.force_login(agent)
    body = client.get(reverse("search:search"), {"q": "бумаги"}).content.decode()
    assert f'href="/desk/tickets/{ticket.pk}/"' in body
    assert "Замятие бумаги в принтере" in body and "Agents only" in body
    assert "<mark>" in body


def test_ticket_number_opens_the_ticket(client, agent, requester, ticket):
    client.force_login(agent)
    response = client.get(reverse("search:search"), {"q": f"#{ticket.pk}"})
    assert response["Location"] == reverse("desk:ticket", args=[ticket.pk])
    client.force_login(requester)
    response = client.get(reverse("search:search"), {"q": str(ticket.pk)})
    assert response["Location"] == reverse("portal:ticket", args=[ticket.pk])


def test_requester_sees_own_tickets_without_notes(client, agent, requester, outsider, ticket):
    actions.add_note(ticket, actor=agent, body="Внутренняя заметка про картридж")
    client.force_login(requester)
    body = client.get(reverse("search:search"), {"q": "картридж"}).content.decode()
    assert "Внутренняя" not in body and "Nothing found" in body
    body = client.get(reverse("search:search"), {"q": "printers"}).content.decode()
    assert f'href="/portal/tickets/{ticket.pk}/"' in body
    client.force_login(outsider)
    body = client.get(reverse("search:search"), {"q": "printers"}).content.decode()
    assert ticket.title not in body
    response = client.get(reverse("search:search"), {"q": f"#{ticket.pk}"})
    assert response.status_code == 200  # no redirect into someone else's ticket


def test_everything_but_marks_is_escaped(client, agent, requester, service):
    actions.open_ticket(
        actor=requester, title="<img src=x onerror=alert(1)> принтер", description="<b>x</b>"
    )
    client.force_login(agent)
    body = client.get(reverse("search:search"), {"q": "принтер"}).content.decode()
    assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body


def test_filters_combine_with_text(client, agent, requester, service, ticket):
    actions.open_ticket(actor=requester, title="Printer in the meeting room", description="x")
    client.force_login(agent)
    body = client.get(
        reverse("search:search"), {"q": "printer", "service": service.pk}
    ).content.decode()
    assert ticket.title in body and "meeting room" not in body


def test_search_page_query_budget(client, agent, requester, service, django_assert_max_num_queries):
    category = Category.objects.create(name="Printing", slug="printing")
    for n in range(11):
        t = actions.open_ticket(actor=requester, title=f"Принтер {n}", description="Принтер")
        actions.add_reply(t, actor=agent, body="Проверьте принтер")
        kb_actions.create_article(
            actor=agent, category=category, title=f"Принтер {n}", body_html="<p>Принтер</p>",
            status="published", visibility=Visibility.PUBLIC,
        )  # fmt: skip
    client.force_login(agent)
    # session + user, team ids, 3 full-text queries (tickets, replies/notes, KB), one query
    # each to load the page's tickets and articles, teams + services for the filter form;
    # the same count for 1 or 20 hits; +1 for the notification bell in the top bar; +1 on
    # PostgreSQL for the newest ticket id (the agent's search windows).
    with django_assert_max_num_queries(12):
        response = client.get(reverse("search:search"), {"q": "принтера"})
    assert response.status_code == 200
    assert len(response.context["results"].hits) == 20
    assert response.context["next_params"]
