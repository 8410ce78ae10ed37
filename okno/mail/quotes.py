"""Trim quoted history and signatures from email replies, for the ticket timeline.

Pure (no Django). The caller keeps the full original: trimming only decides what an agent reads
first, so every rule errs on the side of keeping text. If trimming would leave nothing (a reply
that is all quote, or a mis-detected marker on the first line), the original comes back.
Markers cover English, Russian and Ukrainian clients: Outlook, Gmail, Thunderbird, Apple Mail,
and Okno's own "##- … reply above this line -##" line at the top of every HTML notification
(any language: only the ``##-``/``-##`` brackets are matched).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

__all__ = ["trim_reply_html", "trim_reply_text"]

_WROTE = (
    r"(?:wrote|writes|пишет|написал\(а\)|написала|написал|пише|писав|написав\(ла\)|написав"
    r"|написала|schrieb|a écrit|escribió|scrisse)"
)
# "On Fri, 12 Apr 2024 at 14:03, Ivan <ivan@example.com> wrote:" and its localized relatives.
_ATTRIBUTION = re.compile(
    rf"^\s*(?:(?:on|в|во|у|am|le|el)\b.{{0,300}}\b{_WROTE}\s*:|"
    rf".{{0,300}}[\d@].{{0,300}}\b{_WROTE}\s*:|"
    r".{0,200}\d.{0,200}<[^<>\s]+@[^<>\s]+>\s*:)\s*$",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(?:original message|forwarded by .{0,80}|исходное сообщение|"
    r"оригинальное сообщение|исходное письмо|вихідне повідомлення|початкове повідомлення|"
    r"оригінальне повідомлення|ursprüngliche nachricht|message d'origine)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FORWARDED = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded message|пересылаемое сообщение|переслане повідомлення|"
    r"пересланное сообщение)\s*-{2,}|begin forwarded message:|"
    r"начало переадресованного сообщения:|початок пересланого повідомлення:)\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*[*>]*\s*\*?(?:from|от|від|von|de)\s*\*?\s*:\*?\s*\S", re.I)
_HEADER_OTHER = re.compile(
    r"^\s*[*>]*\s*\*?(?:sent|date|to|cc|subject|отправлено|дата|кому|копия|тема|надіслано|"
    r"відправлено|копія|gesendet|datum|an|betreff|envoyé|objet)\s*\*?\s*:",
    re.IGNORECASE,
)
# The first line of Okno's HTML notifications (okno/mail/templates/emails/base.html).
_REPLY_ABOVE = re.compile(r"^\s*##-\s.{1,200}\s-##\s*$")
_UNDERSCORES = re.compile(r"^\s*_{20,}\s*$")
_SIGNATURE = re.compile(r"^--\s?$")
_MOBILE = re.compile(
    r"^\s*(?:sent from my \S.{0,40}|sent from (?:mail|outlook|yahoo mail|my mobile).{0,40}|"
    r"get outlook for (?:ios|android)|отправлено с (?:моего )?(?:iphone|ipad|android|"
    r"мобильного|телефона).{0,30}|отправлено из мобильной .{0,40}|"
    r"надіслано з (?:мого )?(?:iphone|ipad|android|мобільного|телефону).{0,30}|"
    r"von meinem (?:iphone|ipad) gesendet|envoyé de mon (?:iphone|ipad))\s*$",
    re.IGNORECASE,
)


def _is_quote(line: str) -> bool:
    return line.lstrip().startswith(">")


def _quote_start(lines: list[str]) -> int | None:
    """Index of the first line that opens quoted history, if any."""
    n = len(lines)
    # Where the trailing run of quoted/blank lines starts, and how many quoted lines follow i.
    tail = n
    while tail > 0 and (not lines[tail - 1].strip() or _is_quote(lines[tail - 1])):
        tail -= 1
    quoted_after = [0] * (n + 1)
    for k in range(n - 1, -1, -1):
        quoted_after[k] = quoted_after[k + 1] + (1 if _is_quote(lines[k]) else 0)
    for i, line in enumerate(lines):
        if not line.strip() or _is_quote(line):
            continue
        if _FORWARDED.match(line):
            return None  # what follows is forwarded content, not history: keep it
        if _ORIGINAL.match(line) or _REPLY_ABOVE.match(line):
            return i
        if _UNDERSCORES.match(line) and any(
            _HEADER_FROM.match(x) or _HEADER_OTHER.match(x) for x in lines[i + 1 : i + 4]
        ):
            return i
        if _HEADER_FROM.match(line):
            following = [x for x in lines[i + 1 : i + 7] if x.strip()]
            if sum(1 for x in following if _HEADER_OTHER.match(x)) >= 2:
                return i
        if len(line) < 400:
            joined = line if i + 1 >= n else f"{line} {lines[i + 1].strip()}"
            if _ATTRIBUTION.match(line):
                return i
            if (
                i + 1 < n
                and not line.rstrip().endswith(":")
                and _ATTRIBUTION.match(joined)
                and not _is_quote(lines[i + 1])
            ):
                return i
        if line.rstrip().endswith(":") and i + 1 >= tail and quoted_after[i + 1] >= 2:
            return i  # an attribution line in a language we do not know
    return None


def trim_reply_text(text: str) -> str:
    """The new part of a plain-text reply: without quoted history, `>` tail and signature."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = _quote_start(lines)
    if cut is not None:
        lines = lines[:cut]
    for i, line in enumerate(lines):
        if (_SIGNATURE.match(line) or _MOBILE.match(line)) and any(x.strip() for x in lines[:i]):
            lines = lines[:i]
            break
    while lines and (not lines[-1].strip() or _is_quote(lines[-1])):
        lines.pop()
    result = "\n".join(lines).strip("\n").rstrip()
    return result if result.strip() else text


# --------------------------------------------------------------------------- HTML

_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
_QUOTE_CLASSES = {
    "gmail_quote", "gmail_quote_container", "gmail_signature", "yahoo_quoted", "moz-cite-prefix",
    "moz-signature", "protonmail_quote", "zmail_extra", "outlookmessageheader",
}  # fmt: skip
_QUOTE_IDS = {
    "appendonsend", "divrplyfwdmsg", "stopspelling", "mail-editor-reference-message-container",
    "x_divrplyfwdmsg", "x_appendonsend",
}  # fmt: skip
_OUTLOOK_BORDER = re.compile(r"border-top:\s*solid\s*#(?:e1e1e1|b5c4df)", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(?:from|от|від|von|de)\s*:\s*$", re.IGNORECASE)
_LABEL_NEXT = re.compile(
    r"(?:sent|date|отправлено|дата|надіслано|відправлено|gesendet|envoyé)\s*:", re.IGNORECASE
)


class _Cutter(HTMLParser):
    """Finds the first quote marker; remembers which elements are open there."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.markup = markup
        starts = [0]
        for m in re.finditer("\n", markup):
            starts.append(m.end())
        self.line_starts = starts
        self.stack: list[tuple[str, int]] = []
        self.cut: tuple[int, int] | None = None  # (offset, stack depth to close)

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def _mark(self, offset: int, depth: int) -> None:
        if self.cut is None:
            self.cut = (offset, depth)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.cut is not None:
            return
        a = {k.lower(): (v or "") for k, v in attrs}
        classes = {c.lower() for c in a.get("class", "").split()}
        if (
            classes & _QUOTE_CLASSES
            or a.get("id", "").lower() in _QUOTE_IDS
            or (tag == "blockquote" and a.get("type", "").lower() == "cite")
            or (tag == "div" and _OUTLOOK_BORDER.search(a.get("style", "")))
        ):
            self._mark(self._offset(), len(self.stack))
            return
        if tag not in _VOID:
            self.stack.append((tag, self._offset()))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.handle_starttag(tag, attrs)
            if self.stack and self.stack[-1][0] == tag:
                self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if self.cut is not None:
            return
        for i in range(len(self.stack) - 1, max(-1, len(self.stack) - 64), -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data: str) -> None:
        if self.cut is not None or not data.strip():
            return
        start = self._offset()
        for line in data.splitlines():
            if (
                _ORIGINAL.match(line)
                or _REPLY_ABOVE.match(line)
                or _ATTRIBUTION.match(line)
                or _MOBILE.match(line)
            ):
                found = self.markup.find(line.strip(), start)
                self._mark(found if found >= 0 else start, len(self.stack))
                return
        if _SIGNATURE.match(data.strip("\r\n")) or data.strip() == "--":
            self._mark(start, len(self.stack))
        elif _LABEL.match(data) and _LABEL_NEXT.search(self.markup, start, start + 1500):
            # Outlook's bold "From:" label: cut at the paragraph holding the header block.
            for depth in range(len(self.stack) - 1, -1, -1):
                if self.stack[depth][0] in {"p", "div", "table", "tr"}:
                    self._mark(self.stack[depth][1], depth)
                    return
            self._mark(start, len(self.stack))


def _visible(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style|head|title)\b.*?</\1\s*>", " ", markup)
    return html.unescape(re.sub(r"<[^>]*>", " ", markup)).replace("\xa0", " ").strip()


def trim_reply_html(markup: str) -> str:
    """The new part of an HTML reply: cut at the first client quote marker, close open tags."""
    cutter = _Cutter(markup)
    try:
        cutter.feed(markup)
        cutter.close()
    except Exception:  # html.parser is lenient; keep the original if it ever gives up
        return markup
    if cutter.cut is None:
        return markup
    offset, depth = cutter.cut
    head = re.sub(r"(?:\s*<hr\b[^>]*>)+\s*$", "", markup[:offset], flags=re.IGNORECASE)
    head = head.rstrip() + "".join(f"</{tag}>" for tag, _ in reversed(cutter.stack[:depth]))
    return head if _visible(head) else markup
