"""Write the email test corpus: `tests/mail/corpus/NAME.eml` + `NAME.expected.json`.

The messages are built byte by byte on purpose, so that koi8-r, windows-1251 and cp866 bodies
really are those bytes and the malformed ones are malformed exactly as mail servers break them.
Names, addresses and companies are invented. Expectations are written by hand here, never copied
from the parser's output. Run: `.venv/bin/python tests/mail/make_corpus.py` (commit the output).
"""

from __future__ import annotations

import base64
import json
import quopri
import shutil
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent / "corpus"
CASES: dict[str, tuple[bytes, dict[str, Any]]] = {}

NL = b"\n"


def b64(data: bytes) -> bytes:
    enc = base64.b64encode(data)
    return b"\n".join(enc[i : i + 76] for i in range(0, len(enc), 76))


def qp(data: bytes) -> bytes:
    return quopri.encodestring(data)


def ew(text: str, charset: str = "utf-8", enc: str = "B") -> str:
    data = text.encode(charset)
    if enc == "B":
        return f"=?{charset}?B?{base64.b64encode(data).decode()}?="
    q = "".join(
        chr(b) if b < 128 and chr(b).isalnum() else ("_" if b == 32 else f"={b:02X}") for b in data
    )
    return f"=?{charset}?Q?{q}?="


def head(*lines: str | bytes) -> bytes:
    return NL.join(x if isinstance(x, bytes) else x.encode("ascii") for x in lines)


def std(
    frm: str = "=?utf-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan.petrov@example.ru>",
    subject: str = "Test",
    to: str = "support@okno.test",
    msgid: str = "<m1@example.ru>",
    date: str = "Fri, 12 Apr 2024 14:03:00 +0300",
) -> list[str]:
    if not subject.isascii():
        subject = ew(subject)
    if not frm.isascii():
        display, _, addr = frm.partition("<")
        frm = f"{ew(display.strip())} <{addr}"
    return [
        f"From: {frm}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Date: {date}",
        f"Message-ID: {msgid}",
        "MIME-Version: 1.0",
    ]


def message(headers: list[str | bytes], body: bytes, crlf: bool = False) -> bytes:
    raw = head(*headers) + NL + NL + body
    return raw.replace(b"\n", b"\r\n") if crlf else raw


def part(ctype: str, body: bytes, *extra: str | bytes) -> bytes:
    return head(f"Content-Type: {ctype}", *extra) + NL + NL + body


def multipart(boundary: str, *parts: bytes, close: bool = True) -> bytes:
    b = boundary.encode()
    out = b"This is a multi-part message in MIME format.\n"
    for p in parts:
        out += b"\n--" + b + NL + p
    if close:
        out += b"\n--" + b + b"--\n"
    return out


FLAGS = ("is_auto_reply", "is_bounce", "is_bulk")


def case(name: str, raw: bytes, **expected: Any) -> None:
    flags = set(expected.pop("flags", ()))
    expected["flags"] = {f: f in flags for f in FLAGS}
    assert name not in CASES, name
    CASES[name] = (raw, expected)


def att(filename: str, content_type: str, size: int | None = None, **kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"filename": filename, "content_type": content_type}
    if size is not None:
        d["size"] = size
    d.update(kw)
    return d


IVAN = {"from_address": "ivan.petrov@example.ru", "from_name": "Иван Петров"}
RU_TEXT = 'Добрый день!\nНе работает принтер в бухгалтерии, выдаёт ошибку "Замятие бумаги".\n'
UK_TEXT = "Доброго дня!\nНе працює принтер у бухгалтерії: її ґанок, їжак, єнот і ґудзик.\n"
RU_SUBJ = "Не работает принтер"
UK_SUBJ = "Не працює принтер — ґудзик їжак"

# ----------------------------------------------------------------- Cyrillic charsets

case(
    "ru_koi8r_plain",
    message(
        [
            *std(f"{ew('Иван Петров', 'koi8-r')} <ivan.petrov@example.ru>", ew(RU_SUBJ, "koi8-r")),
            "Content-Type: text/plain; charset=koi8-r",
            "Content-Transfer-Encoding: 8bit",
        ],
        RU_TEXT.encode("koi8-r"),
    ),
    **IVAN,
    subject=RU_SUBJ,
    body_contains=["Не работает принтер в бухгалтерии", '"Замятие бумаги"'],
    attachments=[],
    no_problems=True,
    message_id="<m1@example.ru>",
    date="2024-04-12T14:03:00+03:00",
)
case(
    "ru_cp1251_qp",
    message(
        [
            *std(
                f'"{ew("Иван Петров", "windows-1251", "Q")}" <ivan.petrov@example.ru>',
                ew(RU_SUBJ, "windows-1251", "Q"),
            ),
            "Content-Type: text/plain; charset=windows-1251",
            "Content-Transfer-Encoding: quoted-printable",
        ],
        qp(RU_TEXT.encode("cp1251")),
        crlf=True,
    ),
    **IVAN,
    subject=RU_SUBJ,
    body_contains=["выдаёт ошибку"],
    no_problems=True,
)
case(
    "ru_cp866_base64",
    message(
        [
            *std(subject=ew(RU_SUBJ, "cp866")),
            "Content-Type: text/plain; charset=ibm866",
            "Content-Transfer-Encoding: base64",
        ],
        b64(RU_TEXT.encode("cp866")),
    ),
    **IVAN,
    subject=RU_SUBJ,
    body_contains=["Не работает принтер в бухгалтерии"],
    no_problems=True,
)
case(
    "ru_utf8_base64",
    message(
        [
            *std(f"{ew('Иван Петров')} <ivan.petrov@example.ru>", ew(RU_SUBJ)),
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
        ],
        b64(RU_TEXT.encode()),
        crlf=True,
    ),
    **IVAN,
    subject=RU_SUBJ,
    body_contains=["Добрый день!\nНе работает"],
    no_problems=True,
)
case(
    "uk_utf8_8bit",
    message(
        [
            *std(
                f"{ew('Олена Ґудзь')} <olena@example.ua>",
                ew(UK_SUBJ),
                msgid="<uk1@example.ua>",
            ),
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ],
        UK_TEXT.encode(),
    ),
    from_address="olena@example.ua",
    from_name="Олена Ґудзь",
    subject=UK_SUBJ,
    body_contains=["її ґанок, їжак, єнот і ґудзик"],
    no_problems=True,
)
case(
    "uk_cp1251_qp",
    message(
        [
            *std(f"{ew('Олена Ґудзь', 'windows-1251')} <olena@example.ua>", ew(UK_SUBJ, "cp1251")),
            "Content-Type: text/plain; charset=windows-1251",
            "Content-Transfer-Encoding: quoted-printable",
        ],
        qp(UK_TEXT.encode("cp1251")),
    ),
    from_address="olena@example.ua",
    from_name="Олена Ґудзь",
    subject=UK_SUBJ,
    body_contains=["її ґанок, їжак, єнот і ґудзик"],
    no_problems=True,
)
case(
    "uk_koi8u_8bit",
    message(
        [
            *std("olena@example.ua", ew(UK_SUBJ.replace("—", "-"), "koi8-u")),
            "Content-Type: text/plain; charset=koi8-u",
            "Content-Transfer-Encoding: 8bit",
        ],
        UK_TEXT.encode("koi8-u"),
    ),
    from_address="olena@example.ua",
    from_name="",
    subject=UK_SUBJ.replace("—", "-"),
    body_contains=["її ґанок, їжак, єнот і ґудзик"],
    no_problems=True,
)
case(
    "ru_utf8_alternative",
    message(
        [
            *std(f"{ew('Иван Петров')} <ivan.petrov@example.ru>", ew(RU_SUBJ)),
            'Content-Type: multipart/alternative; boundary="alt-1"',
        ],
        multipart(
            "alt-1",
            part("text/plain; charset=utf-8", RU_TEXT.encode(), "Content-Transfer-Encoding: 8bit"),
            part(
                "text/html; charset=utf-8",
                b64(f"<html><body><p>{RU_TEXT}</p></body></html>".encode()),
                "Content-Transfer-Encoding: base64",
            ),
        ),
    ),
    **IVAN,
    subject=RU_SUBJ,
    body_contains=["Не работает принтер"],
    html_contains=["<p>Добрый день!"],
    no_problems=True,
)

# ----------------------------------------------------------------- wrong charset labels

for label, name in (("koi8-r", "koi8r"), ("iso-8859-1", "latin1"), ("x-unknown", "xunknown")):
    case(
        f"wrong_label_cp1251_as_{name}",
        message(
            [*std(subject="Printer"), f"Content-Type: text/plain; charset={label}"],
            RU_TEXT.encode("cp1251"),
        ),
        **IVAN,
        subject="Printer",
        body_contains=["Не работает принтер в бухгалтерии"],
        problems_contain=["cp1251"],
    )
case(
    "wrong_label_none_8bit",
    message([*std(subject="Printer"), "Content-Type: text/plain"], RU_TEXT.encode("cp1251")),
    **IVAN,
    subject="Printer",
    body_contains=["выдаёт ошибку"],
    problems_contain=["cp1251"],
)
case(
    "wrong_label_utf8_as_cp1251",
    message(
        [*std(subject="Printer"), "Content-Type: text/plain; charset=windows-1251"],
        UK_TEXT.encode(),
    ),
    **IVAN,
    subject="Printer",
    body_contains=["її ґанок, їжак"],
    problems_contain=["utf-8"],
)
case(
    "wrong_label_koi8r_header_as_cp1251",
    message(
        [
            *std(
                subject="=?windows-1251?B?"
                + base64.b64encode(RU_SUBJ.encode("koi8-r")).decode()
                + "?="
            ),
            "Content-Type: text/plain; charset=utf-8",
        ],
        b"ok\n",
    ),
    **IVAN,
    subject=RU_SUBJ,
    problems_contain=["koi8-r"],
)
case(
    "raw_8bit_headers_utf8",
    message(
        [
            b"From: \xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd \xd0\x9f\xd0\xb5\xd1\x82\xd1\x80\xd0\xbe\xd0\xb2"
            b" <ivan.petrov@example.ru>",
            "To: support@okno.test",
            b"Subject: " + RU_SUBJ.encode(),
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ],
        RU_TEXT.encode(),
    ),
    **IVAN,
    subject=RU_SUBJ,
    body_contains=["Замятие бумаги"],
    problems_contain=["8-bit header"],
)
case(
    "raw_8bit_headers_cp1251",
    message(
        [
            b"From: " + "Иван Петров".encode("cp1251") + b" <ivan.petrov@example.ru>",
            "To: support@okno.test",
            b"Subject: " + RU_SUBJ.encode("cp1251"),
            "Content-Type: text/plain; charset=windows-1251",
        ],
        RU_TEXT.encode("cp1251"),
    ),
    **IVAN,
    subject=RU_SUBJ,
    body_contains=["Замятие бумаги"],
    problems_contain=["8-bit header"],
)
case(
    "unknown_charset_encoded_word",
    message(
        [
            *std(
                subject="=?x-unknown?B?"
                + base64.b64encode(RU_SUBJ.encode("cp1251")).decode()
                + "?="
            ),
            "Content-Type: text/plain; charset=us-ascii",
        ],
        b"plain ascii body\n",
    ),
    **IVAN,
    subject=RU_SUBJ,
    body_contains=["plain ascii body"],
    problems_contain=["x-unknown"],
)
split = "Заявка: не печатает принтер на третьем этаже".encode()
case(
    "encoded_words_split_multibyte",
    message(
        [
            *std(),
            "Subject: =?UTF-8?B?" + base64.b64encode(split[:13]).decode() + "?=",
            " =?UTF-8?B?" + base64.b64encode(split[13:40]).decode() + "?=",
            "\t=?utf-8?Q?" + "".join(f"={b:02X}" for b in split[40:]) + "?=",
            "Content-Type: text/plain; charset=utf-8",
        ],
        b"body\n",
    ).replace(b"Subject: Test\n", b""),
    **IVAN,
    subject="Заявка: не печатает принтер на третьем этаже",
    no_problems=True,
)
case(
    "encoded_word_mixed_with_plain",
    message(
        [
            *std(subject=f"Re: [#1042] {ew('Принтер')} on floor 3 {ew('снова')}"),
            "Content-Type: text/plain; charset=utf-8",
        ],
        b"ok\n",
    ),
    **IVAN,
    subject="Re: [#1042] Принтер on floor 3 снова",
    ticket_token=1042,
    normalized_subject="Принтер on floor 3 снова",
)

# ----------------------------------------------------------------- replies


def alt(text: str, markup: str, boundary: str = "alt-r") -> tuple[str, bytes]:
    return (
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        multipart(
            boundary,
            part(
                "text/plain; charset=utf-8", b64(text.encode()), "Content-Transfer-Encoding: base64"
            ),
            part(
                "text/html; charset=utf-8",
                b64(markup.encode()),
                "Content-Transfer-Encoding: base64",
            ),
        ),
    )


def reply(
    name: str,
    text: str,
    markup: str,
    new: str,
    old: str,
    subject: str = "RE: [#77] Printer",
    frm: str = "John Smith <john.smith@example.com>",
    **expected: Any,
) -> None:
    ctype, body = alt(text, markup)
    addr = frm.split("<")[1].rstrip(">")
    display = frm.split("<")[0].strip().strip('"')
    if not frm.isascii():
        frm = f"{ew(display)} <{addr}>"
    case(
        name,
        message(
            [
                *std(frm, subject, msgid=f"<{name}@x>"),
                "In-Reply-To: <ticket-77@okno.test>",
                "References: <ticket-77@okno.test>",
                ctype,
            ],
            body,
            crlf=True,
        ),
        from_address=addr,
        from_name=display,
        subject=subject,
        in_reply_to="<ticket-77@okno.test>",
        **{
            "body_contains": [new, old],
            "trimmed_contains": [new],
            "trimmed_not_contains": [old],
            "html_trimmed_contains": [new],
            "html_trimmed_not_contains": [old],
            **expected,
        },
    )


OLD = "Please restart the print spooler"
OLD_RU = "Перезапустите диспетчер печати"
OLD_UK = "Перезапустіть диспетчер друку"

reply(
    "outlook_reply_en",
    "Restarted it, still jammed.\n\nJohn\n\n________________________________\nFrom: Okno Support"
    " <support@okno.test>\nSent: Friday, April 12, 2024 2:03 PM\nTo: John Smith\nSubject: [#77]"
    f" Printer\n\n{OLD}.\n",
    '<html><body><div dir="ltr"><div>Restarted it, still jammed.</div><div>John</div></div>'
    '<hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr">'
    "<b>From:</b> Okno Support &lt;support@okno.test&gt;<br><b>Sent:</b> Friday, April 12, 2024"
    f" 2:03 PM<br></div><div>{OLD}.</div></body></html>",
    "Restarted it, still jammed.",
    OLD,
)
reply(
    "outlook_reply_ru",
    "Перезапустил, всё равно замятие.\n\nС уважением,\nИван\n\nОт: Окно Поддержка"
    " <support@okno.test>\nОтправлено: 12 апреля 2024 г. 14:03\nКому: Иван Петров\nТема: [#77]"
    f" Принтер\n\n{OLD_RU}.\n",
    '<html><head><style>p.MsoNormal{margin:0}</style></head><body lang="RU"><div class="WordSection1">'
    '<p class="MsoNormal">Перезапустил, всё равно замятие.<o:p></o:p></p><div><div style="border:none;'
    'border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>От:</b> Окно'
    " Поддержка<br><b>Отправлено:</b> 12 апреля 2024 г. 14:03</p></div></div>"
    f'<p class="MsoNormal">{OLD_RU}.</p></div></body></html>',
    "Перезапустил, всё равно замятие.",
    OLD_RU,
    subject="RE: [#77] Принтер",
    frm="Иван Петров <ivan.petrov@example.ru>",
)
reply(
    "outlook_reply_uk",
    "Перезапустив, все одно зам'ятання.\n\nВід: Окно Підтримка <support@okno.test>\nНадіслано:"
    f" 12 квітня 2024 р. 14:03\nКому: Олена\nТема: [#77] Принтер\n\n{OLD_UK}.\n",
    '<html><body><div>Перезапустив, все одно зам\'ятання.</div><div id="appendonsend"></div>'
    '<hr><div id="divRplyFwdMsg"><b>Від:</b> Окно Підтримка<br><b>Надіслано:</b> 12 квітня</div>'
    f"<div>{OLD_UK}.</div></body></html>",
    "Перезапустив, все одно зам'ятання.",
    OLD_UK,
    subject="RE: [#77] Принтер",
    frm="Олена Ґудзь <olena@example.ua>",
)
reply(
    "outlook_original_message_en",
    "Thanks, fixed.\n\n-----Original Message-----\nFrom: Okno Support [mailto:support@okno.test]"
    f"\nSent: Friday, April 12, 2024 2:03 PM\nTo: John Smith\nSubject: Printer\n\n{OLD}\n",
    "<html><body><p>Thanks, fixed.</p><p>-----Original Message-----<br>From: Okno Support<br>"
    f"Sent: Friday</p><p>{OLD}</p></body></html>",
    "Thanks, fixed.",
    OLD,
)
reply(
    "gmail_reply_en",
    "It works now, thank you!\n\nOn Fri, Apr 12, 2024 at 2:03 PM Okno Support <\n"
    f"support@okno.test> wrote:\n\n> {OLD}\n>\n",
    '<div dir="ltr">It works now, thank you!</div><br><div class="gmail_quote"><div dir="ltr" '
    'class="gmail_attr">On Fri, Apr 12, 2024 at 2:03 PM Okno Support &lt;<a href="mailto:support@'
    'okno.test">support@okno.test</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="'
    f'margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204)">{OLD}</blockquote></div>',
    "It works now, thank you!",
    OLD,
)
reply(
    "gmail_reply_ru",
    "Заработало, спасибо!\n\nпт, 12 апр. 2024 г. в 14:03, Окно Поддержка <support@okno.test>:\n\n"
    f"> {OLD_RU}\n",
    '<div dir="ltr">Заработало, спасибо!</div><br><div class="gmail_quote gmail_quote_container">'
    '<div dir="ltr" class="gmail_attr">пт, 12 апр. 2024 г. в 14:03, Окно Поддержка &lt;'
    f'support@okno.test&gt;:<br></div><blockquote class="gmail_quote">{OLD_RU}</blockquote></div>',
    "Заработало, спасибо!",
    OLD_RU,
    subject="Re: [#77] Принтер",
    frm="Иван Петров <ivan.petrov@example.ru>",
)
reply(
    "gmail_reply_uk",
    "Запрацювало, дякую!\n\nпт, 12 квіт. 2024 р. о 14:03 Окно Підтримка <support@okno.test>"
    f" пише:\n\n> {OLD_UK}\n",
    '<div dir="ltr">Запрацювало, дякую!</div><br><div class="gmail_quote"><div class="gmail_attr">'
    "пт, 12 квіт. 2024 р. о 14:03 Окно Підтримка пише:<br></div><blockquote "
    f'class="gmail_quote">{OLD_UK}</blockquote></div>',
    "Запрацювало, дякую!",
    OLD_UK,
    subject="Re: [#77] Принтер",
    frm="Олена Ґудзь <olena@example.ua>",
)
reply(
    "thunderbird_reply_en",
    f"Confirmed, the tray was misaligned.\n\nOn 4/12/24 14:03, Okno Support wrote:\n> {OLD}\n",
    '<html><body><p>Confirmed, the tray was misaligned.</p><div class="moz-cite-prefix">On'
    ' 4/12/24 14:03, Okno Support wrote:<br></div><blockquote type="cite" cite="mid:ticket-77@'
    f'okno.test">{OLD}</blockquote></body></html>',
    "Confirmed, the tray was misaligned.",
    OLD,
)
reply(
    "thunderbird_reply_ru",
    f"Подтверждаю, лоток стоял криво.\n\n12.04.2024 14:03, Окно Поддержка пишет:\n> {OLD_RU}\n",
    '<html><body><p>Подтверждаю, лоток стоял криво.</p><div class="moz-cite-prefix">12.04.2024'
    ' 14:03, Окно Поддержка пишет:<br></div><blockquote type="cite">'
    f"{OLD_RU}</blockquote></body></html>",
    "Подтверждаю, лоток стоял криво.",
    OLD_RU,
    subject="Re: [#77] Принтер",
    frm="Иван Петров <ivan.petrov@example.ru>",
)
reply(
    "apple_mail_reply_en",
    "Done, thanks.\n\nSent from my iPhone\n\n> On 12 Apr 2024, at 14:03, Okno Support"
    f" <support@okno.test> wrote:\n>\n> {OLD}\n",
    '<html><body dir="auto"><div>Done, thanks.</div><div><br><div dir="ltr">Sent from my iPhone'
    '</div><blockquote type="cite">On 12 Apr 2024, at 14:03, Okno Support wrote:<br><br>'
    f"{OLD}</blockquote></div></body></html>",
    "Done, thanks.",
    OLD,
    html_trimmed_not_contains=[OLD, "Sent from my iPhone"],
    trimmed_not_contains=[OLD, "Sent from my iPhone"],
)
reply(
    "apple_mail_reply_ru",
    "Готово, спасибо.\n\nОтправлено с iPhone\n\n> 12 апр. 2024 г., в 14:03, Окно Поддержка"
    f" <support@okno.test> написал(а):\n>\n> {OLD_RU}\n",
    '<html><body dir="auto"><div>Готово, спасибо.</div><div><br><div dir="ltr">Отправлено с '
    'iPhone</div><blockquote type="cite">12 апр. 2024 г., в 14:03 написал(а):<br><br>'
    f"{OLD_RU}</blockquote></div></body></html>",
    "Готово, спасибо.",
    OLD_RU,
    subject="Re: [#77] Принтер",
    frm="Иван Петров <ivan.petrov@example.ru>",
    trimmed_not_contains=[OLD_RU, "Отправлено с iPhone"],
)
reply(
    "signature_reply_en",
    "Please also check the scanner.\n\n-- \nJohn Smith\nIT, Example Corp\n+1 555 0100\n\n"
    f"On Fri, 12 Apr 2024 at 14:03, Okno Support <support@okno.test> wrote:\n> {OLD}\n",
    "<div>Please also check the scanner.</div><div><br></div><div>-- </div><div>John Smith</div>"
    f'<blockquote type="cite">{OLD}</blockquote>',
    "Please also check the scanner.",
    OLD,
    trimmed_not_contains=[OLD, "+1 555 0100"],
)
case(
    "threading_headers",
    message(
        [
            *std(subject="Re: [#123] VPN не подключается", msgid="<CAB+abc.123@mail.example.com>"),
            "In-Reply-To: <ticket-123-5@okno.test>",
            "References: <ticket-123@okno.test>",
            " <ticket-123-4@okno.test>\t<ticket-123-5@okno.test>",
            "Cc: Maria <maria@example.ru>, =?utf-8?B?0J/RkdGC0YA=?= <petr@example.ru>",
            "Reply-To: helpdesk-replies@example.ru",
            "Content-Type: text/plain; charset=utf-8",
        ],
        "Всё ещё не подключается.\n".encode(),
    ),
    **IVAN,
    subject="Re: [#123] VPN не подключается",
    message_id="<CAB+abc.123@mail.example.com>",
    in_reply_to="<ticket-123-5@okno.test>",
    references=["<ticket-123@okno.test>", "<ticket-123-4@okno.test>", "<ticket-123-5@okno.test>"],
    cc=["maria@example.ru", "petr@example.ru"],
    to=["support@okno.test"],
    ticket_token=123,
    normalized_subject="VPN не подключается",
    no_problems=True,
)
case(
    "subject_localized_prefixes",
    message(
        [
            *std(subject=ew("RE: AW: Ответ: Отв: Пересл.: Відп: FW: [#42] Нет доступа к 1С")),
            "Content-Type: text/plain; charset=utf-8",
        ],
        b"see subject\n",
    ),
    **IVAN,
    subject="RE: AW: Ответ: Отв: Пересл.: Відп: FW: [#42] Нет доступа к 1С",
    normalized_subject="Нет доступа к 1С",
    ticket_token=42,
)

# ----------------------------------------------------------------- forwards and calendars

case(
    "forward_inline_gmail",
    message(
        [*std(subject="Fwd: Счёт №15"), "Content-Type: text/plain; charset=utf-8"],
        (
            "Посмотрите, пожалуйста.\n\n---------- Forwarded message ---------\nFrom: Бухгалтерия"
            " <buh@example.ru>\nDate: Thu, 11 Apr 2024\nSubject: Счёт №15\nTo: Иван\n\nСчёт во"
            " вложении.\n"
        ).encode(),
    ),
    **IVAN,
    subject="Fwd: Счёт №15",
    body_contains=["Посмотрите, пожалуйста.", "Forwarded message", "Счёт во вложении."],
    normalized_subject="Счёт №15",
)
inner = message(
    [
        *std("Бухгалтерия <buh@example.ru>", ew("Счёт №15"), msgid="<inner-15@example.ru>"),
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ],
    "Счёт во вложении.\n".encode(),
)
case(
    "forward_as_attachment",
    message(
        [*std(subject="FW: Счёт"), 'Content-Type: multipart/mixed; boundary="fw"'],
        multipart(
            "fw",
            part("text/plain; charset=utf-8", "Пересылаю письмо.\n".encode()),
            part("message/rfc822", inner, "Content-Disposition: attachment"),
        ),
    ),
    **IVAN,
    subject="FW: Счёт",
    body_contains=["Пересылаю письмо."],
    body_not_contains=["Счёт во вложении"],
    attachments=[att("Счёт №15.eml", "message/rfc822")],
)
case(
    "forward_as_attachment_named",
    message(
        [*std(subject="FW: два письма"), 'Content-Type: multipart/mixed; boundary="fw2"'],
        multipart(
            "fw2",
            part("text/plain; charset=utf-8", "Два письма.\n".encode()),
            part(
                "message/rfc822", inner, 'Content-Disposition: attachment; filename="original.eml"'
            ),
            part("message/rfc822", inner.replace(b"inner-15", b"inner-16")),
        ),
    ),
    **IVAN,
    subject="FW: два письма",
    body_contains=["Два письма."],
    attachments=[att("original.eml", "message/rfc822"), att("Счёт №15.eml", "message/rfc822")],
)
ICS = (
    "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nPRODID:Microsoft Exchange Server 2010\r\nVERSION:2.0\r\n"
    "BEGIN:VEVENT\r\nSUMMARY;LANGUAGE=ru-RU:Планёрка ИТ\r\nDTSTART:20240415T070000Z\r\n"
    "DTEND:20240415T073000Z\r\nUID:040000008200E00074C5B7101A82E008\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()
case(
    "calendar_invite_outlook",
    message(
        [
            *std("Maria Ivanova <maria@example.ru>", ew("Планёрка ИТ")),
            'Content-Type: multipart/mixed; boundary="cal-mixed"',
        ],
        multipart(
            "cal-mixed",
            head('Content-Type: multipart/alternative; boundary="cal-alt"')
            + NL
            + NL
            + multipart(
                "cal-alt",
                part("text/plain; charset=utf-8", "Когда: 15 апреля 10:00\n".encode()),
                part("text/html; charset=utf-8", "<p>Когда: 15 апреля 10:00</p>".encode()),
                part(
                    'text/calendar; charset="utf-8"; method=REQUEST',
                    b64(ICS),
                    "Content-Transfer-Encoding: base64",
                ),
            ),
            part(
                'application/ics; name="invite.ics"',
                b64(ICS),
                'Content-Disposition: attachment; filename="invite.ics"',
                "Content-Transfer-Encoding: base64",
            ),
        ),
    ),
    from_address="maria@example.ru",
    from_name="Maria Ivanova",
    subject="Планёрка ИТ",
    body_contains=["Когда: 15 апреля 10:00"],
    attachments=[
        att("attachment-1.ics", "text/calendar", len(ICS)),
        att("invite.ics", "application/ics", len(ICS)),
    ],
    no_problems=True,
)
case(
    "calendar_only",
    message(
        [
            *std(subject="Invitation"),
            'Content-Type: text/calendar; method=REQUEST; name="meeting.ics"',
        ],
        ICS,
    ),
    **IVAN,
    subject="Invitation",
    body_text="",
    attachments=[att("meeting.ics", "text/calendar")],
)

# ----------------------------------------------------------------- bounces

ORIGINAL = message(
    [
        *std(
            "Okno Support <support@okno.test>",
            "[#77] Printer",
            "nobody@example.net",
            "<ticket-77-9@okno.test>",
        ),
        "Content-Type: text/plain; charset=utf-8",
    ],
    b"Your ticket was updated.\n",
)
DSN = (
    b"Reporting-MTA: dns; mx.example.net\nArrival-Date: Fri, 12 Apr 2024 14:03:05 +0300\n\n"
    b"Final-Recipient: rfc822; nobody@example.net\nOriginal-Recipient: rfc822;nobody@example.net\n"
    b"Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n"
)
case(
    "bounce_dsn_postfix",
    message(
        [
            *std(
                "MAILER-DAEMON@mx.example.net (Mail Delivery System)",
                "Undelivered Mail Returned to Sender",
                "support@okno.test",
                "<20240412110305.ABC@mx.example.net>",
            ),
            "Auto-Submitted: auto-replied",
            'Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-b"',
        ],
        multipart(
            "dsn-b",
            part(
                "text/plain; charset=us-ascii",
                b"This is the mail system at host mx.example.net.\n\n"
                b"I'm sorry to have to inform you that your message could not\nbe delivered.\n",
                "Content-Description: Notification",
            ),
            part("message/delivery-status", DSN, "Content-Description: Delivery report"),
            part("message/rfc822", ORIGINAL, "Content-Description: Undelivered Message"),
        ),
    ),
    from_address="MAILER-DAEMON@mx.example.net",
    from_name="Mail Delivery System",
    subject="Undelivered Mail Returned to Sender",
    body_contains=["could not\nbe delivered"],
    flags=["is_bounce", "is_auto_reply"],
    bounce_message_id="<ticket-77-9@okno.test>",
    attachments=[
        att("delivery-status.txt", "message/delivery-status"),
        att("[#77] Printer.eml", "message/rfc822"),
    ],
)
case(
    "bounce_dsn_headers_only",
    message(
        [
            *std(
                "Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
                "Delivery Status Notification (Failure)",
                "support@okno.test",
                "<dsn-2@google.com>",
            ),
            'Content-Type: multipart/report; boundary="0000dsn"; report-type=delivery-status',
        ],
        multipart(
            "0000dsn",
            head('Content-Type: multipart/related; boundary="0000rel"')
            + NL
            + NL
            + multipart(
                "0000rel",
                head('Content-Type: multipart/alternative; boundary="0000alt"')
                + NL
                + NL
                + multipart(
                    "0000alt",
                    part(
                        "text/plain; charset=UTF-8",
                        b"** Address not found **\n\nYour message wasn't delivered.\n",
                    ),
                    part(
                        "text/html; charset=UTF-8",
                        b"<p><b>Address not found</b></p><p>Your message wasn't delivered.</p>",
                    ),
                ),
                part(
                    'image/png; name="icon.png"',
                    b64(b"\x89PNG\r\n\x1a\nfake"),
                    "Content-Transfer-Encoding: base64",
                    "Content-ID: <icon.png>",
                    'Content-Disposition: inline; filename="icon.png"',
                ),
            ),
            part("message/delivery-status", DSN),
            part(
                "text/rfc822-headers",
                head(
                    *std(
                        "Okno Support <support@okno.test>",
                        "Re: [#5] VPN",
                        "gone@example.com",
                        "<ticket-5-2@okno.test>",
                    )
                )
                + NL,
            ),
        ),
    ),
    from_address="mailer-daemon@googlemail.com",
    from_name="Mail Delivery Subsystem",
    subject="Delivery Status Notification (Failure)",
    body_contains=["Address not found"],
    flags=["is_bounce"],
    bounce_message_id="<ticket-5-2@okno.test>",
    attachments=[
        att("icon.png", "image/png", 12, content_id="icon.png", inline=True),
        att("delivery-status.txt", "message/delivery-status"),
        att("original-headers.txt", "text/rfc822-headers"),
    ],
)
case(
    "bounce_qmail",
    message(
        [
            "Return-Path: <>",
            *std(
                "MAILER-DAEMON@mail.example.org",
                "failure notice",
                "support@okno.test",
                "<qmail-1@example.org>",
            ),
        ],
        b"Hi. This is the qmail-send program at mail.example.org.\nI'm afraid I wasn't able to deliver"
        b" your message to the following addresses.\nThis is a permanent error; I've given up. Sorry it"
        b" didn't work out.\n\n<nobody@example.org>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
        b"--- Below this line is a copy of the message.\n\nReturn-Path: <support@okno.test>\n"
        b"Received: (qmail 1234 invoked by uid 89); 12 Apr 2024 11:03:05 -0000\n"
        b"From: Okno Support <support@okno.test>\nSubject: [#88] Mouse\n"
        b"Message-ID: <ticket-88-1@okno.test>\n\nYour ticket was updated.\n",
    ),
    from_address="MAILER-DAEMON@mail.example.org",
    from_name="",
    subject="failure notice",
    body_contains=["qmail-send program", "no mailbox here"],
    flags=["is_bounce"],
    bounce_message_id="<ticket-88-1@okno.test>",
    attachments=[],
)
case(
    "bounce_exchange_ndr_ru",
    message(
        [
            *std(
                "postmaster@corp.example.ru",
                "Не удается доставить: [#91] Монитор",
                "support@okno.test",
                "<ndr-91@corp.example.ru>",
            ),
            'Content-Type: multipart/report; report-type=delivery-status; boundary="ndr"',
            "X-MS-Exchange-Message-Is-Ndr:",
        ],
        multipart(
            "ndr",
            part(
                'multipart/alternative; differences=Content-Type; boundary="ndr-alt"',
                multipart(
                    "ndr-alt",
                    part(
                        "text/plain; charset=utf-8",
                        "Не удалось доставить сообщение следующим"
                        " получателям или группам:\n\nsmirnov@corp.example.ru\n".encode(),
                        "Content-Transfer-Encoding: 8bit",
                    ),
                    part(
                        "text/html; charset=utf-8",
                        "<p><b>Не удалось доставить сообщение</b></p>".encode(),
                    ),
                ),
            ),
            part("message/delivery-status", DSN),
            part("message/rfc822", ORIGINAL.replace(b"ticket-77-9", b"ticket-91-3")),
        ),
    ),
    from_address="postmaster@corp.example.ru",
    from_name="",
    subject="Не удается доставить: [#91] Монитор",
    body_contains=["Не удалось доставить сообщение"],
    html_contains=["<b>Не удалось доставить сообщение</b>"],
    flags=["is_bounce"],
    bounce_message_id="<ticket-91-3@okno.test>",
)
case(
    "bounce_exim_failed_recipients",
    message(
        [
            "Return-path: <>",
            *std(
                "Mail Delivery System <Mailer-Daemon@mx2.example.com>",
                "Mail delivery failed: returning message to sender",
                "support@okno.test",
                "<E1abc@mx2>",
            ),
            "X-Failed-Recipients: old.user@example.com",
            "Auto-Submitted: auto-replied",
            "Content-Type: text/plain; charset=us-ascii",
        ],
        b"This message was created automatically by mail delivery software.\n\nA message that you sent"
        b" could not be delivered to one or more of its\nrecipients. This is a permanent error.\n\n"
        b"------ This is a copy of the message, including all the headers. ------\n\n"
        b"Message-Id: <ticket-12-1@okno.test>\nSubject: [#12] Disk\n\nbody\n",
    ),
    from_address="Mailer-Daemon@mx2.example.com",
    from_name="Mail Delivery System",
    subject="Mail delivery failed: returning message to sender",
    flags=["is_bounce", "is_auto_reply"],
    bounce_message_id="<ticket-12-1@okno.test>",
)

# ----------------------------------------------------------------- auto-replies and bulk

case(
    "autoreply_exchange_en",
    message(
        [
            *std("John Smith <john.smith@example.com>", "Automatic reply: [#77] Printer"),
            "Auto-Submitted: auto-replied",
            "X-Auto-Response-Suppress: All",
            "Content-Type: text/plain; charset=utf-8",
        ],
        b"I am out of the office until April 22 with no access to email.\n",
    ),
    from_address="john.smith@example.com",
    from_name="John Smith",
    subject="Automatic reply: [#77] Printer",
    body_contains=["out of the office"],
    flags=["is_auto_reply"],
    ticket_token=77,
)
case(
    "autoreply_yandex_x_autoreply",
    message(
        [
            *std(subject="Re: [#77] Принтер"),
            "X-Autoreply: yes",
            "Content-Type: text/plain; charset=utf-8",
        ],
        "Здравствуйте! Я в отпуске до 22 апреля.\n".encode(),
    ),
    **IVAN,
    subject="Re: [#77] Принтер",
    flags=["is_auto_reply"],
)
case(
    "autoreply_ooo_ru_subject_only",
    message(
        [*std(subject="Автоматический ответ: Принтер"), "Content-Type: text/plain; charset=koi8-r"],
        "Я в отпуске до 22 апреля. По срочным вопросам звоните Марии.\n".encode("koi8-r"),
    ),
    **IVAN,
    subject="Автоматический ответ: Принтер",
    body_contains=["Я в отпуске"],
    flags=["is_auto_reply"],
)
case(
    "autoreply_ooo_uk",
    message(
        [
            *std("Олена <olena@example.ua>", "Автоматична відповідь: Принтер"),
            "X-Autorespond: yes",
            "Content-Type: text/plain; charset=utf-8",
        ],
        "Я у відпустці до 22 квітня.\n".encode(),
    ),
    from_address="olena@example.ua",
    from_name="Олена",
    subject="Автоматична відповідь: Принтер",
    flags=["is_auto_reply"],
)
case(
    "auto_submitted_no",
    message(
        [*std(subject="Printer again"), "Auto-Submitted: no", "Content-Type: text/plain"],
        b"A human wrote this.\n",
    ),
    **IVAN,
    subject="Printer again",
    flags=[],
    no_problems=True,
)
case(
    "bulk_precedence_list",
    message(
        [
            *std("IT News <news@lists.example.com>", "Weekly digest"),
            "Precedence: bulk",
            "List-Id: IT News <itnews.lists.example.com>",
            "List-Unsubscribe: <mailto:unsub@lists.example.com>",
            "Content-Type: text/html; charset=utf-8",
        ],
        b"<html><body><h1>Digest</h1><p>Three new articles.</p></body></html>",
    ),
    from_address="news@lists.example.com",
    from_name="IT News",
    subject="Weekly digest",
    body_contains=["Digest\n\nThree new articles."],
    flags=["is_bulk"],
)
case(
    "bulk_precedence_junk",
    message([*std(subject="Offer"), "Precedence: junk", "Content-Type: text/plain"], b"Buy now.\n"),
    **IVAN,
    subject="Offer",
    flags=["is_bulk"],
)
case(
    "mdn_read_receipt",
    message(
        [
            *std("John Smith <john.smith@example.com>", "Read: [#77] Printer"),
            'Content-Type: multipart/report; report-type=disposition-notification; boundary="mdn"',
        ],
        multipart(
            "mdn",
            part("text/plain; charset=utf-8", b"Your message was read on Friday.\n"),
            part(
                "message/disposition-notification",
                b"Final-Recipient: rfc822;john.smith@example.com\nDisposition: manual-action/MDN-sent-manually; displayed\n",
            ),
        ),
    ),
    from_address="john.smith@example.com",
    from_name="John Smith",
    subject="Read: [#77] Printer",
    body_contains=["Your message was read"],
    flags=["is_auto_reply"],
)

# ----------------------------------------------------------------- malformed MIME

case(
    "malformed_missing_boundary_param",
    message(
        [*std(subject="No boundary"), "Content-Type: multipart/mixed"],
        b"--frontier\nContent-Type: text/plain; charset=utf-8\n\n"
        + "Текст письма без boundary.\n".encode()
        + b'--frontier\nContent-Type: application/pdf; name="act.pdf"\nContent-Transfer-Encoding: base64\n\n'
        + b64(b"%PDF-1.4 fake")
        + b"\n--frontier--\n",
    ),
    **IVAN,
    subject="No boundary",
    body_contains=["Текст письма без boundary."],
    attachments=[att("act.pdf", "application/pdf", 13)],
    problems_contain=["boundary"],
)
case(
    "malformed_missing_boundary_plain",
    message(
        [
            *std(subject="No boundary, no parts"),
            "Content-Type: multipart/alternative; charset=utf-8",
        ],
        "Просто текст, хотя заявлен multipart.\n".encode(),
    ),
    **IVAN,
    subject="No boundary, no parts",
    body_contains=["Просто текст, хотя заявлен multipart."],
    problems_contain=["boundary"],
)
case(
    "malformed_wrong_boundary",
    message(
        [*std(subject="Wrong boundary"), 'Content-Type: multipart/mixed; boundary="AAAA"'],
        multipart(
            "BBBB",
            part("text/plain; charset=utf-8", b"Body under another boundary.\n"),
            part('text/plain; name="log.txt"', b"log line\n", "Content-Disposition: attachment"),
        ),
    ),
    **IVAN,
    subject="Wrong boundary",
    body_contains=["Body under another boundary."],
    attachments=[att("log.txt", "text/plain", 9)],
    problems_contain=["boundary"],
)
case(
    "malformed_missing_close_boundary",
    message(
        [*std(subject="Truncated"), 'Content-Type: multipart/mixed; boundary="cut"'],
        multipart(
            "cut",
            part("text/plain; charset=utf-8", b"Visible text.\n"),
            part(
                'image/jpeg; name="photo.jpg"',
                b64(b"\xff\xd8\xff\xe0" + b"x" * 100),
                "Content-Transfer-Encoding: base64",
            ),
            close=False,
        ),
    ),
    **IVAN,
    subject="Truncated",
    body_contains=["Visible text."],
    attachments=[att("photo.jpg", "image/jpeg", 104)],
    problems_contain=["CloseBoundaryNotFoundDefect"],
)
case(
    "malformed_bad_base64",
    message(
        [
            *std(subject="Bad base64"),
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
        ],
        b"0J/RgNC40LLQtdGCLCDQvNC40YAh\n!!not base64 at all!!\n0J/RgNC4\n",
    ),
    **IVAN,
    subject="Bad base64",
    body_contains=["Привет, мир!"],
    problems_contain=["bad base64"],
)
case(
    "malformed_header_without_colon",
    b"Received: from mx.example.ru by okno.test\nSubject: Broken header\nThis line has no colon\n"
    b"From: =?utf-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan.petrov@example.ru>\nTo: support@okno.test\n"
    b"Content-Type: text/plain; charset=utf-8\n\nThe body survives.\n",
    **IVAN,
    subject="Broken header",
    body_contains=["The body survives."],
    body_not_contains=["no colon"],
    problems_contain=["header line without colon"],
)
case(
    "malformed_nul_bytes",
    message(
        [*std(subject="Nul"), "Content-Type: text/plain; charset=utf-8"],
        b"before\x00after\nline two\x00\n",
    ).replace(b"Subject: Nul", b"Subject: Nu\x00l"),
    **IVAN,
    subject="Nul",
    body_contains=["beforeafter\nline two"],
    problems_contain=["nul bytes"],
)
case(
    "malformed_from_without_brackets",
    message(
        [
            *std("Ivan Petrov ivan.petrov@example.ru", "Bad from"),
            "Date: yesterday at noon",
            "Content-Type: text/plain",
        ],
        b"hi\n",
    ).replace(b"Date: Fri, 12 Apr 2024 14:03:00 +0300\n", b""),
    from_address="ivan.petrov@example.ru",
    from_name="Ivan Petrov",
    subject="Bad from",
    problems_contain=["unparseable address header", "unparseable date"],
)
case(
    "malformed_no_from",
    b"To: support@okno.test\nSubject: Who am I\n\nanonymous\n",
    from_address="",
    from_name="",
    subject="Who am I",
    body_contains=["anonymous"],
    problems_contain=["no sender address"],
)
case(
    "malformed_unterminated_quote_params",
    message(
        [
            *std(subject="Quote"),
            'Content-Type: text/plain; charset="utf-8; format=flowed',
            'Content-Disposition: inline; filename="note.txt',
        ],
        "Текст.\n".encode(),
    ),
    **IVAN,
    subject="Quote",
    body_contains=["Текст."],
)
case(
    "malformed_empty",
    b"",
    from_address="",
    from_name="",
    subject="",
    body_text="",
    attachments=[],
    problems_contain=["empty message"],
)
case(
    "malformed_headers_only_cr",
    b"From: a@example.com\rSubject: CR only\rContent-Type: text/plain\r\rline1\rline2\r",
    from_address="a@example.com",
    from_name="",
    subject="CR only",
    body_contains=["line1\nline2"],
)
case(
    "malformed_8bit_in_ascii_part",
    message(
        [
            *std(subject="8bit"),
            "Content-Type: text/plain; charset=us-ascii",
            "Content-Transfer-Encoding: 7bit",
        ],
        RU_TEXT.encode("cp1251"),
    ),
    **IVAN,
    subject="8bit",
    body_contains=["Не работает принтер"],
    problems_contain=["cp1251"],
)
case(
    "flowed_text_thunderbird",
    message(
        [
            *std(subject="Flowed"),
            "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes",
        ],
        "Это очень длинная строка, которую почтовый  \nклиент разбил на части по правилам  \nRFC 3676.\n"
        "\n> цитата, тоже  \n> разбитая\n".encode(),
    ),
    **IVAN,
    subject="Flowed",
    body_contains=[
        "Это очень длинная строка, которую почтовый клиент разбил на части по правилам RFC 3676.",
        "> цитата, тоже разбитая",
    ],
)

# ----------------------------------------------------------------- attachments

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 4


def with_attachment(name: str, disposition: str, ctype: str, data: bytes, subject: str) -> bytes:
    return message(
        [*std(subject=subject), 'Content-Type: multipart/mixed; boundary="att"'],
        multipart(
            "att",
            part("text/plain; charset=utf-8", "Файл во вложении.\n".encode()),
            part(ctype, b64(data), disposition, "Content-Transfer-Encoding: base64"),
        ),
        crlf=True,
    )


case(
    "attachment_pdf",
    with_attachment(
        "",
        'Content-Disposition: attachment; filename="report-2024.pdf"',
        'application/pdf; name="report-2024.pdf"',
        PDF,
        "PDF",
    ),
    **IVAN,
    subject="PDF",
    body_contains=["Файл во вложении."],
    attachments=[att("report-2024.pdf", "application/pdf", len(PDF), inline=False)],
    no_problems=True,
)
case(
    "attachment_rfc2231_cyrillic",
    with_attachment(
        "",
        "Content-Disposition: attachment; filename*=utf-8''%D0%90%D0%BA%D1%82%20%E2%84%96%205.pdf",
        "application/pdf",
        PDF,
        "2231",
    ),
    **IVAN,
    subject="2231",
    attachments=[att("Акт № 5.pdf", "application/pdf", len(PDF))],
)
case(
    "attachment_rfc2231_continuation",
    with_attachment(
        "",
        "Content-Disposition: attachment;\n filename*0*=UTF-8''%D0%94%D0%BE%D0%B3%D0%BE"
        "%D0%B2%D0%BE%D1%80%20;\n filename*1*=%D0%BF%D0%BE%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B8"
        ";\n filename*2=.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        PDF,
        "cont",
    ),
    **IVAN,
    subject="cont",
    attachments=[
        att(
            "Договор поставки.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            len(PDF),
        )
    ],
)
case(
    "attachment_rfc2231_cp1251",
    with_attachment(
        "",
        "Content-Disposition: attachment; filename*=windows-1251''"
        + "".join(f"%{b:02X}" for b in "Счёт.xlsx".encode("cp1251")),
        "application/vnd.ms-excel",
        PDF,
        "cp1251 2231",
    ),
    **IVAN,
    subject="cp1251 2231",
    attachments=[att("Счёт.xlsx", "application/vnd.ms-excel", len(PDF))],
)
case(
    "attachment_rfc2047_filename",
    with_attachment(
        "",
        f'Content-Disposition: attachment; filename="{ew("Скриншот ошибки.png")}"',
        f'image/png; name="{ew("Скриншот ошибки.png")}"',
        b"\x89PNG\r\n\x1a\n" + PDF,
        "2047",
    ),
    **IVAN,
    subject="2047",
    attachments=[att("Скриншот ошибки.png", "image/png", len(PDF) + 8, inline=False)],
)
case(
    "attachment_rfc2047_split_filename",
    with_attachment(
        "",
        'Content-Disposition: attachment;\n filename="=?UTF-8?B?0J/RgNC+0YLQvtC60L7Qu9C7?=\n'
        ' =?UTF-8?B?INC/0YDQvtCy0LXRgNC60LgudHh0?="',
        "text/plain; charset=utf-8",
        "строка\n".encode(),
        "split name",
    ),
    **IVAN,
    subject="split name",
    body_contains=["Файл во вложении."],
    body_not_contains=["строка"],
    attachments=[att("Протоколл проверки.txt", "text/plain", 13)],
)
case(
    "attachment_raw_8bit_filename",
    with_attachment(
        "",
        b'Content-Disposition: attachment; filename="\xd0\xa1\xd0\xbc\xd0\xb5\xd1\x82'
        b'\xd0\xb0.xlsx"',
        "application/octet-stream",
        PDF,
        "raw name",
    ),
    **IVAN,
    subject="raw name",
    attachments=[att("Смета.xlsx", "application/octet-stream", len(PDF))],
)
case(
    "attachment_path_in_filename",
    with_attachment(
        "",
        'Content-Disposition: attachment; filename="C:\\\\Users\\\\ivan\\\\log.txt"',
        "application/octet-stream",
        b"log",
        "path",
    ),
    **IVAN,
    subject="path",
    attachments=[att("log.txt", "application/octet-stream", 3)],
)
TNEF = b"\x78\x9f\x3e\x22" + b"\x01\x00" + bytes(200)
case(
    "tnef_winmail_dat",
    with_attachment(
        "",
        'Content-Disposition: attachment; filename="winmail.dat"',
        'application/ms-tnef; name="winmail.dat"',
        TNEF,
        "TNEF",
    ),
    **IVAN,
    subject="TNEF",
    attachments=[att("winmail.dat", "application/ms-tnef", len(TNEF))],
    problems_contain=["winmail.dat"],
)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
case(
    "inline_image_related",
    message(
        [
            *std(subject="Скриншот"),
            'Content-Type: multipart/related; boundary="rel"; type="text/html"',
        ],
        multipart(
            "rel",
            part(
                "text/html; charset=utf-8",
                '<html><body><p>Вот ошибка:</p><img src="cid:image001.png@01DA8C" alt="ошибка"'
                ' width="300"></body></html>'.encode(),
            ),
            part(
                'image/png; name="image001.png"',
                b64(PNG),
                "Content-Transfer-Encoding: base64",
                "Content-ID: <image001.png@01DA8C>",
                'Content-Disposition: inline; filename="image001.png"',
            ),
        ),
    ),
    **IVAN,
    subject="Скриншот",
    body_contains=["Вот ошибка:"],
    html_contains=['src="cid:image001.png@01DA8C"'],
    attachments=[
        att("image001.png", "image/png", len(PNG), content_id="image001.png@01DA8C", inline=True)
    ],
    no_problems=True,
)
case(
    "inline_image_no_filename",
    message(
        [*std(subject="Pasted"), 'Content-Type: multipart/related; boundary="rel2"'],
        multipart(
            "rel2",
            head('Content-Type: multipart/alternative; boundary="alt2"')
            + NL
            + NL
            + multipart(
                "alt2",
                part("text/plain; charset=utf-8", b"See picture [image: pasted.png]\n"),
                part("text/html; charset=utf-8", b'<div>See picture <img src="cid:ii_lx1"></div>'),
            ),
            part(
                "image/jpeg",
                b64(b"\xff\xd8\xff" + bytes(50)),
                "Content-Transfer-Encoding: base64",
                "Content-ID: <ii_lx1>",
            ),
        ),
    ),
    **IVAN,
    subject="Pasted",
    body_contains=["See picture"],
    html_contains=['src="cid:ii_lx1"'],
    attachments=[att("attachment-1.jpg", "image/jpeg", 53, content_id="ii_lx1", inline=True)],
)
case(
    "html_only_sanitize",
    message(
        [
            *std(subject="HTML only"),
            "Content-Type: text/html; charset=windows-1251",
            "Content-Transfer-Encoding: quoted-printable",
        ],
        qp(
            "<html><head><title>Письмо</title><style>body{color:red}</style>"
            "<script>alert('head')</script></head><body onload=\"steal()\">"
            '<p onclick="evil()" style="color:red">Здравствуйте, <b>сломался</b> ноутбук.</p>'
            '<a href="javascript:alert(1)">click</a> <a href="https://example.ru/kb">База знаний</a>'
            '<iframe src="https://evil.example"></iframe><img src="x" onerror="alert(2)">'
            "<ul><li>Модель: X1</li><li>Инв. №: 1234</li></ul><script>alert('x')</script></body></html>".encode(
                "cp1251"
            )
        ),
    ),
    **IVAN,
    subject="HTML only",
    body_contains=[
        "Здравствуйте, сломался ноутбук.",
        "- Модель: X1",
        "База знаний <https://example.ru/kb>",
    ],
    body_not_contains=["alert", "color:red", "Письмо"],
    html_contains=["<b>сломался</b>", 'rel="noopener noreferrer"', "<li>Модель: X1</li>"],
    html_not_contains=[
        "<script",
        "onclick",
        "onerror",
        "onload",
        "javascript:",
        "<iframe",
        "<style",
        "color:red",
    ],
    no_problems=True,
)
case(
    "html_only_outlook_reply_ru",
    message(
        [*std(subject="RE: Принтер"), "Content-Type: text/html; charset=utf-8"],
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><!--[if gte mso 9]><xml>'
        '<o:shapedefaults/></xml><![endif]--></head><body><div class="WordSection1"><p class="MsoNormal">'
        'Спасибо, всё работает!<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p>'
        '<div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        '<p class="MsoNormal"><b>От:</b> Поддержка &lt;support@okno.test&gt;<br><b>Отправлено:</b>'
        " 12 апреля 2024 г. 14:03<br><b>Тема:</b> Принтер</p></div></div>"
        '<p class="MsoNormal">Перезапустите диспетчер печати.</p></div></body></html>'.encode(),
    ),
    **IVAN,
    subject="RE: Принтер",
    body_contains=["Спасибо, всё работает!", "От: Поддержка <support@okno.test>"],
    trimmed_contains=["Спасибо, всё работает!"],
    trimmed_not_contains=["Перезапустите"],
    html_trimmed_contains=["Спасибо, всё работает!"],
    html_trimmed_not_contains=["Перезапустите"],
)
case(
    "apple_mail_mixed_inline_parts",
    message(
        [
            *std("John Smith <john.smith@example.com>", "Photos"),
            'Content-Type: multipart/alternative; boundary="apple-alt"',
        ],
        multipart(
            "apple-alt",
            part("text/plain; charset=us-ascii", b"Before photo\n\nAfter photo\n"),
            head('Content-Type: multipart/mixed; boundary="apple-mixed"')
            + NL
            + NL
            + multipart(
                "apple-mixed",
                part("text/html; charset=us-ascii", b"<html><body><div>Before photo</div>"),
                part(
                    'image/jpeg; name="IMG_0001.jpeg"',
                    b64(b"\xff\xd8\xff" + bytes(20)),
                    "Content-Transfer-Encoding: base64",
                    'Content-Disposition: inline; filename="IMG_0001.jpeg"',
                    "Content-Id: <6A1B@apple>",
                ),
                part("text/html; charset=us-ascii", b"<div>After photo</div></body></html>"),
            ),
        ),
    ),
    from_address="john.smith@example.com",
    from_name="John Smith",
    subject="Photos",
    body_contains=["Before photo\n\nAfter photo"],
    html_contains=["Before photo", "After photo"],
    attachments=[att("IMG_0001.jpeg", "image/jpeg", 23, content_id="6A1B@apple", inline=True)],
)
case(
    "text_attachment_not_body",
    message(
        [*std(subject="Logs"), 'Content-Type: multipart/mixed; boundary="logs"'],
        multipart(
            "logs",
            part("text/plain; charset=utf-8", "Логи во вложении.\n".encode()),
            part(
                'text/plain; charset=utf-8; name="app.log"',
                "ERROR ошибка\n".encode(),
                'Content-Disposition: inline; filename="app.log"',
            ),
            part(
                'text/html; charset=utf-8; name="report.html"',
                b"<p>report</p>",
                'Content-Disposition: attachment; filename="report.html"',
            ),
        ),
    ),
    **IVAN,
    subject="Logs",
    body_contains=["Логи во вложении."],
    body_not_contains=["ERROR", "report"],
    attachments=[att("app.log", "text/plain", 19), att("report.html", "text/html", 13)],
)
case(
    "signed_smime",
    message(
        [
            *std(subject="Signed"),
            'Content-Type: multipart/signed; protocol="application/pkcs7-signature";'
            ' micalg=sha-256; boundary="sig"',
        ],
        multipart(
            "sig",
            part("text/plain; charset=utf-8", "Подписанное письмо.\n".encode()),
            part(
                'application/pkcs7-signature; name="smime.p7s"',
                b64(b"\x30\x82" + bytes(30)),
                "Content-Transfer-Encoding: base64",
                'Content-Disposition: attachment; filename="smime.p7s"',
            ),
        ),
    ),
    **IVAN,
    subject="Signed",
    body_contains=["Подписанное письмо."],
    attachments=[att("smime.p7s", "application/pkcs7-signature", 32)],
)
case(
    "mbox_from_line",
    b"From ivan.petrov@example.ru Fri Apr 12 14:03:00 2024\n"
    + message(
        [*std(subject="mbox"), "Content-Type: text/plain"], b">From the start of a line\nok\n"
    ),
    **IVAN,
    subject="mbox",
    body_contains=["ok"],
)
case(
    "uuencoded_attachment",
    message(
        [*std(subject="uu"), 'Content-Type: multipart/mixed; boundary="uu"'],
        multipart(
            "uu",
            part("text/plain", b"see file\n"),
            part(
                'application/octet-stream; name="a.bin"',
                b"begin 644 a.bin\n#86)C\n`\nend\n",
                "Content-Transfer-Encoding: x-uuencode",
                'Content-Disposition: attachment; filename="a.bin"',
            ),
        ),
    ),
    **IVAN,
    subject="uu",
    attachments=[att("a.bin", "application/octet-stream", 3)],
)


def main() -> None:
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    CORPUS.mkdir()
    for name, (raw, expected) in CASES.items():
        (CORPUS / f"{name}.eml").write_bytes(raw)
        text = json.dumps(expected, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        (CORPUS / f"{name}.expected.json").write_text(text, encoding="utf-8")
    print(f"wrote {len(CASES)} messages to {CORPUS}")


if __name__ == "__main__":
    main()
