"""Unit behaviour of okno.mail.parse beyond the corpus: helpers, limits, stdlib test mail."""

from __future__ import annotations

import base64
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest

from okno.mail.parse import (
    InboundMessage,
    decode_bytes,
    decode_header_text,
    find_ticket_token,
    html_to_text,
    normalize_subject,
    parse_message,
    sanitize_html,
)


def test_pure_modules_do_not_import_django() -> None:
    code = (
        "import sys, okno.mail.parse, okno.mail.quotes, okno.mail.cli; "
        "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: Printer", "Printer"),
        ("RE: RE: Fwd: FW: Fw: printer", "printer"),
        ("AW: WG: SV: VS: tr: Drucker", "Drucker"),
        ("Re[2]: Re(3): Re^4: x", "x"),
        ("Ответ: Отв: Пересл: Переслано: Пересл.: принтер", "принтер"),
        ("Відп: Відповідь: принтер", "принтер"),
        ("FWD: [#123] Re: VPN", "VPN"),
        ("Re: VPN [#123]", "VPN"),
        ("[#1] [#2] x", "x"),
        ("Re :  spaced   out ", "spaced out"),
        ("Report: Q1", "Report: Q1"),
        ("Reply needed", "Reply needed"),
        ("Trello: board", "Trello: board"),
        ("", ""),
    ],
)
def test_normalize_subject(subject: str, expected: str) -> None:
    assert normalize_subject(subject) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: [#123] VPN", 123),
        ("[#7]", 7),
        ("VPN [#0042] again", 42),
        ("#123 VPN", None),
        ("[# 12] x", None),
        ("[#abc]", None),
        ("", None),
    ],
)
def test_find_ticket_token(subject: str, expected: int | None) -> None:
    assert find_ticket_token(subject) == expected


RU = "Съешь же ещё этих мягких французских булок, да выпей чаю."
UK = "Щастям б'єш жук їх глицю в фон й ґедзь пріч."


@pytest.mark.parametrize("actual", ["cp1251", "koi8-r", "cp866"])
@pytest.mark.parametrize("label", [None, "x-unknown", "iso-8859-1", "us-ascii", "utf-8"])
def test_decode_bytes_detects_cyrillic_under_wrong_labels(actual: str, label: str | None) -> None:
    text, note = decode_bytes(RU.encode(actual), label)
    assert text == RU
    assert note is not None


@pytest.mark.parametrize(("actual", "label"), [("cp1251", "koi8-r"), ("koi8-r", "windows-1251")])
def test_decode_bytes_overrides_wrong_cyrillic_label(actual: str, label: str) -> None:
    assert decode_bytes(RU.encode(actual), label)[0] == RU


def test_decode_bytes_ukrainian() -> None:
    assert decode_bytes(UK.encode("cp1251"), "koi8-r")[0] == UK
    assert decode_bytes(UK.encode("koi8-u"), None)[0] == UK
    assert decode_bytes(UK.encode(), "windows-1251")[0] == UK


def test_decode_bytes_believes_correct_labels() -> None:
    assert decode_bytes(RU.encode("koi8-r"), "KOI8-R") == (RU, None)
    assert decode_bytes("Grüße".encode("latin-1"), "iso-8859-1") == ("Grüße", None)
    assert decode_bytes("日本語".encode("shift_jis"), "shift_jis") == ("日本語", None)


def test_decode_bytes_latin_without_label() -> None:
    assert decode_bytes("Café crème brûlée".encode("cp1252"), None)[0] == "Café crème brûlée"


def test_decode_header_text_joins_split_multibyte_words() -> None:
    data = "Привет".encode()
    a, b = base64.b64encode(data[:5]).decode(), base64.b64encode(data[5:]).decode()
    assert decode_header_text(f"=?UTF-8?B?{a}?=\r\n =?UTF-8?B?{b}?=") == "Привет"


def test_decode_header_text_keeps_space_between_words_and_text() -> None:
    assert decode_header_text("Re: =?utf-8?Q?=D0=9F=D1=80=D0=B8?= there") == "Re: При there"
    assert decode_header_text("=?utf-8?q?a_b?= =?utf-8?q?c?=") == "a bc"


def test_html_to_text() -> None:
    markup = (
        "<html><head><style>p{}</style><title>T</title></head><body><h1>Title</h1>"
        "<p>One&nbsp;two &amp; three</p><blockquote>quoted<br>lines</blockquote>"
        "<pre>  keep\n  spacing</pre><table><tr><td>a</td><td>b</td></tr></table>"
        '<a href="https://example.com/x">link</a></body></html>'
    )
    text = html_to_text(markup)
    assert text.startswith("Title\n\nOne two & three")
    assert "> quoted\n> lines" in text
    assert "  keep\n  spacing" in text
    assert "a  b" in text
    assert "link <https://example.com/x>" in text
    assert "p{}" not in text and "T\n" not in text


def test_sanitize_html_keeps_quote_markers_and_cid_images() -> None:
    clean = sanitize_html(
        '<div class="gmail_quote evil">q</div><blockquote type="cite">c</blockquote>'
        '<div id="appendonsend"></div><div id="other">x</div><img src="cid:a@b">'
        '<a href="https://x.example" onclick="y()">l</a><form><input name="p"></form>'
    )
    assert 'class="gmail_quote"' in clean and "evil" not in clean
    assert 'type="cite"' in clean
    assert 'id="appendonsend"' in clean and 'id="other"' not in clean
    assert 'src="cid:a@b"' in clean
    assert 'rel="noopener noreferrer"' in clean and "onclick" not in clean
    assert "<input" not in clean and "<form" not in clean


def test_huge_attachment_is_parsed_quickly() -> None:
    payload = bytes(range(256)) * (5 * 1024 * 1024 // 256)
    encoded = base64.encodebytes(payload)
    raw = (
        b'From: a@example.com\nSubject: big\nContent-Type: multipart/mixed; boundary="b"\n\n'
        b"--b\nContent-Type: text/plain\n\nsee attachment\n--b\n"
        b'Content-Type: application/zip; name="dump.zip"\nContent-Transfer-Encoding: base64\n\n'
        + encoded
        + b"--b--\n"
    )
    began = time.perf_counter()
    msg = parse_message(raw)
    assert time.perf_counter() - began < 10
    assert msg.body_text == "see attachment"
    assert [(a.filename, a.size) for a in msg.attachments] == [("dump.zip", len(payload))]
    assert msg.attachments[0].data == payload


def test_deep_nesting_is_cut_off_with_a_problem() -> None:
    raw = b"From: a@example.com\n"
    inner = b"Content-Type: text/plain\n\ndeep\n"
    for i in range(60):
        b = f"b{i}".encode()
        inner = b"Content-Type: multipart/mixed; boundary=" + b + b"\n\n--" + b + b"\n" + inner
        inner += b"\n--" + b + b"--\n"
    msg = parse_message(raw + inner)
    assert "too many or too deeply nested parts" in msg.problems


def test_str_input_and_memoryview_are_accepted() -> None:
    assert parse_message("Subject: hi\n\nbody").subject == "hi"
    assert parse_message(memoryview(b"Subject: hi\n\nbody")).body_text == "body"


def test_is_automated_and_inline_images() -> None:
    msg = InboundMessage(is_bulk=True)
    assert msg.is_automated
    assert not InboundMessage().is_automated
    assert InboundMessage().inline_images == []


def _stdlib_email_data() -> Path | None:
    try:
        import test.test_email as pkg  # type: ignore[import-not-found]

        candidates = [Path(pkg.__file__).parent / "data"]
    except ImportError:
        candidates = []
    candidates.append(Path(sysconfig.get_path("stdlib")) / "test" / "test_email" / "data")
    return next((c for c in candidates if c.is_dir()), None)


STDLIB_DATA = _stdlib_email_data()
STDLIB_MSGS = sorted(STDLIB_DATA.glob("msg_*.txt")) if STDLIB_DATA else []


def test_cpython_email_test_messages_parse() -> None:
    if not STDLIB_MSGS:
        pytest.skip("CPython's test.test_email data is not installed (libpython3-testsuite)")
    assert len(STDLIB_MSGS) > 40
    for path in STDLIB_MSGS:
        msg = parse_message(path.read_bytes())
        assert isinstance(msg, InboundMessage), path.name
        assert not any(p.startswith("internal error") for p in msg.problems), (path, msg.problems)
        assert msg.body_text or msg.attachments or msg.subject or msg.problems, path.name
        for text in (msg.subject, msg.body_text, msg.body_html, msg.from_name):
            text.encode("utf-8")
