"""``/api/v1/notifications…`` (the caller's own) and the satisfaction endpoints."""

from __future__ import annotations

from okno.csat.models import Rating
from okno.notifications.models import Kind, Notification, Preference
from okno.tickets import actions
from okno.tickets.models import Status, StatusCategory

from .conftest import error_of


def note(user, ticket, n):
    return Notification.objects.create(user=user, ticket=ticket, kind=Kind.ASSIGNED, text=f"N{n}")


def resolve(ticket, agent):
    status = Status.objects.filter(category=StatusCategory.RESOLVED).first()
    actions.change_status(ticket, actor=agent, status=status)


def test_list_is_my_own_newest_first_with_keyset_pages(api, agent, lead, ticket):
    mine = [note(agent, ticket, n) for n in range(5)]
    note(lead, ticket, 99)
    client = api(agent)
    first = client.get("/notifications", {"limit": 3}).json()
    assert [i["id"] for i in first["items"]] == [n.pk for n in reversed(mine)][:3]
    assert first["unread"] == 5 and first["items"][0]["read"] is False
    rest = client.get("/notifications", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert [i["id"] for i in rest["items"]] == [mine[1].pk, mine[0].pk]
    assert rest["next_cursor"] is None
    assert all(i["text"] != "N99" for i in first["items"] + rest["items"])


def test_read_one_and_all_and_someone_elses_is_404(api, agent, lead, ticket):
    a, b = note(agent, ticket, 1), note(agent, ticket, 2)
    theirs = note(lead, ticket, 3)
    client = api(agent)
    response = client.post(f"/notifications/{a.pk}/read")
    assert response.status_code == 200 and response.json()["read"] is True
    assert client.get("/notifications", {"unread": "true"}).json()["items"][0]["id"] == b.pk
    missing = client.post(f"/notifications/{theirs.pk}/read")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.post("/notifications/read-all").json() == {"marked": 1}
    assert client.get("/notifications").json()["unread"] == 0


def test_bad_cursor_is_a_structured_400(api, agent):
    response = api(agent).get("/notifications", {"cursor": "abc"})
    assert response.status_code == 400 and "cursor" in error_of(response)["fields"]


def test_preferences_read_and_change_with_defaults(api, agent):
    client = api(agent)
    items = client.get("/notifications/preferences").json()["items"]
    assert {(i["kind"], i["channel"]) for i in items} >= {(Kind.ASSIGNED, "email")}
    response = client.put(
        "/notifications/preferences",
        {"items": [{"kind": Kind.ASSIGNED, "channel": "email", "enabled": False}]},
    )
    assert response.status_code == 200
    changed = {(i["kind"], i["channel"]): i["enabled"] for i in response.json()["items"]}
    assert changed[(Kind.ASSIGNED, "email")] is False
    assert Preference.objects.get(user=agent, kind=Kind.ASSIGNED, channel="email").enabled is False


def test_unknown_preference_is_refused_and_nothing_saved(api, agent):
    response = api(agent).put(
        "/notifications/preferences",
        {
            "items": [
                {"kind": Kind.ASSIGNED, "channel": "email", "enabled": False},
                {"kind": "nonsense", "channel": "pigeon", "enabled": True},
            ]
        },
    )
    assert response.status_code == 400
    assert set(error_of(response)["fields"]) == {"items.1.kind", "items.1.channel"}
    assert not Preference.objects.filter(user=agent).exists()


def test_requester_rates_a_resolved_ticket_then_changes_it(api, agent, requester, ticket):
    client = api(requester)
    early = client.post(f"/tickets/{ticket.pk}/rating", {"score": 5})
    assert early.status_code == 400  # not resolved yet
    resolve(ticket, agent)
    first = client.post(f"/tickets/{ticket.pk}/rating", {"score": 2, "comment": "Slow"})
    assert first.status_code == 201, first.content
    assert first.json()["score"] == 2 and first.json()["resolution"] == 0
    again = client.post(f"/tickets/{ticket.pk}/rating", {"score": 4})
    assert again.status_code == 200 and Rating.objects.get().score == 4


def test_rating_checks_who_and_what(api, agent, requester, colleague, outsider, ticket):
    resolve(ticket, agent)
    assert api(outsider).post(f"/tickets/{ticket.pk}/rating", {"score": 5}).status_code == 404
    assert api(agent).post(f"/tickets/{ticket.pk}/rating", {"score": 5}).status_code == 403
    bad = api(requester).post(f"/tickets/{ticket.pk}/rating", {"score": 9})
    assert bad.status_code == 400 and "score" in error_of(bad)["fields"]
    assert not Rating.objects.exists()


def test_ratings_list_is_scoped_and_filtered(api, agent, requester, outsider, ticket, admin):
    resolve(ticket, agent)
    api(requester).post(f"/tickets/{ticket.pk}/rating", {"score": 3})
    assert [r["ticket_id"] for r in api(admin).json_list("/ratings")] == [ticket.pk]
    assert api(admin).json_list("/ratings", {"score": 5}) == []
    assert api(requester).json_list("/ratings") == []
    assert api(outsider).json_list("/ratings") == []
    wrong = api(admin).get("/ratings", {"since": "2026-02-02", "until": "2026-02-01"})
    assert wrong.status_code == 400 and "since" in error_of(wrong)["fields"]
