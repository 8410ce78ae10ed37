"""Email intake: one message becomes exactly one ticket, reply or nothing, whatever happens."""

from __future__ import annotations

import pytest

from okno.mail.actions import ingest, retry_inbound
from okno.mail.models import InboundMessage, Mailbox, RoutingRule
from okno.tickets.models import Article, Ticket, TicketEvent

from .conftest import make_mail

pytestmark = pytest.mark.django_db


def _mailbox(**extra) -> Mailbox:
    return Mailbox.objects.create(
        name="support", host="mail.test", username="support", secret_env="X", **extra
    )


def test_new_message_opens_a_ticket_for_a_new_requester(acme, l1):
    raw = make_mail(
        sender="Nina New <nina@acme.test>",
        subject="VPN does not connect",
        body="Since this morning.\n\nOn Mon, Bob wrote:\n> old stuff",
        html="<p>Since this morning.</p><script>alert(1)</script>",
    )
    row = ingest(raw)
    assert row.state == "processed" and row.reason == "new_ticket"
    ticket = row.ticket
    assert ticket.title == "VPN does not connect"
    assert ticket.channel == "email"
    assert ticket.requester.email == "nina@acme.test"
    assert ticket.requester.organization == acme
    article = ticket.articles.get()
    assert article.body_text == "Since this morning."
    assert "<script" not in article.body_html and "Since this morning" in article.body_html
    assert article.message_id == row.message_id
    assert bytes(row.raw) == raw  # the full original stays available


def test_the_same_message_twice_changes_nothing(requester, l1):
    raw = make_mail()
    first = ingest(raw)
    again = ingest(raw)
    assert again.pk == first.pk
    assert Ticket.objects.count() == 1 and InboundMessage.objects.count() == 1
    assert Article.objects.count() == 1


def test_without_message_id_the_content_hash_deduplicates(requester, l1):
    raw = make_mail(message_id="")
    ingest(raw)
    ingest(raw)
    assert Ticket.objects.count() == 1
    assert InboundMessage.objects.get().dedupe_key.startswith("r")


def test_reply_threads_by_in_reply_to(requester, l1):
    first = ingest(make_mail(subject="Laptop"))
    reply = ingest(make_mail(subject="Something else", in_reply_to=first.message_id))
    assert reply.reason == "reply" and reply.ticket_id == first.ticket_id
    assert Ticket.objects.count() == 1
    assert reply.article.channel == "email" and reply.article.author == requester


def test_reply_threads_by_subject_token(requester, l1):
    first = ingest(make_mail(subject="Laptop"))
    reply = ingest(make_mail(subject=f"RE: Ответ: Laptop [#{first.ticket_id}]"))
    assert reply.ticket_id == first.ticket_id and reply.reason == "reply"


def test_same_sender_and_subject_threads_within_the_window(requester, l1):
    _mailbox_ = _mailbox(thread_by_subject_days=7)
    first = ingest(make_mail(subject="Monitor flickers"), mailbox=_mailbox_)
    second = ingest(make_mail(subject="Fwd: AW: Monitor flickers"), mailbox=_mailbox_)
    assert second.ticket_id == first.ticket_id
    _mailbox_.thread_by_subject_days = 0
    _mailbox_.save()
    third = ingest(make_mail(subject="Re: Monitor flickers"), mailbox=_mailbox_)
    assert third.reason == "new_ticket"


@pytest.mark.parametrize(
    ("rule", "reason", "kind"),
    [("note", "note", "note"), ("reply", "reply", "reply"), ("new_ticket", "new_ticket", None)],
)
def test_unknown_sender_follows_the_mailbox_rule(requester, outsider, l1, rule, reason, kind):
    box = _mailbox(unknown_sender=rule)
    first = ingest(make_mail(subject="Printer"), mailbox=box)
    stranger = ingest(
        make_mail(sender=outsider.email, subject=f"Re: Printer [#{first.ticket_id}]"), mailbox=box
    )
    assert stranger.reason == reason
    if kind:
        assert stranger.ticket_id == first.ticket_id
        assert stranger.article.kind == kind
    else:
        assert stranger.ticket_id != first.ticket_id


def test_agent_reply_by_email_is_a_response(requester, agent, l1):
    first = ingest(make_mail(subject="Printer"))
    answer = ingest(make_mail(sender=agent.email, subject=f"Re: Printer [#{first.ticket_id}]"))
    assert answer.reason == "reply" and answer.article.author == agent
    assert Ticket.objects.get(pk=first.ticket_id).first_response_at is not None


def test_reply_to_a_closed_ticket_opens_a_linked_new_one(requester, l1):
    from okno.tickets.actions import change_status, default_status

    first = ingest(make_mail(subject="Printer"))
    change_status(first.ticket, actor=None, status=default_status("closed"))
    again = ingest(make_mail(subject="Re: Printer", in_reply_to=first.message_id))
    assert again.reason == "reopened_as_new" and again.ticket_id != first.ticket_id
    assert again.ticket.links_out.filter(target_id=first.ticket_id).exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"List-Id": "<news.acme.test>"},
    ],
)
def test_automatic_mail_never_opens_a_ticket(requester, l1, headers, mailoutbox):
    row = ingest(make_mail(headers=headers))
    assert row.state == "ignored"
    assert Ticket.objects.count() == 0 and len(mailoutbox) == 0


def test_a_bounce_is_recorded_on_its_ticket(requester, l1):
    first = ingest(make_mail(subject="Printer"))
    bounce = (
        b"From: MAILER-DAEMON@acme.test\r\nTo: support@okno.test\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b1@acme.test>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.1.1\r\n\r\n"
        b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        b"Message-ID: " + first.message_id.encode() + b"\r\nSubject: x\r\n\r\n--B--\r\n"
    )
    row = ingest(bounce)
    assert row.state == "ignored" and row.reason == "bounce"
    assert row.ticket_id == first.ticket_id
    assert TicketEvent.objects.filter(ticket_id=first.ticket_id, kind="mail_bounced").count() == 1
    assert Ticket.objects.count() == 1


def test_a_failing_message_is_quarantined_and_does_not_block_the_next(requester, l1, monkeypatch):
    from okno.mail import intake

    real = intake.deliver
    calls = {"n": 0}

    def flaky(msg, mailbox, *, message_id):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database hiccup")
        return real(msg, mailbox, message_id=message_id)

    monkeypatch.setattr("okno.mail.actions.deliver", flaky)
    bad = ingest(make_mail(subject="First"))
    good = ingest(make_mail(subject="Second"))
    assert bad.state == "quarantined" and "database hiccup" in bad.error
    assert good.state == "processed"
    assert Ticket.objects.count() == 1  # nothing half-saved for the first
    retried = retry_inbound(bad.pk)
    assert retried.state == "processed" and Ticket.objects.count() == 2


def test_a_message_without_sender_is_quarantined(l1):
    row = ingest(b"Subject: who am I\r\nMessage-ID: <n@x>\r\n\r\nbody\r\n")
    assert row.state == "quarantined" and "sender" in row.error


def test_attachments_are_stored_and_oversized_ones_noted(requester, l1, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    raw = make_mail(
        attachments=[
            ("log.txt", b"error at line 3\n", "text/plain"),
            ("dump.bin", b"\x00" * 5000, "application/octet-stream"),
        ]
    )
    row = ingest(raw)
    article = row.article
    assert [a.filename for a in article.attachments.all()] == ["log.txt"]
    assert "dump.bin" in article.body_text


def test_routing_rule_sets_team_service_type_and_priority(requester, l1, l2, service):
    RoutingRule.objects.create(name="never", order=1, subject_keywords="zzz", team=l1)
    RoutingRule.objects.create(
        name="servers",
        order=2,
        body_keywords="server down, outage",
        senders="@acme.test",
        team=l2,
        service=service,
        ticket_type="incident",
        impact=1,
        urgency=1,
        tags="infra, urgent",
    )
    row = ingest(make_mail(subject="Help", body="The file server down since 9:00"))
    ticket = row.ticket
    assert ticket.team == l2 and ticket.service == service
    assert (ticket.impact, ticket.urgency) == (1, 1) and ticket.priority == 1
    assert sorted(ticket.tag_links.values_list("tag__name", flat=True)) == ["infra", "urgent"]
    assert ticket.custom_fields == {"routing_rule": "servers"}
    other = ingest(make_mail(sender="x@globex.test", body="server down"))
    assert other.ticket.team != l2


def test_routing_test_view_shows_the_matching_rule(admin, client, l2):
    RoutingRule.objects.create(name="VPN to L2", subject_keywords="vpn", team=l2)
    client.force_login(admin)
    response = client.get("/admin/mail/routingrule/test/")
    assert response.status_code == 200
    response = client.post(
        "/admin/mail/routingrule/test/",
        {"raw": make_mail(subject="VPN broken").decode()},
    )
    assert response.status_code == 200
    assert "Matching rule: VPN to L2" in response.content.decode()


def test_quarantine_admin_lists_and_retries(admin, client, l1):
    row = ingest(b"Subject: no sender\r\nMessage-ID: <q@x>\r\n\r\nbody\r\n")
    client.force_login(admin)
    listing = client.get("/admin/mail/inboundmessage/?state__exact=quarantined")
    assert listing.status_code == 200 and "no sender" in listing.content.decode()
    detail = client.get(f"/admin/mail/inboundmessage/{row.pk}/change/")
    assert detail.status_code == 200
    response = client.post(
        "/admin/mail/inboundmessage/",
        {"action": "retry", "_selected_action": [row.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert InboundMessage.objects.get(pk=row.pk).state == "quarantined"  # still no sender


def test_mailbox_admin_never_shows_a_secret(admin, client, monkeypatch):
    monkeypatch.setenv("OKNO_MAIL_PW", "hunter2-very-secret")
    box = _mailbox()
    box.secret_env = "OKNO_MAIL_PW"
    box.save()
    assert box.read_secret() == "hunter2-very-secret"
    client.force_login(admin)
    page = client.get(f"/admin/mail/mailbox/{box.pk}/change/").content.decode()
    assert "OKNO_MAIL_PW" in page and "hunter2" not in page
    response = client.post(
        "/admin/mail/mailbox/add/",
        {
            "name": "bad",
            "protocol": "imap",
            "host": "h",
            "security": "tls",
            "username": "u",
            "auth": "password",
            "secret_env": "my password!",
            "folder": "INBOX",
            "poll_interval": 60,
            "batch_size": 10,
            "thread_by_subject_days": 7,
            "unknown_sender": "note",
            "ack_limit_per_hour": 5,
        },
    )
    assert response.status_code == 200 and "not the secret itself" in response.content.decode()


def test_sweep_finishes_stored_messages_and_retries_database_hiccups(requester, l1):
    from datetime import timedelta

    from django.utils import timezone

    from okno.mail.actions import quarantine, store_inbound
    from okno.mail.tasks import poll_due_mailboxes

    stranded, _c, _m = store_inbound(make_mail(subject="Stored, then the process died"))
    InboundMessage.objects.filter(pk=stranded.pk).update(
        received_at=timezone.now() - timedelta(minutes=10)
    )
    hiccup, _c, _m = store_inbound(make_mail(subject="Database was locked"))
    quarantine(hiccup.pk, error="OperationalError: database is locked")
    broken, _c, _m = store_inbound(b"Subject: no sender\r\nMessage-ID: <nos@x>\r\n\r\nx\r\n")
    quarantine(broken.pk, error="The message has no sender address.")
    poll_due_mailboxes.call()
    states = dict(InboundMessage.objects.values_list("subject", "state"))
    assert states == {
        "Stored, then the process died": "processed",
        "Database was locked": "processed",
        "no sender": "quarantined",
    }


def test_a_chunk_is_processed_in_one_go_and_a_bad_message_is_quarantined_alone(requester, l1):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from okno.mail.actions import ingest_many

    chunk = [(str(n), make_mail(subject=f"Printer {n}")) for n in range(5)]
    chunk.insert(2, ("bad", b"Subject: who am I\r\nMessage-ID: <nosender@x>\r\n\r\nbody\r\n"))
    chunk.append(("again", chunk[0][1]))  # the same message twice in one chunk
    rows = dict(ingest_many(chunk))
    assert rows["bad"].state == "quarantined" and "sender" in rows["bad"].error
    assert {rows[str(n)].state for n in range(5)} == {"processed"}
    assert rows["again"].pk == rows["0"].pk
    assert Ticket.objects.count() == 5 and InboundMessage.objects.count() == 6
    assert sorted(Ticket.objects.values_list("title", flat=True)) == [
        f"Printer {n}" for n in range(5)
    ]
    # A clean chunk: stored with one lookup and one insert, then processed in one transaction
    # (the messages' marks in one UPDATE), whatever the number of messages.
    more = [(f"m{n}", make_mail(subject=f"Scanner {n}")) for n in range(4)]
    with CaptureQueriesContext(connection) as ctx:
        done = ingest_many(more)
    assert {row.state for _uid, row in done} == {"processed"}
    inbound_writes = [
        q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "mail_inbound')
    ]
    assert len(inbound_writes) == 1


def test_a_rolled_back_chunk_leaves_every_message_received(requester, l1, monkeypatch):
    """A crash before the chunk's commit (here: an error the fallback cannot survive) keeps
    the raw messages and processes none of them half-way."""
    from okno.mail import actions
    from okno.mail.actions import ingest_many

    def boom(*args, **kwargs):
        raise KeyboardInterrupt  # not an Exception: nothing may catch it

    chunk = [(str(n), make_mail(subject=f"Disk {n}")) for n in range(3)]
    monkeypatch.setattr(actions, "deliver", boom)
    with pytest.raises(KeyboardInterrupt):
        ingest_many(chunk)
    assert InboundMessage.objects.filter(state="received").count() == 3
    assert Ticket.objects.count() == 0
    monkeypatch.undo()
    again = ingest_many(chunk)  # the next poll fetches them again
    assert {row.state for _uid, row in again} == {"processed"}
    assert Ticket.objects.count() == 3
