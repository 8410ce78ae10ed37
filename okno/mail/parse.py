"""Raw inbound email bytes -> plain values for ticket intake.

Pure (no Django): the IMAP poller, the SMTP listener and `okno mail parse` all hand bytes here
and get an `InboundMessage` back. Real-world mail is often broken, so `parse_message` never
raises: it returns what it could read plus a list of `problems`, and the caller decides.
Headers are decoded by hand (lenient RFC 2047, 8-bit bytes, wrong charset labels) because the
stdlib's strict header objects raise or mangle exactly the messages a service desk receives.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import io
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.generator import BytesGenerator
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

import nh3

__all__ = [
    "Address",
    "Attachment",
    "InboundMessage",
    "decode_bytes",
    "decode_header_text",
    "find_ticket_token",
    "html_to_text",
    "normalize_subject",
    "parse_message",
    "sanitize_html",
]

MAX_DEPTH = 20
MAX_PARTS = 500
MAX_HTML_TAGS = 15_000

if TYPE_CHECKING:
    _Msg = Message[str, str]
else:
    _Msg = Message


@dataclass(frozen=True, slots=True)
class Address:
    address: str
    name: str = ""


@dataclass(slots=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    content_id: str | None = None
    inline: bool = False
    data: bytes = field(default=b"", repr=False)


@dataclass(slots=True)
class InboundMessage:
    from_address: str = ""
    from_name: str = ""
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    reply_to: list[Address] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    is_auto_reply: bool = False
    is_bounce: bool = False
    is_bulk: bool = False
    bounce_message_id: str | None = None
    body_text: str = ""
    body_html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def is_automated(self) -> bool:
        """True for anything a ticket system must not answer (mail-loop protection)."""
        return self.is_auto_reply or self.is_bounce or self.is_bulk

    @property
    def inline_images(self) -> list[Attachment]:
        return [a for a in self.attachments if a.inline and a.content_type.startswith("image/")]


# --------------------------------------------------------------------------- charsets

_ALIASES: dict[str, str | None] = {
    **dict.fromkeys(["x-unknown", "unknown", "unknown-8bit", "x-user-defined", "default"]),
    **dict.fromkeys(["utf8", "utf-8-sig", "x-utf-8", "unicode-1-1-utf-8"], "utf-8"),
    **dict.fromkeys(["win-1251", "windows1251", "x-cp1251", "cp-1251", "win1251"], "cp1251"),
    **dict.fromkeys(["koi8r", "koi8", "x-koi8-r"], "koi8-r"),
    **dict.fromkeys(["x-cp866", "dos-866", "ibm-866", "cp-866"], "cp866"),
    **dict.fromkeys(["iso-8859-1", "latin1", "latin-1", "l1"], "cp1252"),  # WHATWG rule
    **dict.fromkeys(["gb2312", "gbk", "x-gbk"], "gb18030"),
    "koi8-ru": "koi8-u",
    "x-mac-cyrillic": "mac-cyrillic",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso8859-8",
    "ansi_x3.4-1968": "ascii",
}
# Labels that are often wrong: single-byte codecs decode anything, so we double-check them.
_SUSPECT = {
    codecs.lookup(name).name
    for name in [
        "ascii",
        "cp1252",
        "latin-1",
        "iso8859-5",
        "iso8859-15",
        "koi8-r",
        "koi8-u",
        "cp1251",
        "cp866",
        "mac-cyrillic",
        "utf-8",
    ]
}
_CANDIDATES = ("cp1251", "koi8-r", "koi8-u", "cp866", "cp1252")
_WORD = re.compile(r"[^\W\d_]+")
_CYR_WORD = re.compile(r"[\u0400-\u04ff]+")
_NOISE = re.compile(r"[^\x00-\x7f\w\s«»—–№“”„‘’…©®°±§·•€¤¦¬\u00ad]|[\x80-\x9f\ufffd]")


def _codec(label: str | None) -> str | None:
    """Map a MIME charset label to a Python codec name, or None if unknown."""
    if not label:
        return None
    key = re.split(r"[;\s]", label.strip().strip("\"'").lower(), maxsplit=1)[0]
    try:
        name = codecs.lookup(_ALIASES.get(key, key) or "").name
    except (LookupError, ValueError):
        return None
    if name in {"base64", "hex", "zlib", "bz2", "rot-13", "uu", "quopri"}:
        return None  # bytes-to-bytes codecs are not charsets
    return name


def _score(text: str) -> int:
    """How much `text` looks like real language; wrong Cyrillic decodings mix case and symbols."""
    score = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        n = len(word)
        if _CYR_WORD.fullmatch(word):
            if word.islower() or word.isupper() or word.istitle():
                score += 2 * n
            else:
                score -= 2 * n
        elif _CYR_WORD.search(word):
            score -= 2 * n  # Cyrillic glued to Latin letters: a wrong guess
        else:
            ascii_letters = sum(1 for c in word if c < "\x80")
            score += n - ascii_letters if ascii_letters * 2 >= n else -n
    return score - 3 * len(_NOISE.findall(text))


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str | None]:
    """Decode text whose charset label may be missing, unknown or wrong.

    Order: the declared charset (via aliases), then Cyrillic detection (cp1251/koi8-r/cp866)
    when the label is a suspect single-byte one or fails, then UTF-8 with replacement.
    Returns the text and a problem note (None when the label was believed).
    """
    codec = _codec(declared)
    if data.isascii() and codec not in {"utf-7", "utf-16", "utf-32"}:
        return data.decode("ascii"), None
    note: str | None = None
    if declared and codec is None:
        note = f"unknown charset {declared.strip()[:40]!r}"
    if codec is not None and codec not in _SUSPECT:
        try:
            return data.decode(codec), None
        except (UnicodeDecodeError, LookupError):
            note = f"text is not valid {declared}"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if codec in {None, "utf-8", "ascii"}:
            return text, note
        return text, f"charset {declared} is really utf-8"
    sample = data[:4096]
    best_codec, best_score = "", -(10**9)
    declared_score: int | None = None
    for cand in _CANDIDATES:
        cand_score = _score(sample.decode(cand, "replace"))
        if cand == codec:
            declared_score = cand_score
        if cand_score > best_score:
            best_codec, best_score = cand, cand_score
    if codec in _SUSPECT and codec not in {"utf-8", "ascii"}:
        if declared_score is None:
            declared_score = _score(sample.decode(codec or "ascii", "replace"))
        if declared_score >= best_score:
            return data.decode(codec or "ascii", "replace"), None
    if best_score > 0:
        if declared:
            return data.decode(best_codec, "replace"), f"charset {declared} is really {best_codec}"
        return data.decode(best_codec, "replace"), note or f"no charset, guessed {best_codec}"
    return data.decode("utf-8", "replace"), note or "undecodable text, used utf-8 with replacement"


# --------------------------------------------------------------------------- headers

_EW = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?\r\n]*)\?=")
_FOLD = re.compile(r"\r?\n(?=[ \t])|\r(?=[ \t])")
_SURROGATES = re.compile(r"[\udc80-\udcff]")
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _b64(text: str) -> bytes:
    text = re.sub(r"[^A-Za-z0-9+/]", "", text)
    if len(text) % 4 == 1:
        text = text[:-1]
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return b""


def _unbyte(value: str, problems: list[str] | None = None) -> str:
    """Undo the surrogateescape the byte parser uses for raw 8-bit header bytes."""
    if not _SURROGATES.search(value):
        return value
    text, _note = decode_bytes(value.encode("utf-8", "surrogateescape"))
    if problems is not None:
        problems.append("8-bit header")
    return text


def decode_header_text(value: str, problems: list[str] | None = None) -> str:
    """Unfold and decode a header value: raw 8-bit bytes and lenient RFC 2047 encoded words.

    Adjacent encoded words in one charset are joined as bytes before decoding, so a UTF-8
    character split across two words (and two lines) survives.
    """
    value = _unbyte(_FOLD.sub("", value), problems)
    if "=?" not in value:
        return _CTRL.sub("", value).replace("\r", "").replace("\n", "")
    out: list[str] = []
    pos = 0
    pending = bytearray()
    pending_cs: str | None = None

    def flush() -> None:
        nonlocal pending_cs
        if pending_cs is not None:
            text, note = decode_bytes(bytes(pending), pending_cs)
            if note and problems is not None:
                problems.append(f"header: {note}")
            out.append(text)
        pending.clear()
        pending_cs = None

    for m in _EW.finditer(value):
        between = value[pos : m.start()]
        if pending_cs is None or between.strip():
            flush()
            out.append(between)
        charset = m[1].split("*", 1)[0].lower()
        raw = m[3]
        if m[2] in "Bb":
            data = _b64(raw)
        else:
            data = binascii.a2b_qp(raw.encode("utf-8", "replace"), header=True)
        if charset != pending_cs:
            flush()
            pending_cs = charset
        pending.extend(data)
        pos = m.end()
    flush()
    out.append(value[pos:])
    return _CTRL.sub("", "".join(out)).replace("\r", "").replace("\n", "")


_ADDR_SPEC = re.compile(r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def _addresses(values: list[str], problems: list[str]) -> list[Address]:
    result: list[Address] = []
    for raw in values:
        value = _unbyte(_FOLD.sub("", raw), problems).replace("\r", " ").replace("\n", " ")
        try:
            pairs = getaddresses([value])
        except Exception:
            pairs = []
        found = False
        for name, addr in pairs:
            addr = addr.strip().strip("<>").strip()
            if not addr or " " in addr:
                continue
            found = True
            name = decode_header_text(name, problems).strip().strip("\"'").strip()
            result.append(Address(addr.replace("\x00", ""), name.replace("\x00", "")))
        if not found:
            specs = _ADDR_SPEC.findall(value)
            if specs:
                problems.append("unparseable address header")
                name = ""
                if len(specs) == 1:
                    name = decode_header_text(value.replace(specs[0], ""), problems)
                    name = name.strip(" \t<>\"'()[],;:")
                result.extend(Address(spec, name) for spec in specs)
    return result


_BAD_B64 = re.compile(r"[^A-Za-z0-9+/=\s]")
_MSGID = re.compile(r"<([^<>\s]+)>")


def _msgids(value: str) -> list[str]:
    ids = [f"<{m}>" for m in _MSGID.findall(value)]
    if not ids:
        ids = [f"<{t.strip('<>')}>" for t in value.split() if "@" in t]
    return ids


# --------------------------------------------------------------------------- subjects

_SUBJECT_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|fwd?|fw|wg|tr|rv|antw|ответ|отв|пересл(?:ано)?|відп(?:овідь)?)"
    r"\s*\.?\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]|\[#\d+\])\s*",
    re.IGNORECASE,
)
_TICKET_TOKEN = re.compile(r"\[#(\d{1,12})\]")


def normalize_subject(subject: str) -> str:
    """Strip localized reply/forward prefixes and ticket tokens, for matching and display."""
    text = _TICKET_TOKEN.sub(" ", subject)
    while True:
        stripped = _SUBJECT_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return " ".join(text.split())


def find_ticket_token(subject: str) -> int | None:
    """The ticket number in a `[#123]` token, if the subject carries one."""
    m = _TICKET_TOKEN.search(subject)
    return int(m[1]) if m else None


# --------------------------------------------------------------------------- HTML

_BLOCK = {
    "address", "article", "aside", "center", "dd", "div", "dl", "dt", "figure", "footer", "form",
    "header", "hr", "li", "main", "nav", "ol", "section", "table", "tr", "ul",
}  # fmt: skip
_PARA = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table"}
_SKIP = {"script", "style", "head", "title", "template", "noscript", "xml", "svg"}


class _TextMaker(HTMLParser):
    """HTML -> readable plain text; blockquotes become `> ` lines so quote trimming still works."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.depth = 0
        self.line_depth = 0
        self.skip = 0
        self.pre = 0
        self.href: list[str | None] = []
        self.link_text: list[str] = []

    def _flush(self) -> None:
        text = "".join(self.cur).rstrip()
        if text:
            self.lines.append("> " * self.line_depth + text)
        self.cur = []

    def _break(self, blank: bool = False) -> None:
        self._flush()
        if blank and self.lines and self.lines[-1].strip("> "):
            self.lines.append("> " * self.depth)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            if not self.cur:
                self.line_depth = self.depth
            self._flush() if self.cur else self.lines.append("> " * self.depth)
        elif tag in _PARA or tag in _BLOCK:
            self._break(blank=tag in _PARA)
            if tag == "blockquote":
                self.depth += 1
            elif tag == "pre":
                self.pre += 1
            elif tag == "li":
                self._text("- ")
        elif tag in {"td", "th"}:
            if self.cur:
                self.cur.append("  ")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.link_text.append("")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt and alt.strip():
                self._text(f"[{alt.strip()}]")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _PARA or tag in _BLOCK:
            self._flush()
            if tag == "blockquote":
                self.depth = max(0, self.depth - 1)
            self._break(blank=tag in _PARA)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag == "a" and self.href:
            href = self.href.pop() or ""
            label = self.link_text.pop().strip()
            if href.startswith(("http:", "https:")) and href.rstrip("/") != label.rstrip("/"):
                self._text(f" <{href}>")

    def _text(self, data: str) -> None:
        if not self.cur:
            self.line_depth = self.depth
        self.cur.append(data)
        if self.link_text:
            self.link_text[-1] += data

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        data = data.replace("\xa0", " ")
        if self.pre:
            parts = data.split("\n")
            for i, part in enumerate(parts):
                if i:
                    self._flush()
                if part:
                    self._text(part)
            return
        data = re.sub(r"\s+", " ", data)
        if not self.cur or self.cur[-1].endswith(" "):
            data = data.lstrip()
        if data:
            self._text(data)


def html_to_text(markup: str) -> str:
    """Readable plain text from HTML (for HTML-only mail and search indexing)."""
    maker = _TextMaker()
    try:
        maker.feed(markup)
        maker.close()
    except Exception:  # html.parser is lenient, but never let a parser bug lose the mail
        return re.sub(r"<[^>]*>", " ", markup)
    maker._flush()
    lines: list[str] = []
    for line in maker.lines:
        if line.strip("> ") or (lines and lines[-1].strip("> ")):
            lines.append(line.rstrip() if line.strip("> ") else line.strip())
    return "\n".join(lines).strip()


_TAGS = set(nh3.ALLOWED_TAGS) | {"font"}
_ATTRS = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRS.setdefault("img", set()).update({"alt", "src", "width", "height", "title"})
_ATTRS.setdefault("a", set()).update({"title", "name"})
_ATTRS["*"] = {"title", "lang", "dir"}
_TAG_VALUES = {
    "div": {"id": {"appendonsend", "divRplyFwdMsg", "mail-editor-reference-message-container"}},
    "blockquote": {"type": {"cite"}},
    "hr": {"id": {"stopSpelling"}},
}
_CLASSES = {
    "div": {
        "gmail_quote",
        "gmail_attr",
        "gmail_signature",
        "moz-cite-prefix",
        "moz-signature",
        "yahoo_quoted",
        "OutlookMessageHeader",
        "WordSection1",
    },
    "blockquote": {"gmail_quote"},
    "span": {"gmail_signature"},
}


def sanitize_html(markup: str) -> str:
    """Email HTML that is safe to show: formatting stays, scripts/styles/handlers go.

    Quote markers (gmail_quote, type=cite, appendonsend ...) are kept so that
    `quotes.trim_reply_html` also works on sanitized HTML.
    """
    return nh3.clean(
        markup,
        tags=_TAGS,
        clean_content_tags={"script", "style", "title", "template", "noscript", "textarea"},
        attributes=_ATTRS,
        tag_attribute_values=_TAG_VALUES,
        allowed_classes=_CLASSES,
        url_schemes={"http", "https", "mailto", "tel", "cid"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


# --------------------------------------------------------------------------- classification

_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery status notification|delivery (?:failure|has failed|failed)|"
    r"returned mail|mail delivery (?:failed|failure|system)|failure notice|non[- ]?delivery|"
    r"недоставлен|не удается доставить|не удалось доставить|не доставлено|не вдалося доставити|"
    r"повідомлення не доставлено",
    re.IGNORECASE,
)
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatic reply|auto(?:matic)?[- ]?(?:reply|response)|out of (?:the )?office|"
    r"автоматический ответ|автоответ|автоматична відповідь|автовідповідь|"
    r"abwesenheitsnotiz|réponse automatique)",
    re.IGNORECASE,
)
_DAEMONS = {"mailer-daemon", "mailer_daemon", "mail-daemon", "maildaemon", "mailerdaemon"}
_BODY_MSGID = re.compile(r"(?im)^\s*message-id:\s*(<[^<>\s]+>)")


# --------------------------------------------------------------------------- body walking


@dataclass(slots=True)
class _Segment:
    text: str | None
    html: str | None


_GEN_POLICY = policy.compat32.clone(max_line_length=0)


@lru_cache(maxsize=2048)
def _header_object(name: str, value: str) -> Any:
    return policy.default.header_fetch_parse(name, value)


class _CachingPolicy(EmailPolicy):
    """policy.default, but parsed header objects are reused: the feed parser asks for the same
    Content-Type many times per part, and re-parsing it was most of the parse time."""

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if hasattr(value, "name"):
            return value
        return _header_object(name, value)


_POLICY = _CachingPolicy()
_MIME_FALLBACK = {"message/rfc822": ".eml", "text/calendar": ".ics", "text/plain": ".txt"}


def _fixup_header_block(raw: bytes, problems: list[str]) -> bytes:
    """Drop header lines without a colon that would end the header block early."""
    raw = raw.lstrip(b"\r\n")
    m = re.search(rb"\r?\n\r?\n", raw)
    head, rest = (raw[: m.start()], raw[m.start() :]) if m else (raw, b"")
    lines = re.split(rb"\r?\n", head)
    kept: list[bytes] = []
    dropped = False
    for i, line in enumerate(lines):
        ok = (
            re.match(rb"[!-9;-~]+[ \t]*:", line)
            or (line[:1] in (b" ", b"\t") and kept)
            or (i == 0 and line.startswith(b"From "))
        )
        if ok:
            kept.append(line)
        elif line.startswith(b"--"):
            # A boundary where the blank line after the headers was forgotten: body starts here.
            problems.append("no blank line after headers")
            return b"\n".join([*kept, b"", *lines[i:]]) + rest
        elif any(re.match(rb"[!-9;-~]+:", later) for later in lines[i + 1 :]):
            dropped = True  # a stray line before more headers: skip it, keep the rest
        else:
            kept.append(line)
    if dropped:
        problems.append("header line without colon")
        return b"\n".join(kept) + rest
    return raw


class _Reader:
    def __init__(self, raw: bytes) -> None:
        self.problems: list[str] = []
        self.segments: list[_Segment] = []
        self.attachments: list[Attachment] = []
        self.embedded_ids: list[str] = []
        self.parts = 0
        if b"\x00" in raw:
            self.problems.append("nul bytes")
            raw = raw.replace(b"\x00", b"")
        self.raw = _fixup_header_block(raw, self.problems)

    # -- headers
    def _parse(self) -> _Msg:
        try:
            return BytesParser(policy=_POLICY).parsebytes(self.raw)
        except Exception as exc:
            self.problems.append(f"strict parse failed ({type(exc).__name__}), used compat32")
            return BytesParser(policy=policy.compat32).parsebytes(self.raw)

    @staticmethod
    def _raw_headers(part: _Msg) -> dict[str, list[str]]:
        headers: dict[str, list[str]] = {}
        for name, value in part.raw_items():
            headers.setdefault(name.strip().lower(), []).append(str(value))
        return headers

    def run(self) -> InboundMessage:
        msg = self._parse()
        h = self._raw_headers(msg)
        out = InboundMessage()
        p = self.problems
        if not self.raw.strip():
            p.append("empty message")

        def text(name: str) -> str:
            values = h.get(name)
            return " ".join(decode_header_text(values[0], p).split()) if values else ""

        senders = _addresses(h.get("from", []), p) or _addresses(h.get("sender", []), p)
        if senders:
            out.from_address, out.from_name = senders[0].address, senders[0].name
        else:
            p.append("no sender address")
        out.to = _addresses(h.get("to", []), p)
        out.cc = _addresses(h.get("cc", []), p)
        out.reply_to = _addresses(h.get("reply-to", []), p)
        out.subject = text("subject")
        date = text("date")
        if date:
            try:
                parsed = parsedate_to_datetime(date)
                out.date = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
            except (TypeError, ValueError, IndexError, OverflowError):
                p.append("unparseable date")
        ids = _msgids(text("message-id"))
        out.message_id = ids[0] if ids else None
        ids = _msgids(text("in-reply-to"))
        out.in_reply_to = ids[0] if ids else None
        out.references = _msgids(" ".join(h.get("references", [])))

        self._visit(msg, 0, top=True)
        self._classify(msg, h, out)
        self._body(out)
        out.attachments = self.attachments
        self._collect_defects(msg)
        out.problems = list(dict.fromkeys(self.problems))
        if out.is_bounce:
            out.bounce_message_id = next(iter(self.embedded_ids), None)
            if out.bounce_message_id is None:
                m = _BODY_MSGID.search(out.body_text)
                out.bounce_message_id = m[1] if m else None
        return out

    def _classify(self, msg: _Msg, h: dict[str, list[str]], out: InboundMessage) -> None:
        def first(name: str) -> str:
            values = h.get(name)
            return _unbyte(_FOLD.sub("", values[0])).strip().lower() if values else ""

        auto = first("auto-submitted")
        precedence = first("precedence")
        ctype = self._ctype(msg)
        report = (self._param(msg, "report-type") or "").lower()
        out.is_auto_reply = bool(
            (auto and not auto.startswith("no"))
            or any(k in h for k in ("x-autoreply", "x-autorespond", "x-auto-response-suppress"))
            or precedence == "auto_reply"
            or _AUTO_SUBJECT.search(out.subject)
            or (ctype == "multipart/report" and report == "disposition-notification")
        )
        out.is_bulk = precedence in {"bulk", "junk", "list"} or "list-id" in h
        local = out.from_address.split("@", 1)[0].lower()
        null_sender = first("return-path") in {"<>", ""} and "return-path" in h
        out.is_bounce = bool(
            (ctype == "multipart/report" and report == "delivery-status")
            or local in _DAEMONS
            or "x-failed-recipients" in h
            or (
                _BOUNCE_SUBJECT.search(out.subject)
                and (local == "postmaster" or null_sender or auto.startswith("auto-generated"))
            )
        )

    # -- MIME helpers
    @staticmethod
    def _ctype(part: _Msg) -> str:
        try:
            return part.get_content_type().lower()
        except Exception:
            return "application/octet-stream"

    @staticmethod
    def _param(part: _Msg, name: str, header: str = "content-type") -> str | None:
        try:
            value: Any = part.get_param(name, None, header)
        except Exception:
            value = None
        if isinstance(value, tuple):
            try:
                value = str(value[2] or "")
            except Exception:
                value = None
        return value if isinstance(value, str) else None

    def _charset(self, part: _Msg) -> str | None:
        try:
            return part.get_content_charset()
        except Exception:
            return self._param(part, "charset")

    def _filename(self, part: _Msg) -> str:
        try:
            name = part.get_filename()
        except Exception:
            name = None
        if not name:
            shadow = Message(policy=policy.compat32)
            for key, value in part.raw_items():
                if key.lower() in {"content-type", "content-disposition"}:
                    shadow[key] = _FOLD.sub("", str(value))
            try:
                name = shadow.get_filename()
            except Exception:
                name = None
        if not name:
            return ""
        name = decode_header_text(str(name), self.problems)
        name = re.split(r"[\\/]", name)[-1]
        return re.sub(r"[\x00-\x1f\x7f]", "", name).strip().strip(".") or ""

    @staticmethod
    def _content_id(part: _Msg) -> str | None:
        for key, value in part.raw_items():
            if key.lower() == "content-id":
                cid = _FOLD.sub("", str(value)).strip().strip("<>").strip()
                return cid or None
        return None

    @staticmethod
    def _disposition(part: _Msg) -> str:
        for key, value in part.raw_items():
            if key.lower() == "content-disposition":
                return str(value).split(";", 1)[0].strip().lower()
        return ""

    def _payload(self, part: _Msg) -> bytes:
        try:
            cte = str(part.get("content-transfer-encoding", "")).strip().lower()
            if cte == "base64" and not part.is_multipart():
                raw = part.get_payload()
                if isinstance(raw, str):
                    if _BAD_B64.search(raw) or len(re.sub(r"\s", "", raw).rstrip("=")) % 4 == 1:
                        self.problems.append("bad base64")
                    return _b64(raw)
            data = part.get_payload(decode=True)
        except Exception:
            self.problems.append("undecodable part")
            return b""
        return data if isinstance(data, bytes) else b""

    def _text_of(self, part: _Msg) -> str:
        charset = self._charset(part)
        text, note = decode_bytes(self._payload(part), charset)
        if note:
            self.problems.append(note)
        text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
        if (self._param(part, "format") or "").lower() == "flowed":
            text = _unflow(text, (self._param(part, "delsp") or "").lower() == "yes")
        return text

    def _attach(self, part: _Msg, data: bytes, ctype: str, name: str = "") -> None:
        name = name or self._filename(part)
        if not name:
            ext = _MIME_FALLBACK.get(ctype) or mimetypes.guess_extension(ctype) or ".bin"
            stem = "winmail" if ctype == "application/ms-tnef" else "attachment"
            name = f"{stem}-{len(self.attachments) + 1}{ext}"
        if ctype == "application/ms-tnef" or name.lower() == "winmail.dat":
            self.problems.append("tnef attachment (winmail.dat) not unpacked")
        cid = self._content_id(part)
        inline = self._disposition(part) == "inline" or (
            cid is not None and self._disposition(part) != "attachment"
        )
        self.attachments.append(Attachment(name, ctype, len(data), cid, inline, data))

    # -- the walk
    def _visit(self, part: _Msg, depth: int, top: bool = False) -> None:
        self.parts += 1
        if depth > MAX_DEPTH or self.parts > MAX_PARTS:
            if "too many or too deeply nested parts" not in self.problems:
                self.problems.append("too many or too deeply nested parts")
            return
        ctype = self._ctype(part)
        if part.is_multipart():
            children = [c for c in part.get_payload() if isinstance(c, Message)]
            if ctype.startswith("message/"):
                self._embedded(part, ctype, children)
            elif ctype == "multipart/alternative":
                self._alternative(children, depth)
            elif ctype == "multipart/related" and children:
                self._visit(children[0], depth + 1)
                for child in children[1:]:
                    self._visit(child, depth + 1)
            else:
                for child in children:
                    self._visit(child, depth + 1)
            return
        if ctype.startswith("multipart/"):
            self._no_boundary(part, depth)
            return
        disposition = self._disposition(part)
        name = self._filename(part)
        if (
            ctype in {"text/plain", "text/html"}
            and disposition != "attachment"
            and (not name or top)
        ):
            text = self._text_of(part)
            if ctype == "text/plain":
                self.segments.append(_Segment(text, None))
            else:
                self.segments.append(_Segment(None, text))
            return
        data = self._payload(part)
        if ctype == "text/rfc822-headers":
            self._note_embedded(data)
            name = name or "original-headers.txt"
        self._attach(part, data, ctype, name)

    def _embedded(self, part: _Msg, ctype: str, children: list[_Msg]) -> None:
        """message/rfc822 (forwarded mail, bounced original) is kept whole as an .eml file."""
        buf = io.BytesIO()
        for child in children:
            try:
                BytesGenerator(buf, mangle_from_=False, policy=_GEN_POLICY).flatten(child)
            except Exception:
                self.problems.append("unserializable embedded message")
        data = buf.getvalue()
        if ctype == "message/delivery-status":
            self._attach(part, data, ctype, "delivery-status.txt")
            return
        name = self._filename(part)
        if children:
            inner = self._raw_headers(children[0])
            mid = _msgids(" ".join(inner.get("message-id", [])))
            self.embedded_ids.extend(mid[:1])
            if not name:
                subject = decode_header_text(inner.get("subject", [""])[0])
                stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", subject).strip()[:80]
                name = f"{stem or 'message'}.eml"
        self._attach(part, data, ctype, name or "message.eml")

    def _note_embedded(self, data: bytes) -> None:
        try:
            headers = BytesParser(policy=policy.compat32).parsebytes(data, headersonly=True)
            ids = _msgids(str(headers.get("message-id", "")))
        except Exception:
            ids = []
        self.embedded_ids.extend(ids[:1])

    def _alternative(self, children: list[_Msg], depth: int) -> None:
        plain: _Msg | None = None
        rich: _Msg | None = None
        for child in children:
            ctype = self._ctype(child)
            if self._disposition(child) == "attachment":
                self._visit(child, depth + 1)
            elif ctype == "text/plain":
                plain = child
            elif ctype == "text/html" or child.is_multipart():
                rich = child
            elif ctype != "text/enriched":
                self._visit(child, depth + 1)  # text/calendar and friends become files
        text = self._text_of(plain) if plain is not None else None
        markup: str | None = None
        if rich is not None:
            start = len(self.segments)
            self._visit(rich, depth + 1)
            inner = self.segments[start:]
            del self.segments[start:]
            markup = "".join(s.html or "" for s in inner) or None
            if text is None:
                text = "\n\n".join(s.text for s in inner if s.text) or None
        if text is not None or markup is not None:
            self.segments.append(_Segment(text, markup))

    def _no_boundary(self, part: _Msg, depth: int) -> None:
        """A multipart with a missing or wrong boundary: guess it from `--token` lines."""
        self.problems.append("multipart without usable boundary")
        data = self._payload(part)
        body = data.decode("utf-8", "surrogateescape")
        counts: dict[str, int] = {}
        for m in re.finditer(r"(?m)^--([^\s-][^\s]{0,69}?)(?:--)?[ \t]*$", body):
            counts[m[1]] = counts.get(m[1], 0) + 1
        if counts:
            boundary = max(counts, key=lambda k: counts[k])
            raw = (
                f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n'.encode()
                + body.encode("utf-8", "surrogateescape")
            )
            try:
                guessed = BytesParser(policy=policy.default).parsebytes(raw)
            except Exception:
                guessed = None
            if guessed is not None and guessed.is_multipart():
                self._visit(guessed, depth + 1)
                return
        text, _note = decode_bytes(data, self._charset(part))
        self.segments.append(_Segment(text.replace("\r\n", "\n"), None))

    # -- results
    def _body(self, out: InboundMessage) -> None:
        texts: list[str] = []
        htmls: list[str] = []
        has_html = any(s.html for s in self.segments)
        for seg in self.segments:
            if seg.text is not None and seg.text.strip():
                texts.append(seg.text.strip("\n"))
            elif seg.html:
                texts.append(html_to_text(seg.html))
            if has_html:
                if seg.html:
                    htmls.append(seg.html)
                elif seg.text:
                    htmls.append("<p>" + html.escape(seg.text).replace("\n", "<br>") + "</p>")
        out.body_text = "\n\n".join(t for t in texts if t).rstrip().replace("\x00", "")
        markup = "\n".join(htmls)
        if markup.count("<") > MAX_HTML_TAGS:
            # html5ever is quadratic on deeply nested junk; a readable text version is enough.
            self.problems.append("html too complex, shown as text")
            markup = "<p>" + html.escape(out.body_text).replace("\n", "<br>") + "</p>"
        if htmls:
            try:
                out.body_html = sanitize_html(markup).replace("\x00", "")
            except Exception:
                self.problems.append("html could not be sanitized")
                out.body_html = ""

    def _collect_defects(self, msg: _Msg) -> None:
        try:
            parts = list(msg.walk())
        except Exception:
            parts = [msg]
        for part in parts[: MAX_PARTS * 2]:
            for defect in getattr(part, "defects", []):
                self.problems.append(f"defect: {type(defect).__name__}")


def _unflow(text: str, delsp: bool) -> str:
    """RFC 3676 format=flowed: join soft-wrapped lines (trailing space) back into paragraphs."""
    out: list[str] = []
    buf = ""
    buf_depth = -1
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]  # space-stuffing
        if buf and depth != buf_depth:
            out.append(">" * buf_depth + (" " if buf_depth else "") + buf)
            buf = ""
        soft = body.endswith(" ") and body != "-- "
        if soft:
            buf += body[:-1] if delsp else body
            buf_depth = depth
            continue
        line_text = buf + body
        buf = ""
        out.append(">" * depth + (" " if depth and line_text else "") + line_text)
    if buf:
        out.append(">" * buf_depth + (" " if buf_depth else "") + buf)
    return "\n".join(out)


def parse_message(raw: bytes | bytearray | memoryview | str) -> InboundMessage:
    """Parse raw RFC 5322/MIME bytes; never raises (problems are listed on the result)."""
    try:
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else bytes(raw)
        return _Reader(data).run()
    except Exception as exc:  # the contract: a bad message must never break intake
        return InboundMessage(problems=[f"internal error: {type(exc).__name__}: {exc}"[:200]])
