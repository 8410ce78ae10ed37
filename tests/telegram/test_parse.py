"""The pure update parser and text splitter, alone and under generated input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okno.telegram import parse
from okno.telegram.botapi import split_text

from . import updates


def test_text_message():
    incoming = parse.parse_update(updates.text(10, "Printer jams"))
    assert (incoming.kind, incoming.text, incoming.command) == ("message", "Printer jams", "")
    assert incoming.chat_id == incoming.user_id == updates.ANNA["id"]
    assert incoming.full_name == "Anna Kovalenko"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/new", ("new", "")),
        ("/NEW@OknoDeskBot  VPN broken ", ("new", "VPN broken")),
        ("/status", ("status", "")),
        ("/new\nPrinter jams", ("new", "Printer jams")),
        ("/unknown thing", ("", "/unknown thing")),
        ("/", ("", "/")),
        ("hello /new", ("", "hello /new")),
    ],
)
def test_commands(text, expected):
    assert parse.split_command(text) == expected


def test_photo_takes_the_largest_size_and_the_caption():
    incoming = parse.parse_update(updates.photo(10, caption="Screen"))
    [file] = incoming.files
    assert (file.kind, file.file_id, file.size) == ("photo", "AgACAgIAAxkBAAIBlarge", 52011)
    assert incoming.text == "Screen"


def test_document_keeps_its_name():
    [file] = parse.parse_update(updates.document(10)).files
    assert (file.kind, file.filename) == ("document", "error-log.txt")


@pytest.mark.parametrize(
    ("update", "reason"),
    [
        (updates.group_message(10, "hi"), "chat type supergroup"),
        (updates.from_bot(10, "hi"), "sent by a bot"),
        (updates.callback_query(10), "unsupported update: callback_query"),
        ({"update_id": 10}, "unsupported update: empty"),
    ],
)
def test_ignored(update, reason):
    incoming = parse.parse_update(update)
    assert (incoming.kind, incoming.reason) == ("ignored", reason)


def test_edited_message():
    incoming = parse.parse_update(updates.edited(11, 3, "fixed typo"))
    assert (incoming.kind, incoming.message_id, incoming.text) == ("edited", 3, "fixed typo")


@pytest.mark.parametrize("bad", [None, [], "x", {}, {"update_id": "1"}, {"update_id": True}])
def test_not_an_update(bad):
    with pytest.raises(parse.UpdateError):
        parse.parse_update(bad)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "message",
                    "edited_message",
                    "chat",
                    "from",
                    "id",
                    "type",
                    "text",
                    "caption",
                    "photo",
                    "document",
                    "file_id",
                    "is_bot",
                    "update_id",
                    "private",
                    "width",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@given(st.integers(), json_values)
def test_any_json_parses_or_is_refused_cleanly(update_id, body):
    update = {"update_id": update_id, "message": body}
    incoming = parse.parse_update(update)
    assert incoming.update_id == update_id
    assert incoming.kind in {parse.MESSAGE, parse.EDITED, parse.IGNORED}
    json.dumps(incoming.text)


@given(st.text(min_size=0, max_size=20_000))
def test_split_text_keeps_everything_within_the_limit(text):
    chunks = split_text(text, limit=4096)
    assert all(len(c) <= 4096 for c in chunks)
    assert "".join(chunks).replace("\n", "") == text.replace("\n", "")


def test_parser_imports_no_django():
    code = "import sys, okno.telegram.parse, okno.telegram.botapi; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
