"""Against real servers: Dovecot (IMAP, POP3) for intake, aiosmtpd for outbound mail."""

from __future__ import annotations

import smtplib

import pytest

from okno.mail.inbound import poll
from okno.mail.models import InboundMessage, OutboundEmail
from okno.tickets.models import Article, Ticket, TicketEvent

from .conftest import free_port, make_mail

pytestmark = pytest.mark.django_db


def test_imap_poll_opens_tickets_threads_replies_and_marks_seen(
    dovecot, mailbox_for, requester, l1
):
    box = mailbox_for("imap")
    dovecot.append(
        box.username,
        [
            make_mail(subject="Printer jams", message_id="<p1@acme.test>"),
            make_mail(sender="bob@globex.test", subject="Need a monitor"),
        ],
    )
    result = poll(box)
    assert result.fetched == 2 and result.states == {"processed": 2}
    assert Ticket.objects.filter(channel="email").count() == 2
    assert dovecot.unseen(box.username) == []  # marked only after processing

    printer = Ticket.objects.get(title="Printer jams")
    dovecot.append(
        box.username,
        [make_mail(subject="Re: Printer jams", body="Tray 2 again", in_reply_to="<p1@acme.test>")],
    )
    assert poll(box).states == {"processed": 1}
    assert printer.articles.count() == 2
    assert printer.articles.last().body_text == "Tray 2 again"
    # Polling again finds nothing new and changes nothing.
    assert poll(box).fetched == 0
    assert Ticket.objects.count() == 2


def test_imap_message_seen_twice_is_one_ticket(dovecot, mailbox_for, requester, l1):
    box = mailbox_for("imap")
    raw = make_mail(subject="Dup", message_id="<dup@acme.test>")
    dovecot.append(box.username, [raw, raw])  # e.g. delivered twice by a relay
    assert poll(box).fetched == 2
    assert Ticket.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_imap_moves_processed_mail_to_a_folder(dovecot, mailbox_for, requester, l1):
    box = mailbox_for("imap", processed_folder="Okno")
    dovecot.append(box.username, [make_mail(subject="Move me")])
    poll(box)
    assert dovecot.count(box.username) == 0
    assert dovecot.count(box.username, folder="Okno") == 1


def test_pop3_poll_remembers_uids_or_deletes(dovecot, mailbox_for, requester, l1):
    keep = mailbox_for("pop3")
    dovecot.append(keep.username, [make_mail(subject="Over POP3")])
    assert poll(keep).states == {"processed": 1}
    assert poll(keep).fetched == 0  # known UID: skipped without refetching
    assert Ticket.objects.get().title == "Over POP3"
    row = InboundMessage.objects.get()
    assert row.source == "pop3" and row.uid

    delete = mailbox_for("pop3", delete_after_fetch=True)
    dovecot.append(delete.username, [make_mail(subject="Delete after")])
    assert poll(delete).states == {"processed": 1}
    assert dovecot.count(delete.username) == 0


def test_unreachable_server_is_reported_on_the_mailbox(dovecot, mailbox_for, run_tasks):
    # (A wrong password would do too, but makes Dovecot slow down every later login.)
    from okno.mail.models import Mailbox
    from okno.mail.tasks import poll_due_mailboxes

    box = mailbox_for("imap")
    box.port = free_port()
    box.save()
    poll_due_mailboxes.enqueue()
    run_tasks()  # the periodic job queues one poll job per mailbox
    run_tasks()
    box = Mailbox.objects.get(pk=box.pk)
    assert box.last_error and box.last_polled_at and box.lease_until is None


def test_periodic_job_polls_each_mailbox_in_its_own_job(
    dovecot, mailbox_for, requester, l1, run_tasks
):
    from django_tasks_db.models import DBTaskResult

    from okno.mail.tasks import poll_due_mailboxes

    first, second = mailbox_for("imap"), mailbox_for("pop3")
    dovecot.append(first.username, [make_mail(subject="One")])
    dovecot.append(second.username, [make_mail(subject="Two")])
    poll_due_mailboxes.enqueue()
    run_tasks()
    polls = DBTaskResult.objects.filter(task_path="okno.mail.tasks.poll_mailbox")
    assert polls.count() == 2
    run_tasks()
    assert set(Ticket.objects.values_list("title", flat=True)) == {"One", "Two"}
    # Not due again yet: the next tick queues nothing.
    poll_due_mailboxes.enqueue()
    run_tasks()
    assert polls.count() == 2


@pytest.mark.django_db(transaction=True)
def test_smtp_listener_stores_then_processes(reference_data, requester, l1):
    from okno.mail.inbound.smtpd import make_controller

    port = free_port()
    controller = make_controller("127.0.0.1", port)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail(requester.email, ["support@okno.test"], make_mail(subject="Piped in"))
    finally:
        controller.stop()
    row = InboundMessage.objects.get()
    assert row.source == "smtp" and row.state == "processed"
    assert row.ticket.title == "Piped in"


# --------------------------------------------------------------------------- outbound


def test_acknowledgement_threads_and_is_marked_automatic(
    smtp_sink, requester, l1, django_capture_on_commit_callbacks, run_tasks
):
    from okno.mail.actions import ingest

    with django_capture_on_commit_callbacks(execute=True):
        row = ingest(make_mail(subject="Scanner", message_id="<scan@acme.test>"))
    run_tasks()
    assert len(smtp_sink.messages) == 1
    ack = smtp_sink.messages[0]
    assert ack["To"] == requester.email
    assert f"[#{row.ticket_id}]" in ack["Subject"]
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == "<scan@acme.test>"
    assert "<scan@acme.test>" in ack["References"]
    assert ack["Message-ID"] == OutboundEmail.objects.get().message_id
    assert ack.get_content_type() == "multipart/alternative"  # text and HTML
    assert f"#{row.ticket_id}" in ack.get_body(("plain",)).get_content()
    assert f"#{row.ticket_id}" in ack.get_body(("html",)).get_content()

    # The requester answers our acknowledgement: it threads by our Message-ID alone.
    with django_capture_on_commit_callbacks(execute=True):
        reply = ingest(make_mail(subject="no token here", in_reply_to=ack["Message-ID"]))
    assert reply.ticket_id == row.ticket_id and reply.reason == "reply"


def test_agent_reply_goes_out_with_attachments_and_thread_headers(
    smtp_sink, requester, agent, l1, django_capture_on_commit_callbacks, run_tasks
):
    from okno.mail.actions import ingest
    from okno.tickets.actions import add_reply
    from okno.tickets.attachments import NewAttachment

    with django_capture_on_commit_callbacks(execute=True):
        row = ingest(make_mail(subject="Scanner", message_id="<scan2@acme.test>"))
    run_tasks()
    with django_capture_on_commit_callbacks(execute=True):
        add_reply(
            row.ticket,
            actor=agent,
            body="Install this driver.",
            attachments=[NewAttachment("driver.txt", b"driver v2\n")],
        )
    run_tasks()
    assert len(smtp_sink.messages) == 2
    answer = smtp_sink.messages[1]
    assert "Auto-Submitted" not in answer  # written by a person
    assert "Install this driver." in answer.get_body(("plain",)).get_content()
    assert "<p>Install this driver.</p>" in answer.get_body(("html",)).get_content()
    files = {part.get_filename(): part.get_content() for part in answer.iter_attachments()}
    assert {name: text.strip() for name, text in files.items()} == {"driver.txt": "driver v2"}
    ack_id = smtp_sink.messages[0]["Message-ID"]
    assert answer["References"].split()[0] == "<scan2@acme.test>"
    assert ack_id in answer["References"]


def test_resolution_notice_is_sent_and_automated_senders_get_nothing(
    smtp_sink, requester, agent, l1, django_capture_on_commit_callbacks, run_tasks
):
    from okno.mail.actions import ingest
    from okno.tickets.actions import change_status, default_status

    with django_capture_on_commit_callbacks(execute=True):
        row = ingest(make_mail(subject="Mouse"))
        ingest(make_mail(sender="noreply@globex.test", subject="Alert from a robot"))
    run_tasks()
    assert [m["To"] for m in smtp_sink.messages] == [requester.email]
    with django_capture_on_commit_callbacks(execute=True):
        change_status(row.ticket, actor=agent, status=default_status("resolved"))
    run_tasks()
    assert smtp_sink.messages[-1]["Auto-Submitted"] == "auto-generated"
    assert f"#{row.ticket_id}" in smtp_sink.messages[-1].get_body(("plain",)).get_content()
    assert f"#{row.ticket_id}" in smtp_sink.messages[-1].get_body(("html",)).get_content()


def test_acknowledgements_are_rate_limited_per_sender(
    smtp_sink, requester, l1, django_capture_on_commit_callbacks, run_tasks
):
    from okno.mail.actions import ingest
    from okno.mail.models import Mailbox

    box = Mailbox.objects.create(
        name="s", host="h", username="u", secret_env="X", ack_limit_per_hour=2
    )
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            ingest(make_mail(subject=f"Problem {n}"), mailbox=box)
    run_tasks()
    assert Ticket.objects.count() == 4
    assert len(smtp_sink.messages) == 2


def test_failed_send_is_retried_with_backoff_then_shown_on_the_ticket(
    requester, l1, settings, django_capture_on_commit_callbacks, run_tasks
):
    from django.template import Context, Template
    from django_tasks_db.models import DBTaskResult

    from okno.mail import outbound
    from okno.mail.actions import ingest

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 2
    with django_capture_on_commit_callbacks(execute=True):
        row = ingest(make_mail(subject="Keyboard"))
    run_tasks()
    email = OutboundEmail.objects.get()
    assert email.state == "failed" and email.attempts == 1 and email.next_attempt_at
    retry = DBTaskResult.objects.get(task_path="okno.mail.tasks.send_outbound_email")
    assert retry.run_after == email.next_attempt_at
    html = Template("{% load mail_tags %}{% mail_delivery ticket %}").render(
        Context({"ticket": row.ticket})
    )
    assert "Email not delivered" in html and "retrying" in html
    for _ in range(outbound.MAX_ATTEMPTS - 1):
        outbound.send_email(email.pk)
    email.refresh_from_db()
    assert email.attempts == outbound.MAX_ATTEMPTS and email.next_attempt_at is None
    event = TicketEvent.objects.get(ticket=row.ticket, kind="mail_failed")
    assert event.data["to"] == requester.email
    assert Article.objects.filter(ticket=row.ticket).count() == 1
    # Sending works again: the admin's "send again" succeeds and the warning disappears.
    outbound_ok = OutboundEmail.objects.filter(pk=email.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbound.send_email(email.pk) == "sent"
    assert outbound_ok.get().state == "sent"
    html = Template("{% load mail_tags %}{% mail_delivery ticket %}").render(
        Context({"ticket": row.ticket})
    )
    assert "Email not delivered" not in html


def test_acknowledgement_speaks_the_requesters_language(
    smtp_sink, requester, l1, django_capture_on_commit_callbacks, run_tasks
):
    from okno.mail.actions import ingest

    requester.language = "ru"
    requester.save()
    with django_capture_on_commit_callbacks(execute=True):
        ingest(make_mail(subject="Принтер"))
    run_tasks()
    assert (
        smtp_sink.messages[0]["Subject"].strip().startswith("Мы получили ваше обращение: Принтер")
    )


def test_bounce_of_our_mail_marks_it_undelivered_on_the_ticket(
    smtp_sink, requester, l1, django_capture_on_commit_callbacks, run_tasks
):
    from django.template import Context, Template

    from okno.mail.actions import ingest

    with django_capture_on_commit_callbacks(execute=True):
        row = ingest(make_mail(subject="Phone"))
    run_tasks()
    ack_id = smtp_sink.messages[0]["Message-ID"]
    bounce = (
        b"From: MAILER-DAEMON@acme.test\r\nTo: support@okno.test\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <b2@acme.test>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        b"--B\r\nContent-Type: text/plain\r\n\r\nMailbox full.\r\n"
        b"--B\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.2.2\r\n\r\n"
        b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        b"Message-ID: " + ack_id.encode() + b"\r\nSubject: x\r\n\r\n--B--\r\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert ingest(bounce).reason == "bounce"
    run_tasks()
    assert len(smtp_sink.messages) == 1  # nobody answers a bounce
    email = OutboundEmail.objects.get()
    assert email.state == "failed" and "Mailbox full" in email.error
    html = Template("{% load mail_tags %}{% mail_delivery ticket %}").render(
        Context({"ticket": row.ticket})
    )
    assert "Email not delivered" in html and "gave up" in html
    assert TicketEvent.objects.filter(ticket=row.ticket, kind="mail_bounced").exists()
