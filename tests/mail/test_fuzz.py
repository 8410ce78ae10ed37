"""Property tests: no input makes the parser or the trimmers raise."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from okno.mail.parse import decode_bytes, decode_header_text, normalize_subject, parse_message
from okno.mail.quotes import trim_reply_html, trim_reply_text

FAST = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _check(msg) -> None:
    assert not any(p.startswith("internal error") for p in msg.problems), msg.problems
    for text in (msg.subject, msg.body_text, msg.body_html, msg.from_name, msg.from_address):
        assert "\x00" not in text
        text.encode("utf-8")
    for att in msg.attachments:
        assert att.size == len(att.data)


@FAST
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_never_raise(raw: bytes) -> None:
    _check(parse_message(raw))


CHARSETS = ["utf-8", "koi8-r", "windows-1251", "cp866", "iso-8859-1", "x-unknown", "", "utf-16"]
CTES = ["7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "binary", "bogus"]
CTYPES = [
    "text/plain",
    "text/html",
    "text/calendar",
    "image/png",
    "application/ms-tnef",
    "message/rfc822",
    "message/delivery-status",
    "text/rfc822-headers",
    "multipart/mixed",
]
texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=120)
header_names = st.sampled_from(
    ["From", "To", "Cc", "Subject", "Date", "Message-ID", "References", "Auto-Submitted", "X"]
)


@st.composite
def leaf(draw) -> bytes:
    ctype = draw(st.sampled_from(CTYPES))
    charset = draw(st.sampled_from(CHARSETS))
    cte = draw(st.sampled_from(CTES))
    params = f"; charset={charset}" if charset else ""
    if draw(st.booleans()):
        params += f'; name="{draw(texts)}"'
    lines = [f"Content-Type: {ctype}{params}", f"Content-Transfer-Encoding: {cte}"]
    if draw(st.booleans()):
        lines.append(f"Content-Disposition: {draw(st.sampled_from(['inline', 'attachment', '']))}")
    if draw(st.booleans()):
        lines.append(f"Content-ID: <{draw(texts)}>")
    body = draw(texts).encode(charset if charset in {"koi8-r", "cp866"} else "utf-8", "replace")
    return (
        "\n".join(lines).encode("utf-8", "replace") + b"\n\n" + body + draw(st.binary(max_size=40))
    )


@st.composite
def message(draw, depth: int = 0) -> bytes:
    headers = [
        f"{draw(header_names)}: {draw(texts)}".encode("utf-8", "replace")
        for _ in range(draw(st.integers(0, 6)))
    ]
    if depth < 2 and draw(st.booleans()):
        boundary = draw(st.text(alphabet="abcXYZ0123-=_'()+,./:? ", min_size=0, max_size=20))
        subtype = draw(st.sampled_from(["mixed", "alternative", "related", "report", "signed"]))
        declared = draw(st.sampled_from([boundary, "", "other"]))
        headers.append(f'Content-Type: multipart/{subtype}; boundary="{declared}"'.encode())
        parts = draw(st.lists(st.one_of(leaf(), message(depth + 1)), max_size=4))
        b = boundary.encode()
        body = b"".join(b"--" + b + b"\n" + p + b"\n" for p in parts)
        if draw(st.booleans()):
            body += b"--" + b + b"--\n"
    else:
        body = draw(leaf())
    return b"\n".join(headers) + b"\n" + body


@FAST
@given(message())
def test_structured_messages_never_raise(raw: bytes) -> None:
    _check(parse_message(raw))


@FAST
@given(st.binary(max_size=400), st.sampled_from([*CHARSETS, None, "base64", "rot13", "ut\x00f"]))
def test_decode_bytes_always_returns_text(data: bytes, charset: str | None) -> None:
    text, _note = decode_bytes(data, charset)
    assert isinstance(text, str)


@FAST
@given(st.text(max_size=200))
def test_header_and_subject_helpers_never_raise(value: str) -> None:
    decode_header_text(value)
    decode_header_text("=?utf-8?B?" + value + "?= =?koi8-r?Q?" + value + "?=")
    normalize_subject(value)


@FAST
@given(st.text(max_size=400))
def test_trimmers_never_raise_and_never_empty_real_text(text: str) -> None:
    trimmed = trim_reply_text(text)
    if text.strip():
        assert trimmed.strip()
    html_trimmed = trim_reply_html(text)
    assert isinstance(html_trimmed, str)
