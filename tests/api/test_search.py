"""``GET /api/v1/search``: the page's scoped search for programs."""

from __future__ import annotations

from okno.kb import actions as kb_actions
from okno.kb.models import ArticleStatus, Category, Visibility
from okno.tickets import actions

from .conftest import error_of


def found(api_client, q, **params):
    response = api_client.get("/search", {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_agent_finds_tickets_replies_and_kb_with_safe_snippets(api, agent, requester, ticket):
    actions.add_reply(ticket, actor=agent, body="Замените картридж <b>сегодня</b>")
    category = Category.objects.create(name="Printing", slug="printing")
    article = kb_actions.create_article(
        actor=agent, category=category, title="Картридж принтера", body_html="<p>Шаги</p>",
        status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC,
    )  # fmt: skip
    body = found(api(agent), "картриджа")
    by_type = {item["type"]: item for item in body["items"]}
    assert by_type["ticket"]["id"] == ticket.pk and by_type["ticket"]["source"] == "reply"
    assert "<mark>" in by_type["ticket"]["snippet"] and "<b>" not in by_type["ticket"]["snippet"]
    assert by_type["ticket"]["url"] == f"/desk/tickets/{ticket.pk}/"
    assert by_type["kb"]["id"] == article.pk and by_type["kb"]["url"].endswith("/")
    assert found(api(agent), "картриджа", kind="kb")["items"][0]["type"] == "kb"


def test_requester_sees_only_own_tickets_and_no_notes(
    api, agent, requester, colleague, outsider, ticket
):
    actions.add_note(ticket, actor=agent, body="Пароль администратора в сейфе")
    other = actions.open_ticket(actor=colleague, title="Printer of Carl", description="x")
    ids = [item["id"] for item in found(api(requester), "printer")["items"]]
    assert ticket.pk in ids and other.pk not in ids
    assert found(api(requester), "пароль")["items"] == []
    assert found(api(agent), "пароль")["items"][0]["id"] == ticket.pk
    assert found(api(outsider), "printer")["items"] == []
    assert found(api(outsider), f"#{ticket.pk}")["exact_ticket"] is None
    assert found(api(requester), f"#{ticket.pk}")["exact_ticket"] == ticket.pk


def test_pages_continue_with_the_cursor(api, agent, requester):
    for n in range(3):
        actions.open_ticket(actor=requester, title=f"Монитор мерцает {n}", description="x")
    first = found(api(agent), "монитор", limit="2")
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = found(api(agent), "монитор", limit="2", cursor=first["next_cursor"])
    assert len(second["items"]) == 1 and second["next_cursor"] is None


def test_invalid_parameters_are_structured_errors(api, agent):
    response = api(agent).get(
        "/search", {"q": "x", "kind": "mail", "limit": "0", "state": "gone", "team": "a"}
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"kind", "limit", "state", "team"}


def test_empty_query_and_anonymous_calls(api, client, agent):
    assert found(api(agent), "")["items"] == []
    assert client.get("/api/v1/search", {"q": "x"}).status_code == 401
