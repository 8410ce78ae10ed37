"""The webhook, fed with recorded update payloads of every supported kind, against a local
server that records the Bot API calls Okno makes."""

from __future__ import annotations

import pytest

from okno.telegram.models import Chat, InboundUpdate
from okno.tickets import actions as ticket_actions
from okno.tickets.models import Ticket

from . import updates

ANNA_CHAT = updates.PRIVATE_CHAT["id"]
PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LOG = b"2026-11-23 10:00 ERROR printer spooler stopped\n"


@pytest.fixture
def files(bot_api):
    bot_api.files["AgACAgIAAxkBAAIBlarge"] = ("photos/file_7.jpg", PHOTO)
    bot_api.files["BQACAgIAAxkBAAIBdoc"] = ("documents/file_8.txt", LOG)
    return bot_api.files


def test_wrong_or_missing_secret_is_403(deliver):
    assert deliver(updates.text(1, "hello"), secret="wrong").status_code == 403
    assert deliver(updates.text(1, "hello"), secret="").status_code == 403
    assert not Ticket.objects.exists()
    assert not InboundUpdate.objects.exists()


def test_unknown_or_disabled_bot_is_404(deliver, bot):
    bot.enabled = False
    bot.save()
    assert deliver(updates.text(1, "hello")).status_code == 404


def test_only_post_with_json(client, deliver, bot):
    assert client.get(f"/telegram/{bot.pk}/webhook").status_code == 405
    response = client.post(
        f"/telegram/{bot.pk}/webhook",
        data="not json",
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=bot.webhook_secret,
    )
    assert response.status_code == 400
    assert deliver({"message": {}}).status_code == 400


def test_first_message_opens_a_ticket_and_answers_with_its_number(deliver, bot, bot_api, service):
    response = deliver(updates.text(900001, "Printer on floor 3 jams\nEvery second page."))
    assert response.status_code == 200
    assert response.json()["outcome"] == "opened"
    ticket = Ticket.objects.get()
    assert ticket.channel == "chat"
    assert ticket.title == "Printer on floor 3 jams"
    assert ticket.service == service
    assert ticket.requester.email == f"tg-{updates.ANNA['id']}@telegram.invalid"
    assert ticket.requester.full_name == "Anna Kovalenko"
    assert not ticket.requester.has_usable_password()
    article = ticket.articles.get()
    assert article.body_text == "Printer on floor 3 jams\nEvery second page."
    assert article.message_id == f"telegram:{ANNA_CHAT}:1"
    [ack] = bot_api.sent("sendMessage", ANNA_CHAT)
    assert f"#{ticket.pk}" in ack.params["text"]
    chat = Chat.objects.get()
    assert (chat.chat_id, chat.user, chat.ticket) == (ANNA_CHAT, ticket.requester, ticket)


def test_next_messages_continue_the_open_ticket(deliver, bot_api):
    deliver(updates.text(900001, "Printer jams"))
    response = deliver(updates.text(900002, "It is the HP in room 301"))
    assert response.json()["outcome"] == "replied"
    ticket = Ticket.objects.get()
    assert [a.body_text for a in ticket.articles.all()] == [
        "Printer jams",
        "It is the HP in room 301",
    ]
    assert len(bot_api.sent("sendMessage")) == 1  # only the first message is acknowledged


def test_repeated_update_id_is_applied_once(deliver, bot_api):
    first = deliver(updates.text(900001, "Printer jams"))
    again = deliver(updates.text(900001, "Printer jams"))
    assert first.status_code == again.status_code == 200
    assert again.json()["outcome"] == "duplicate"
    assert Ticket.objects.get().articles.count() == 1
    assert InboundUpdate.objects.count() == 1
    assert len(bot_api.sent("sendMessage")) == 1


def test_new_starts_another_conversation(deliver, bot_api):
    deliver(updates.text(900001, "Printer jams"))
    response = deliver(updates.command(900002, "new"))
    assert response.json()["outcome"] == "new"
    assert "new request" in bot_api.sent("sendMessage")[-1].params["text"]
    deliver(updates.text(900003, "VPN does not connect"))
    assert list(Ticket.objects.order_by("id").values_list("title", flat=True)) == [
        "Printer jams",
        "VPN does not connect",
    ]
    # /new with text opens the ticket at once
    deliver(updates.command(900004, "new", "Monitor flickers"))
    assert Ticket.objects.count() == 3
    assert Chat.objects.get().ticket.title == "Monitor flickers"


def test_status_tells_the_current_ticket_status(deliver, bot_api):
    deliver(updates.command(900001, "status"))
    assert "no open request" in bot_api.sent("sendMessage")[-1].params["text"]
    deliver(updates.text(900002, "Printer jams"))
    deliver(updates.command(900003, "status@OknoDeskBot"))
    ticket = Ticket.objects.get()
    answer = bot_api.sent("sendMessage")[-1].params["text"]
    assert f"#{ticket.pk}" in answer and "Printer jams" in answer
    assert ticket.status.requester_label in answer
    assert ticket.articles.count() == 1  # the command itself is not added to the ticket


def test_start_explains_the_commands(deliver, bot_api):
    deliver(updates.command(900001, "start"))
    text = bot_api.sent("sendMessage")[-1].params["text"]
    assert "/new" in text and "/status" in text
    assert not Ticket.objects.exists()


def test_photo_with_caption_becomes_an_attachment(deliver, bot_api, files):
    response = deliver(updates.photo(900001, caption="Error on the screen"))
    assert response.json()["outcome"] == "opened"
    ticket = Ticket.objects.get()
    assert ticket.title == "Error on the screen"
    attachment = ticket.attachments.get()
    assert attachment.filename == "photo-1.jpg"
    assert attachment.file.read() == PHOTO
    # the largest size was fetched, through getFile and the file path
    assert [c.params["file_id"] for c in bot_api.sent("getFile")] == ["AgACAgIAAxkBAAIBlarge"]
    assert bot_api.sent("download")[0].params["file_path"] == "photos/file_7.jpg"


def test_document_on_an_open_ticket_is_added_to_it(deliver, files):
    deliver(updates.text(900001, "Printer jams"))
    response = deliver(updates.document(900002))
    assert response.json()["outcome"] == "replied"
    ticket = Ticket.objects.get()
    attachment = ticket.attachments.get()
    assert (attachment.filename, attachment.content_type) == ("error-log.txt", "text/plain")
    assert attachment.article.body_text == ""


def test_photo_without_caption_opens_a_ticket(deliver, files):
    deliver(updates.photo(900001))
    ticket = Ticket.objects.get()
    assert ticket.title == "Files sent from Telegram"
    assert ticket.attachments.count() == 1


def test_unavailable_file_is_named_back_to_the_sender(deliver, bot_api):
    """getFile refuses (file gone, too big): the text is kept, the person is told."""
    deliver(updates.document(900001, caption="Here is the log"))
    ticket = Ticket.objects.get()
    assert not ticket.attachments.exists()
    assert "error-log.txt" in bot_api.sent("sendMessage")[-1].params["text"]


def test_bot_api_outage_while_fetching_files_asks_telegram_to_retry(deliver, bot_api, files):
    bot_api.down = True
    response = deliver(updates.photo(900001, caption="Screen"))
    assert response.status_code == 502
    assert not Ticket.objects.exists() and not InboundUpdate.objects.exists()
    bot_api.down = False
    assert deliver(updates.photo(900001, caption="Screen")).json()["outcome"] == "opened"
    assert Ticket.objects.get().attachments.count() == 1


def test_edited_message_is_not_appended_but_explained(deliver, bot_api):
    deliver(updates.text(900001, "Printer jams", message_id=1))
    response = deliver(updates.edited(900002, 1, "Printer jams on floor 3"))
    assert response.json()["outcome"] == "edit_ignored"
    assert Ticket.objects.get().articles.count() == 1
    assert "new message" in bot_api.sent("sendMessage")[-1].params["text"]


def test_sticker_is_not_a_request(deliver, bot_api):
    assert deliver(updates.sticker(900001)).json()["outcome"] == "unsupported"
    assert not Ticket.objects.exists()
    assert "text, photos or files" in bot_api.sent("sendMessage")[-1].params["text"]


@pytest.mark.parametrize(
    "update",
    [
        updates.group_message(900001, "Printer jams"),
        updates.from_bot(900001, "I am a bot"),
        updates.callback_query(900001),
    ],
    ids=["group chat", "bot's message", "callback query"],
)
def test_groups_bots_and_other_updates_are_ignored(deliver, bot_api, update):
    response = deliver(update)
    assert response.status_code == 200
    assert response.json()["outcome"].startswith("ignored")
    assert not Ticket.objects.exists() and not Chat.objects.exists()
    assert bot_api.calls == []
    assert InboundUpdate.objects.get().outcome.startswith("ignored")


def test_closed_ticket_is_not_continued(deliver, agent):
    deliver(updates.text(900001, "Printer jams"))
    ticket = Ticket.objects.get()
    from okno.tickets.models import Status

    ticket_actions.change_status(
        ticket, actor=agent, status=Status.objects.filter(category="closed").first()
    )
    deliver(updates.text(900002, "It jams again"))
    assert Ticket.objects.count() == 2


def test_resolved_ticket_is_reopened_by_a_new_message(deliver, agent):
    deliver(updates.text(900001, "Printer jams"))
    ticket = Ticket.objects.get()
    from okno.tickets.models import Status

    ticket_actions.change_status(
        ticket, actor=agent, status=Status.objects.filter(category="resolved").first()
    )
    deliver(updates.text(900002, "Still jams"))
    ticket.refresh_from_db()
    assert Ticket.objects.count() == 1
    assert ticket.status_category == "open"


def test_language_of_the_telegram_user_is_used(deliver, bot_api):
    update = updates.command(900001, "status")
    update["message"]["from"]["language_code"] = "ru"
    deliver(update)
    from django.utils import translation

    with translation.override("ru"):
        from django.utils.translation import gettext

        expected = gettext("You have no open request. Write a message to open one.")
    assert bot_api.sent("sendMessage")[-1].params["text"] == expected


def test_merged_into_someone_elses_ticket_starts_a_new_one(deliver, bot_api, agent, ticket):
    """Never write into, or tell the status of, another requester's ticket."""
    deliver(updates.text(900001, "Printer jams"))
    mine = Ticket.objects.exclude(pk=ticket.pk).get()
    ticket_actions.merge_tickets(mine, ticket, actor=agent)
    deliver(updates.command(900002, "status"))
    assert ticket.title not in bot_api.sent("sendMessage")[-1].params["text"]
    deliver(updates.text(900003, "Any news?"))
    assert not ticket.articles.filter(body_text="Any news?").exists()
    assert Ticket.objects.filter(title="Any news?").exists()
