"""Reply trimming on real-shaped replies from Outlook, Gmail, Thunderbird and Apple Mail."""

from __future__ import annotations

import pytest

from okno.mail.quotes import trim_reply_html, trim_reply_text

TEXT_CASES = [
    # (id, reply, must keep, must drop)
    (
        "gmail_en_wrapped_attribution",
        "Works now.\n\nOn Fri, Apr 12, 2024 at 2:03 PM Okno Support <\nsupport@okno.test> wrote:\n\n"
        "> Please restart\n",
        "Works now.",
        "Please restart",
    ),
    (
        "gmail_ru",
        "Спасибо!\n\nпт, 12 апр. 2024 г. в 14:03, Поддержка <support@okno.test>:\n\n> Перезапустите\n",
        "Спасибо!",
        "Перезапустите",
    ),
    (
        "gmail_uk",
        "Дякую!\n\nпт, 12 квіт. 2024 р. о 14:03 Підтримка <support@okno.test> пише:\n> Старе\n",
        "Дякую!",
        "Старе",
    ),
    (
        "thunderbird_en",
        "Fixed.\n\nOn 12.04.2024 14:03, Okno Support wrote:\n> old\n",
        "Fixed.",
        "old",
    ),
    (
        "thunderbird_ru",
        "Исправлено.\n\n12.04.2024 14:03, Поддержка пишет:\n> старое\n",
        "Исправлено.",
        "старое",
    ),
    (
        "thunderbird_ru_napisal",
        "Ок.\n\n12.04.2024 14:03, Иван Петров написал:\n> старое\n",
        "Ок.",
        "старое",
    ),
    (
        "mailru_napisal_a",
        "Ок.\n\nПятница, 12 апреля 2024, 14:03 +03:00 от Поддержка <support@okno.test>:\n> старое\n",
        "Ок.",
        "старое",
    ),
    (
        "ukr_net_napysav",
        'Гаразд.\n\n12 квітня 2024, 14:03:00, від "Підтримка" <support@okno.test>:\n\n> старе\n',
        "Гаразд.",
        "старе",
    ),
    (
        "outlook_original_message",
        "Thanks.\n\n-----Original Message-----\nFrom: Support\nSent: Friday\nTo: John\n"
        "Subject: x\n\nold body\n",
        "Thanks.",
        "old body",
    ),
    (
        "outlook_ru_original_message",
        "Спасибо.\n\n-----Исходное сообщение-----\nОт: Поддержка\nОтправлено: 12 апреля\n\nстарое\n",
        "Спасибо.",
        "старое",
    ),
    (
        "outlook_underscores_en",
        "OK.\n\n________________________________\nFrom: Support <support@okno.test>\n"
        "Sent: Friday, April 12, 2024 2:03 PM\nTo: John\nSubject: RE: x\n\nold body\n",
        "OK.",
        "old body",
    ),
    (
        "outlook_header_block_ru",
        "Принято.\n\nОт: Поддержка <support@okno.test>\nОтправлено: 12 апреля 2024 г. 14:03\n"
        "Кому: Иван\nТема: RE: x\n\nстарое\n",
        "Принято.",
        "старое",
    ),
    (
        "outlook_header_block_uk",
        "Прийнято.\n\nВід: Підтримка <support@okno.test>\nНадіслано: 12 квітня 2024 р. 14:03\n"
        "Кому: Олена\nТема: RE: x\n\nстаре\n",
        "Прийнято.",
        "старе",
    ),
    (
        "outlook_new_date_block",
        "Ok.\n\nFrom: Support <support@okno.test>\nDate: Friday, 12 April 2024 at 14:03\n"
        "To: John\nSubject: x\n\nold\n",
        "Ok.",
        "old",
    ),
    (
        "gmail_bold_header_block",
        "Ok.\n\n*From:* Support <support@okno.test>\n*Sent:* Friday\n*To:* John\n\nold\n",
        "Ok.",
        "old",
    ),
    (
        "apple_mail_iphone_en",
        "Done.\n\nSent from my iPhone\n\n> On 12 Apr 2024, at 14:03, Support <s@okno.test> wrote:\n"
        ">\n> old\n",
        "Done.",
        "Sent from my iPhone",
    ),
    (
        "apple_mail_iphone_ru",
        "Готово.\n\nОтправлено с iPhone\n\n> 12 апр. 2024 г., в 14:03, Поддержка написал(а):\n> старое\n",
        "Готово.",
        "Отправлено с iPhone",
    ),
    ("iphone_uk", "Готово.\n\nНадіслано з iPhone\n", "Готово.", "iPhone"),
    ("outlook_mobile", "Yes.\n\nGet Outlook for Android\n", "Yes.", "Outlook"),
    (
        "signature_dash_dash_space",
        "Please check the scanner.\n\n-- \nJohn Smith\n+1 555 0100\n",
        "Please check the scanner.",
        "+1 555 0100",
    ),
    (
        "trailing_quote_only",
        "Agreed.\n\n> earlier text\n> more earlier text\n",
        "Agreed.",
        "earlier text",
    ),
    (
        "unknown_language_attribution",
        "Ok.\n\nLe 12 avr. 2024, Support a écrit :\n> ancien\n> texte\n",
        "Ok.",
        "ancien",
    ),
    (
        "crlf_line_endings",
        "Works.\r\n\r\nOn Fri, 12 Apr 2024, Support wrote:\r\n> old\r\n",
        "Works.",
        "old",
    ),
]


@pytest.mark.parametrize(
    ("reply", "keep", "drop"), [c[1:] for c in TEXT_CASES], ids=[c[0] for c in TEXT_CASES]
)
def test_trim_reply_text_strips_history(reply: str, keep: str, drop: str) -> None:
    trimmed = trim_reply_text(reply)
    assert keep in trimmed
    assert drop not in trimmed


def test_inline_replies_between_quotes_are_kept() -> None:
    reply = "> Is the printer on?\nYes.\n> Which model?\nHP 400.\n"
    trimmed = trim_reply_text(reply)
    assert "Yes." in trimmed and "HP 400." in trimmed


def test_all_quoted_reply_returns_original() -> None:
    reply = "On Fri, 12 Apr 2024, Support wrote:\n> everything is quoted\n"
    assert trim_reply_text(reply) == reply


def test_signature_only_reply_is_not_emptied() -> None:
    reply = "-- \nJohn Smith\n"
    assert trim_reply_text(reply).strip() == reply.strip()


def test_plain_text_without_markers_is_unchanged() -> None:
    reply = "From: the 3rd floor we see the outage too.\nPlease hurry."
    assert trim_reply_text(reply) == reply


def test_words_like_wrote_in_own_text_do_not_cut() -> None:
    reply = "As I wrote:\nthe VPN is down.\nOn Monday we agreed to restart it."
    assert trim_reply_text(reply) == reply


def test_forwarded_message_is_not_trimmed() -> None:
    reply = "FYI.\n\n---------- Forwarded message ---------\nFrom: A <a@example.com>\nDate: today\n"
    reply += "Subject: x\nTo: B\n\nThe forwarded content matters.\n"
    assert trim_reply_text(reply) == reply.rstrip()


@pytest.mark.parametrize(
    "marker",
    [
        "Begin forwarded message:",
        "-------- Пересылаемое сообщение --------",
        "Начало переадресованного сообщения:",
    ],
)
def test_forward_markers_stop_trimming(marker: str) -> None:
    reply = f"See below.\n\n{marker}\n\nFrom: A <a@example.com>\nDate: today\nTo: B\n\nBody.\n"
    assert "Body." in trim_reply_text(reply)


HTML_CASES = [
    (
        "gmail",
        '<div dir="ltr">New text</div><br><div class="gmail_quote"><div class="gmail_attr">On Fri'
        ' wrote:</div><blockquote class="gmail_quote">old</blockquote></div>',
    ),
    (
        "gmail_container",
        '<div dir="ltr">New text<br></div><div class="gmail_quote gmail_quote_container">old</div>',
    ),
    (
        "thunderbird",
        '<p>New text</p><div class="moz-cite-prefix">On 4/12/24 wrote:<br></div>'
        '<blockquote type="cite">old</blockquote>',
    ),
    ("apple_mail", '<div>New text</div><div><br><blockquote type="cite">old</blockquote></div>'),
    (
        "outlook_web",
        '<div>New text</div><div id="appendonsend"></div><hr style="display:inline-block">'
        '<div id="divRplyFwdMsg"><b>From:</b> x</div><div>old</div>',
    ),
    (
        "outlook_desktop_en",
        '<div class="WordSection1"><p class="MsoNormal">New text</p><div style="border:none;'
        'border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p><b>From:</b> x</p></div>'
        "<p>old</p></div>",
    ),
    (
        "outlook_2010_blue_border",
        '<p>New text</p><div style="border:none;border-top:solid #B5C4DF 1.0pt"><p><b>От:</b> x'
        "</p></div><p>old</p>",
    ),
    (
        "outlook_bold_labels_without_marker",
        "<div><p>New text</p><p><b>От:</b> Поддержка<br><b>Отправлено:</b> 12 апреля</p>"
        "<p>old</p></div>",
    ),
    (
        "original_message_text",
        "<div>New text</div><div>-----Original Message-----<br>From: x</div><div>old</div>",
    ),
    ("yahoo", '<div>New text</div><div class="yahoo_quoted">old</div>'),
    (
        "iphone_signature",
        '<div>New text</div><div><br><div dir="ltr">Sent from my iPhone</div><div>old</div>',
    ),
]


@pytest.mark.parametrize("markup", [c[1] for c in HTML_CASES], ids=[c[0] for c in HTML_CASES])
def test_trim_reply_html_cuts_at_client_markers(markup: str) -> None:
    trimmed = trim_reply_html(markup)
    assert "New text" in trimmed
    assert "old" not in trimmed


def test_trim_reply_html_closes_open_tags() -> None:
    markup = (
        '<html><body><div><p>New</p><blockquote type="cite">old</blockquote></div></body></html>'
    )
    assert trim_reply_html(markup) == "<html><body><div><p>New</p></div></body></html>"


def test_trim_reply_html_all_quoted_returns_original() -> None:
    markup = '<div class="gmail_quote">everything old</div>'
    assert trim_reply_html(markup) == markup


def test_trim_reply_html_without_markers_is_unchanged() -> None:
    markup = "<p>Hello <b>there</b></p><blockquote>a normal quote we wrote ourselves</blockquote>"
    assert trim_reply_html(markup) == markup


def test_trim_reply_html_survives_garbage() -> None:
    for markup in ("", "<", "<div", "<<>>", "</div></p>", "<p>unclosed <b>bold"):
        assert isinstance(trim_reply_html(markup), str)
