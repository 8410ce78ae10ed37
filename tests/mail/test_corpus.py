"""Every corpus message parses to what its hand-written .expected.json says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from okno.mail.parse import find_ticket_token, normalize_subject, parse_message
from okno.mail.quotes import trim_reply_html, trim_reply_text

CORPUS = Path(__file__).parent / "corpus"
NAMES = sorted(p.name.removesuffix(".eml") for p in CORPUS.glob("*.eml"))


def test_corpus_is_big_enough():
    assert len(NAMES) >= 60
    for name in NAMES:
        assert (CORPUS / f"{name}.expected.json").exists(), name


def _contains_all(haystack: str, needles: list[str], label: str) -> None:
    for needle in needles:
        assert needle in haystack, f"{label}: {needle!r} not in {haystack!r}"


def _contains_none(haystack: str, needles: list[str], label: str) -> None:
    for needle in needles:
        assert needle not in haystack, f"{label}: {needle!r} unexpectedly in {haystack!r}"


@pytest.mark.parametrize("name", NAMES)
def test_corpus_message(name: str) -> None:
    raw = (CORPUS / f"{name}.eml").read_bytes()
    exp: dict[str, Any] = json.loads((CORPUS / f"{name}.expected.json").read_text("utf-8"))
    msg = parse_message(raw)

    assert not any(p.startswith("internal error") for p in msg.problems), msg.problems
    for key in ("from_address", "from_name", "subject", "body_text", "message_id", "in_reply_to"):
        if key in exp:
            assert getattr(msg, key) == exp[key], key
    if "date" in exp:
        assert msg.date is not None and msg.date.isoformat() == exp["date"]
    if "references" in exp:
        assert msg.references == exp["references"]
    if "to" in exp:
        assert [a.address for a in msg.to] == exp["to"]
    if "cc" in exp:
        assert [a.address for a in msg.cc] == exp["cc"]
    for flag, value in exp["flags"].items():
        assert getattr(msg, flag) is value, flag
    if "bounce_message_id" in exp:
        assert msg.bounce_message_id == exp["bounce_message_id"]

    _contains_all(msg.body_text, exp.get("body_contains", []), "body_text")
    _contains_none(msg.body_text, exp.get("body_not_contains", []), "body_text")
    _contains_all(msg.body_html, exp.get("html_contains", []), "body_html")
    _contains_none(msg.body_html, exp.get("html_not_contains", []), "body_html")

    if "attachments" in exp:
        got = [
            {key: getattr(att, key) for key in want}
            for att, want in zip(msg.attachments, exp["attachments"], strict=False)
        ]
        assert len(msg.attachments) == len(exp["attachments"]), msg.attachments
        assert got == exp["attachments"]
    for att in msg.attachments:
        assert att.size == len(att.data)

    problems = " | ".join(msg.problems)
    _contains_all(problems, exp.get("problems_contain", []), "problems")
    if exp.get("no_problems"):
        assert msg.problems == []

    if "ticket_token" in exp:
        assert find_ticket_token(msg.subject) == exp["ticket_token"]
    if "normalized_subject" in exp:
        assert normalize_subject(msg.subject) == exp["normalized_subject"]

    trimmed = trim_reply_text(msg.body_text)
    _contains_all(trimmed, exp.get("trimmed_contains", []), "trimmed text")
    _contains_none(trimmed, exp.get("trimmed_not_contains", []), "trimmed text")
    if msg.body_html:
        trimmed_html = trim_reply_html(msg.body_html)
        _contains_all(trimmed_html, exp.get("html_trimmed_contains", []), "trimmed html")
        _contains_none(trimmed_html, exp.get("html_trimmed_not_contains", []), "trimmed html")
    for text in (msg.subject, msg.body_text, msg.body_html, msg.from_name):
        assert "\x00" not in text
        text.encode("utf-8")  # no lone surrogates from 8-bit input
