"""HTML notifications through a real SMTP server (aiosmtpd): both parts, escaping, inline images,
and replies to them from Gmail, Outlook and an unknown client threading back and trimming."""

from __future__ import annotations

import base64
import re
from email import message_from_bytes, policy

import pytest

from okno.mail.models import OutboundEmail
from okno.mail.parse import html_to_text, parse_message
from okno.mail.quotes import trim_reply_html, trim_reply_text
from okno.tickets.models import Article

from .conftest import make_mail

pytestmark = pytest.mark.django_db

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _open(requester, capture, run_tasks, subject="Scanner", message_id="<s1@acme.test>"):
    from okno.mail.actions import ingest

    with capture(execute=True):
        row = ingest(make_mail(subject=subject, message_id=message_id))
    run_tasks()
    return row


def _part(message, kind: str) -> str:
    """One body part's text with SMTP's CRLF line ends made LF again."""
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


def _alternative(message):
    """The multipart/alternative part: the message itself or the first part of multipart/mixed."""
    if message.get_content_type() == "multipart/alternative":
        return message
    return next(p for p in message.walk() if p.get_content_type() == "multipart/alternative")


def test_acknowledgement_has_a_text_and_an_html_part(
    smtp_sink, requester, l1, django_capture_on_commit_callbacks, run_tasks
):
    row = _open(requester, django_capture_on_commit_callbacks, run_tasks)
    ack = smtp_sink.messages[0]
    assert ack.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in ack.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    text = _part(ack, "plain")
    html = _part(ack, "html")
    assert text == OutboundEmail.objects.get().body_text.replace("\r\n", "\n")
    assert f"#{row.ticket_id}" in text and f"#{row.ticket_id}" in html
    assert f"/portal/tickets/{row.ticket_id}/" in html
    assert "<h1" in html and "Scanner</h1>" in html
    assert re.search(r"##- Please type your reply above this line -##", html)
    # Headers are what they were for the text-only mail.
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == "<s1@acme.test>"
    assert f"[#{row.ticket_id}]" in ack["Subject"]


def test_title_and_reply_text_are_escaped_in_the_html(
    smtp_sink, requester, agent, l1, django_capture_on_commit_callbacks, run_tasks
):
    from okno.tickets.actions import add_reply

    row = _open(
        requester, django_capture_on_commit_callbacks, run_tasks, subject="<script>x()</script>"
    )
    html = _part(smtp_sink.messages[0], "html")
    assert "<script" not in html
    assert "&lt;script&gt;x()&lt;/script&gt;" in html
    with django_capture_on_commit_callbacks(execute=True):
        add_reply(
            row.ticket,
            actor=agent,
            body='Use <b onclick="x()">this</b> driver:\nhttps://example.test/driver?a=1&b=2\n\nBye',
        )
    run_tasks()
    reply = _part(smtp_sink.messages[1], "html")
    assert "<b onclick" not in reply
    assert "&lt;b onclick=&quot;x()&quot;&gt;this&lt;/b&gt; driver:<br>" in reply
    assert '<a href="https://example.test/driver?a=1&amp;b=2"' in reply
    assert "<p>Bye</p>" in reply
    # The text part is the text, unescaped, as before.
    plain = _part(smtp_sink.messages[1], "plain")
    assert 'Use <b onclick="x()">this</b> driver:' in plain


def test_agent_html_reply_keeps_inline_image_and_attachment(
    smtp_sink, requester, agent, l1, django_capture_on_commit_callbacks, run_tasks
):
    from okno.tickets.actions import add_reply
    from okno.tickets.attachments import NewAttachment

    row = _open(requester, django_capture_on_commit_callbacks, run_tasks)
    with django_capture_on_commit_callbacks(execute=True):
        add_reply(
            row.ticket,
            actor=agent,
            body="See the screenshot.",
            body_html='<p>See the <b>screenshot</b>:</p><p><img src="cid:shot1@okno"></p>'
            "<script>alert(1)</script>",
            attachments=[
                NewAttachment("shot.png", PNG, content_id="shot1@okno"),
                NewAttachment("driver.txt", b"driver v2\n"),
            ],
        )
    run_tasks()
    answer = smtp_sink.messages[1]
    assert answer.get_content_type() == "multipart/mixed"
    alternative = _alternative(answer)
    plain, related = list(alternative.iter_parts())
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, image = list(related.iter_parts())
    html = html_part.get_content()
    assert "<b>screenshot</b>" in html and 'src="cid:shot1@okno"' in html
    assert "<script" not in html and "alert(1)" not in html
    assert image["Content-ID"] == "<shot1@okno>"
    assert image.get_content_type() == "image/png" and image.get_content() == PNG
    files = {p.get_filename(): p.get_content() for p in answer.iter_attachments()}
    assert {name: text.strip() for name, text in files.items()} == {"driver.txt": "driver v2"}


def test_inline_image_not_shown_by_the_html_goes_as_an_attachment(
    smtp_sink, requester, agent, l1, django_capture_on_commit_callbacks, run_tasks
):
    from okno.tickets.actions import add_reply
    from okno.tickets.attachments import NewAttachment

    row = _open(requester, django_capture_on_commit_callbacks, run_tasks)
    with django_capture_on_commit_callbacks(execute=True):
        add_reply(
            row.ticket,
            actor=agent,
            body="Screenshot attached.",
            attachments=[NewAttachment("shot.png", PNG, content_id="unused@okno")],
        )
    run_tasks()
    answer = smtp_sink.messages[1]
    assert not [p for p in answer.walk() if p.get_content_type() == "multipart/related"]
    assert [p.get_filename() for p in answer.iter_attachments()] == ["shot.png"]
    assert _alternative(answer).get_body(("html",)) is not None


def test_email_reply_from_an_agent_is_sent_without_its_quoted_history(
    smtp_sink, requester, agent, l1, django_capture_on_commit_callbacks, run_tasks
):
    from okno.tickets.actions import add_reply
    from okno.tickets.models import Channel

    row = _open(requester, django_capture_on_commit_callbacks, run_tasks)
    with django_capture_on_commit_callbacks(execute=True):
        add_reply(
            row.ticket,
            actor=agent,
            body="Reboot it.",
            body_html='<div>Reboot it.</div><div class="gmail_quote">On Mon, Rita wrote:'
            "<blockquote>secret old text</blockquote></div>",
            channel=Channel.EMAIL,
        )
    run_tasks()
    html = _part(smtp_sink.messages[1], "html")
    assert "Reboot it." in html and "secret old text" not in html


def test_status_and_resolution_notices_have_html(
    smtp_sink, requester, agent, l1, django_capture_on_commit_callbacks, run_tasks
):
    from okno.tickets.actions import change_status, default_status

    row = _open(requester, django_capture_on_commit_callbacks, run_tasks)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(row.ticket, actor=agent, status=default_status("waiting"))
    run_tasks()
    waiting = smtp_sink.messages[-1]
    label = str(row.ticket.__class__.objects.get(pk=row.ticket_id).status.requester_label)
    assert label in _part(waiting, "html")
    with django_capture_on_commit_callbacks(execute=True):
        change_status(row.ticket, actor=agent, status=default_status("resolved"))
    run_tasks()
    resolved = smtp_sink.messages[-1]
    assert resolved["Auto-Submitted"] == "auto-generated"
    html = _part(resolved, "html")
    text = _part(resolved, "plain")
    in_text = re.search(r"(https?://\S+/csat/rate/[^:]+):", text).group(1)
    assert f'href="{in_text}:' in html  # the same signed rating (its timestamp may differ)


def test_html_follows_the_requesters_language(
    smtp_sink, requester, l1, django_capture_on_commit_callbacks, run_tasks
):
    requester.language = "ru"
    requester.save()
    _open(requester, django_capture_on_commit_callbacks, run_tasks, subject="Принтер")
    html = _part(smtp_sink.messages[0], "html")
    assert '<html lang="ru">' in html
    assert "Здравствуйте" in html and "Принтер</h1>" in html


# --------------------------------------------------------------------------- replies to it


def _gmail_reply(ours, body: str) -> bytes:
    """What Gmail sends: the new text, then the attribution and our message quoted."""
    ours_html = _part(ours, "html")
    ours_text = _part(ours, "plain")
    quoted = "\n".join(f"> {line}" for line in ours_text.splitlines())
    html = (
        f'<div dir="ltr">{body}</div><br><div class="gmail_quote gmail_quote_container">'
        '<div dir="ltr" class="gmail_attr">On Mon, 4 Nov 2024 at 10:02, Okno Service Desk '
        "&lt;support@okno.localhost&gt; wrote:<br></div>"
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">'
        f"{ours_html}</blockquote></div>"
    )
    text = (
        f"{body}\n\nOn Mon, 4 Nov 2024 at 10:02, Okno Service Desk <support@okno.localhost> "
        f"wrote:\n\n{quoted}\n"
    )
    return make_mail(
        subject=f"Re: {ours['Subject']}", body=text, html=html, in_reply_to=ours["Message-ID"]
    )


def _outlook_reply(ours, body: str) -> bytes:
    """What Outlook sends: no '>' quoting, a header block, our HTML under divRplyFwdMsg;
    threaded here by the subject token alone (no In-Reply-To)."""
    ours_html = _part(ours, "html")
    header = (
        "From: Okno Service Desk <support@okno.localhost>\nSent: Monday, November 4, 2024 10:02"
        f"\nTo: Rita Requester <rita@acme.test>\nSubject: {ours['Subject']}\n"
    )
    html = (
        f'<html><body><div dir="ltr"><p>{body}</p></div><div id="appendonsend"></div>'
        '<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr">'
        '<font face="Calibri" style="font-size:11pt"><b>From:</b> Okno Service Desk '
        "&lt;support@okno.localhost&gt;<br><b>Sent:</b> Monday, November 4, 2024 10:02<br>"
        f"<b>Subject:</b> {ours['Subject']}</font><div>&nbsp;</div></div>{ours_html}</body></html>"
    )
    text = f"{body}\n\n{'_' * 32}\n{header}\n{html_to_text(ours_html)}\n"
    return make_mail(subject=f"RE: {ours['Subject']}", body=text, html=html)


def _unknown_client_reply(ours, body: str) -> bytes:
    """A client we know nothing about: no attribution, no quote marks, our HTML pasted below.
    Only Okno's own "reply above this line" marker can tell where the history starts."""
    ours_html = _part(ours, "html")
    inner = re.search(r"<body[^>]*>(.*)</body>", ours_html, re.S).group(1)
    html = f"<div>{body}</div><div><br></div>{inner}"
    text = f"{body}\n\n{html_to_text(ours_html)}\n"
    return make_mail(
        subject=f"Re: {ours['Subject']}", body=text, html=html, in_reply_to=ours["Message-ID"]
    )


@pytest.mark.parametrize("client", [_gmail_reply, _outlook_reply, _unknown_client_reply])
def test_reply_to_the_html_mail_threads_and_is_trimmed(
    client, smtp_sink, requester, l1, django_capture_on_commit_callbacks, run_tasks
):
    from okno.mail.actions import ingest

    row = _open(requester, django_capture_on_commit_callbacks, run_tasks)
    raw = client(smtp_sink.messages[0], "Thanks, the scanner works again.")
    parsed = parse_message(raw)
    assert trim_reply_text(parsed.body_text) == "Thanks, the scanner works again."
    trimmed_html = trim_reply_html(parsed.body_html)
    assert "Thanks, the scanner works again." in trimmed_html
    assert "Open your request" not in trimmed_html and "Hello" not in trimmed_html
    with django_capture_on_commit_callbacks(execute=True):
        reply = ingest(raw)
    assert reply.ticket_id == row.ticket_id and reply.reason == "reply"
    article = Article.objects.get(pk=reply.article_id)
    assert article.body_text == "Thanks, the scanner works again."


def test_marker_trims_plain_text_without_any_other_quote_marker():
    ours = make_mail(
        body="x",
        html="<body><div>##- Please type your reply above this line -##</div><p>Hello</p></body>",
    )
    html = message_from_bytes(ours, policy=policy.default).get_body(("html",)).get_content()
    text = f"Fine now\n\n{html_to_text(html)}"
    assert trim_reply_text(text) == "Fine now"
    # A line that merely mentions the brackets is not the marker.
    assert trim_reply_text("a ##- b\nc -## d") == "a ##- b\nc -## d"
