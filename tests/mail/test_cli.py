"""`okno mail parse FILE [--json]`, run in-process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from okno.mail.cli import main

CORPUS = Path(__file__).parent / "corpus"
KEYS = {
    "from_address",
    "from_name",
    "to",
    "cc",
    "subject",
    "body_text",
    "body_html",
    "attachments",
    "problems",
}


@pytest.mark.parametrize(
    "name", ["ru_koi8r_plain", "inline_image_related", "bounce_dsn_postfix", "threading_headers"]
)
def test_json_output_has_exactly_the_documented_keys(name: str, capsys) -> None:
    assert main(["parse", str(CORPUS / f"{name}.eml"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == KEYS
    assert all(isinstance(a, str) for a in data["to"] + data["cc"])
    for att in data["attachments"]:
        assert set(att) == {"filename", "size", "content_type"}


def test_json_is_not_ascii_escaped(capsys) -> None:
    main(["parse", str(CORPUS / "ru_koi8r_plain.eml"), "--json"])
    out = capsys.readouterr().out
    assert "Не работает принтер" in out
    data = json.loads(out)
    assert data["from_name"] == "Иван Петров"
    assert data["subject"] == "Не работает принтер"


def test_json_attachment_sizes_are_decoded_bytes(capsys) -> None:
    main(["parse", str(CORPUS / "inline_image_related.eml"), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["attachments"] == [
        {"filename": "image001.png", "size": 72, "content_type": "image/png"}
    ]


def test_json_lists_recipients_and_problems(capsys) -> None:
    main(["parse", str(CORPUS / "threading_headers.eml"), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["to"] == ["support@okno.test"]
    assert data["cc"] == ["maria@example.ru", "petr@example.ru"]
    main(["parse", str(CORPUS / "malformed_nul_bytes.eml"), "--json"])
    assert "nul bytes" in json.loads(capsys.readouterr().out)["problems"]


def test_text_output_shows_headers_flags_and_body(capsys) -> None:
    assert main(["parse", str(CORPUS / "bounce_dsn_postfix.eml")]) == 0
    out = capsys.readouterr().out
    assert "Subject:     Undelivered Mail Returned to Sender" in out
    assert "bounce" in out
    assert "Bounced:     <ticket-77-9@okno.test>" in out
    assert "could not\nbe delivered" in out


def test_unreadable_file_exits_2_with_a_message(tmp_path, capsys) -> None:
    assert main(["parse", str(tmp_path / "missing.eml")]) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and "missing.eml" in err
    assert main(["parse", str(tmp_path)]) == 2  # a directory


def test_usage_errors_return_2(capsys) -> None:
    assert main([]) == 2
    assert main(["frobnicate"]) == 2
    capsys.readouterr()


def test_python_dash_m_works() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "okno.mail.cli",
            "parse",
            str(CORPUS / "uk_utf8_8bit.eml"),
            "--json",
        ],
        capture_output=True,
        check=False,
        env={"PYTHONIOENCODING": "utf-8", "PATH": ""},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.decode())["from_name"] == "Олена Ґудзь"
