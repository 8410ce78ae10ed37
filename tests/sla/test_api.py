"""GET /api/v1/tickets/{id}/sla: the clocks and the score breakdown, for agents only."""

from __future__ import annotations

from okno.accounts.models import ApiToken
from okno.tickets import actions


def get(client, user, ticket):
    _token, raw = ApiToken.issue(user, "t")
    return client.get(f"/api/v1/tickets/{ticket.pk}/sla", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_agent_reads_every_clock_and_the_score(client, policy, agent, requester, service, travel):
    travel("2026-03-02 09:00")
    ticket = actions.open_ticket(actor=requester, title="VPN", description="down", service=service)
    actions.add_reply(ticket, actor=agent, body="Looking")
    response = get(client, agent, ticket)
    assert response.status_code == 200
    body = response.json()
    kinds = {c["kind"]: c for c in body["clocks"]}
    assert kinds["first_response"]["state"] == "met"
    assert kinds["resolution"]["state"] == "running"
    assert kinds["resolution"]["target_seconds"] == 16 * 3600
    factors = {f["name"]: f for f in body["score"]["factors"]}
    assert "priority" in factors and "time_to_breach" in factors
    assert abs(sum(f["contribution"] for f in factors.values()) - body["score"]["total"]) < 1e-6


def test_requester_is_refused_and_outsider_sees_nothing(
    client, policy, requester, outsider, ticket
):
    assert get(client, requester, ticket).status_code == 403
    response = get(client, outsider, ticket)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
