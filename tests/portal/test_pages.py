"""Shared pages: sign-in, profile, error pages and the top bar."""

from django.urls import reverse


def test_login_page_asks_for_email_and_password(client):
    body = client.get(reverse("login")).content.decode()
    assert 'type="email"' in body and 'type="password"' in body
    assert "/static/okno/okno.css" in body


def test_sign_in_with_email_lands_agents_in_the_desk(client, agent):
    from tests.conftest import PASSWORD

    response = client.post(
        reverse("login"), {"username": "alice@okno.test", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("desk:queue")


def test_profile_page_saves_language_and_time_zone(client, requester):
    client.force_login(requester)
    body = client.get(reverse("profile")).content.decode()
    assert 'name="time_zone"' in body and 'name="language"' in body
    client.post(
        reverse("profile"),
        {"full_name": "Rita R.", "language": "uk", "time_zone": "Europe/Kyiv", "phone": ""},
    )
    requester.refresh_from_db()
    assert (requester.language, requester.time_zone) == ("uk", "Europe/Kyiv")


def test_top_bar_has_search_language_and_sign_out(client, agent, requester):
    client.force_login(agent)
    body = client.get(reverse("desk:queue")).content.decode()
    assert f'action="{reverse("search:search")}"' in body  # one search for everything
    assert f'action="{reverse("set_language")}"' in body
    assert f'action="{reverse("logout")}"' in body
    assert "X-CSRFToken" in body and "htmx" in body
    assert reverse("desk:new") in body
    client.force_login(requester)
    body = client.get(reverse("portal:home")).content.decode()
    assert f'action="{reverse("search:search")}"' in body
    assert reverse("desk:new") not in body


def test_times_are_shown_in_the_viewers_time_zone(client, agent, ticket):
    agent.time_zone = "Asia/Tokyo"
    agent.save()
    client.force_login(agent)
    body = client.get(reverse("desk:queue")).content.decode()
    assert (
        ticket.updated_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo")).isoformat()[:16]
        in body
    )


def test_unknown_page_uses_the_friendly_404(client, requester):
    client.force_login(requester)
    response = client.get("/portal/tickets/999999/")
    assert response.status_code == 404
    assert "We could not find this page" in response.content.decode()


def test_forbidden_action_uses_the_friendly_403(client, requester, ticket):
    client.force_login(requester)
    response = client.post(reverse("desk:ticket_update", args=[ticket.pk]), {})
    assert response.status_code == 403
    assert "You may not do this" in response.content.decode()
