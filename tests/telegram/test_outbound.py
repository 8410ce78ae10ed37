"""Agent replies go back to the chat through the Bot API, once, from the follow-up job."""

from __future__ import annotations

import pytest

from okno.telegram import outbound
from okno.telegram.models import OutboundMessage
from okno.tickets import actions as ticket_actions
from okno.tickets.attachments import NewAttachment
from okno.tickets.models import Status, Ticket

from . import updates

ANNA_CHAT = updates.PRIVATE_CHAT["id"]


@pytest.fixture
def conversation(deliver, bot_api):
    deliver(updates.text(900001, "Printer jams"))
    bot_api.calls.clear()
    return Ticket.objects.get()


def reply(ticket, agent, body, run_tasks, capture, **extra):
    with capture(execute=True):
        article = ticket_actions.add_reply(ticket, actor=agent, body=body, **extra)
    run_tasks()
    return article


def test_agent_reply_is_sent_to_the_chat(
    conversation, agent, bot_api, run_tasks, django_capture_on_commit_callbacks
):
    reply(
        conversation,
        agent,
        "Please open tray 2 and remove the paper.",
        run_tasks,
        django_capture_on_commit_callbacks,
    )
    [sent] = bot_api.sent("sendMessage")
    assert int(sent.params["chat_id"]) == ANNA_CHAT
    assert "Please open tray 2 and remove the paper." in sent.params["text"]
    assert f"#{conversation.pk}" in sent.params["text"]
    message = OutboundMessage.objects.get()
    assert message.state == "sent" and message.telegram_message_id is not None


def test_delivery_is_idempotent(
    conversation, agent, bot_api, run_tasks, django_capture_on_commit_callbacks
):
    article = reply(
        conversation, agent, "Restart it.", run_tasks, django_capture_on_commit_callbacks
    )
    assert outbound.on_ticket_event(conversation.pk, "replied", article_id=article.pk) == (
        "nothing to send"
    )
    assert len(bot_api.sent("sendMessage")) == 1


def test_reply_files_are_sent_as_documents(
    conversation, agent, bot_api, run_tasks, django_capture_on_commit_callbacks
):
    reply(
        conversation,
        agent,
        "Here is the driver.",
        run_tasks,
        django_capture_on_commit_callbacks,
        attachments=[NewAttachment("driver-notes.txt", b"Install driver 4.2\n")],
    )
    [document] = bot_api.sent("sendDocument", ANNA_CHAT)
    assert document.files["document"] == ("driver-notes.txt", b"Install driver 4.2\n")
    assert document.params["caption"] == conversation.reference
    assert len(bot_api.sent("sendMessage")) == 1


def test_notes_and_the_requesters_own_messages_are_not_echoed(
    conversation, agent, deliver, bot_api, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_actions.add_note(conversation, actor=agent, body="Internal: call the vendor")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(updates.text(900002, "Any news?"))
    run_tasks()
    assert bot_api.sent("sendMessage") == []


def test_resolution_is_announced(
    conversation, agent, bot_api, run_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_actions.change_status(
            conversation, actor=agent, status=Status.objects.get(key="resolved")
        )
    run_tasks()
    [sent] = bot_api.sent("sendMessage", ANNA_CHAT)
    assert "resolved" in sent.params["text"]


def test_outage_fails_the_job_and_a_rerun_sends_once(
    conversation, agent, bot_api, run_tasks, django_capture_on_commit_callbacks
):
    bot_api.down = True
    article = reply(conversation, agent, "Try now.", run_tasks, django_capture_on_commit_callbacks)
    message = OutboundMessage.objects.get()
    assert message.state == "failed" and "Bad Gateway" in message.error
    bot_api.down = False
    assert outbound.on_ticket_event(conversation.pk, "replied", article_id=article.pk) == "sent 1"
    assert outbound.on_ticket_event(conversation.pk, "replied", article_id=article.pk) == (
        "nothing to send"
    )
    assert len(bot_api.sent("sendMessage")) == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("sent", 2)


def test_tickets_of_people_without_a_chat_are_skipped(ticket, agent):
    article = ticket_actions.add_reply(ticket, actor=agent, body="Hello")
    assert outbound.on_ticket_event(ticket.pk, "replied", article_id=article.pk) == "no chat"


def test_long_replies_are_split(conversation, agent, bot_api):
    body = ("line of text " * 40 + "\n") * 12  # ~6,000 characters
    article = ticket_actions.add_reply(conversation, actor=agent, body=body)
    outbound.on_ticket_event(conversation.pk, "replied", article_id=article.pk)
    texts = [c.params["text"] for c in bot_api.sent("sendMessage")]
    assert len(texts) == 2 and all(len(t) <= 4096 for t in texts)


def test_reply_goes_through_the_bot_the_ticket_came_from(
    conversation, agent, bot_api, deliver, service
):
    from okno.telegram.models import Bot

    other = Bot.objects.create(name="Second bot", token="999:other", api_base_url=bot_api.url)
    deliver(updates.text(900050, "Hello other bot"), target=other)  # token unknown to the server
    bot_api.calls.clear()
    article = ticket_actions.add_reply(conversation, actor=agent, body="From the first bot")
    assert outbound.on_ticket_event(conversation.pk, "replied", article_id=article.pk) == "sent 1"
    assert len(bot_api.sent("sendMessage")) == 1
