"""Bot configuration in the admin: the token is write-only, "set webhook" registers the desk."""

from __future__ import annotations

from django.conf import settings

from okno.telegram.models import Bot

from .conftest import TOKEN


def test_set_webhook_action_calls_set_webhook(client, admin, bot, bot_api):
    client.force_login(admin)
    response = client.post(
        "/admin/telegram/bot/",
        {"action": "set_webhook", "_selected_action": [bot.pk]},
        follow=True,
    )
    assert response.status_code == 200
    [call] = bot_api.sent("setWebhook")
    assert call.params["url"] == f"{settings.BASE_URL}/telegram/{bot.pk}/webhook"
    assert call.params["secret_token"] == bot.webhook_secret
    assert call.params["allowed_updates"] == ["message", "edited_message"]
    assert "webhook set" in response.content.decode()


def test_refused_webhook_is_reported_without_the_token(client, admin, bot, bot_api):
    bot_api.token = "another-token"  # Telegram does not know our token: 401
    client.force_login(admin)
    response = client.post(
        "/admin/telegram/bot/",
        {"action": "set_webhook", "_selected_action": [bot.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Unauthorized" in page
    assert TOKEN not in page


def test_token_is_never_shown_and_kept_when_left_empty(client, admin, bot, service):
    client.force_login(admin)
    page = client.get(f"/admin/telegram/bot/{bot.pk}/change/").content.decode()
    assert TOKEN not in page
    assert bot.webhook_secret not in page
    response = client.post(
        f"/admin/telegram/bot/{bot.pk}/change/",
        {
            "name": "Renamed bot",
            "token_env": "",
            "token": "",
            "api_base_url": bot.api_base_url,
            "service": service.pk,
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    bot.refresh_from_db()
    assert (bot.name, bot.token) == ("Renamed bot", TOKEN)


def test_token_from_the_environment(monkeypatch, bot, bot_api, deliver):
    from . import updates

    Bot.objects.filter(pk=bot.pk).update(token="", token_env="OKNO_TEST_TG_TOKEN")
    monkeypatch.setenv("OKNO_TEST_TG_TOKEN", TOKEN)
    bot.refresh_from_db()
    assert bot.get_token() == TOKEN
    deliver(updates.text(900001, "Printer jams"), target=bot)
    assert len(bot_api.sent("sendMessage")) == 1
