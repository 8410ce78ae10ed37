"""The client speaks English, Russian and Ukrainian: language choice, catalogs, packaging.

The CLI runs as a subprocess (as people run it); catalogs are checked against the sources and
the compiled ``.mo`` files against the ``.po`` files they are committed with.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "redbutton"
PACKAGE = CLIENT / "src" / "okno_redbutton"
LOCALE = PACKAGE / "locale"
sys.path.insert(0, str(CLIENT / "src"))

from okno_redbutton import i18n, report  # noqa: E402

LANGS = ("ru", "uk")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdfir]|%%")


@pytest.fixture(autouse=True)
def _english_afterwards():
    """``i18n`` keeps the language per process; leave English for the tests that follow."""
    yield
    i18n.setup("en")


def run(*args: str, env: dict[str, str] | None = None, home: Path) -> subprocess.CompletedProcess:
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".state"),
        "PYTHONPATH": str(CLIENT / "src"),
        "PYTHONIOENCODING": "utf-8",
    }
    return subprocess.run(
        [sys.executable, "-m", "okno_redbutton", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def dry_run(tmp_path: Path, *args: str, env: dict[str, str] | None = None):
    return run("--dry-run", "--skip", "processes", "--skip", "logs", *args, env=env, home=tmp_path)


# --- choosing the language -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [
        (None, {}, "en"),
        (None, {"LANG": "C.UTF-8"}, "en"),
        (None, {"LANG": "uk_UA.UTF-8"}, "uk"),
        (None, {"LANG": "ru_RU.UTF-8", "LC_MESSAGES": "uk_UA.UTF-8"}, "uk"),
        (None, {"LANG": "ru_RU.UTF-8", "LC_ALL": "C"}, "en"),
        (None, {"LANG": "uk_UA.UTF-8", "LANGUAGE": "de:ru:en"}, "ru"),
        (None, {"LANG": "de_DE.UTF-8"}, "en"),
        (None, {"LANG": "uk_UA.UTF-8", "OKNO_LANG": "ru"}, "ru"),
        (None, {"LANG": "uk_UA.UTF-8", "OKNO_LANG": "fr"}, "en"),
        ("en", {"OKNO_LANG": "ru", "LANG": "uk_UA.UTF-8"}, "en"),
        ("uk", {"OKNO_LANG": "ru"}, "uk"),
        ("ru-RU", {}, "ru"),
        ("de", {"LANG": "ru_RU.UTF-8"}, "en"),
    ],
)
def test_language_precedence_flag_env_system_english(flag, env, expected):
    assert i18n.resolve(flag, env) == expected


def test_english_until_setup_and_catalogs_load_from_the_package():
    assert report._sent_message(_outcome(7)) == "Your request #7 has been registered."
    assert i18n.setup("ru", {}) == "ru"
    assert report._sent_message(_outcome(7)) == "Ваше обращение #7 зарегистрировано."
    assert i18n.setup(None, {"LANG": "uk_UA.UTF-8"}) == "uk"
    assert report._sent_message(_outcome(7)) == "Ваше звернення #7 зареєстровано."
    assert i18n.ngettext("Sent %(n)d earlier report:", "Sent %(n)d earlier reports:", 5) % {
        "n": 5
    } == ("Надіслано 5 відкладених звітів:")
    assert i18n.setup("en", {}) == "en"
    assert report._sent_message(_outcome(7)) == "Your request #7 has been registered."


def _outcome(ticket: int):
    from okno_redbutton import transport

    return transport.Outcome(sent=True, retry=False, status=201, ticket=ticket, body={})


def test_russian_summary_keeps_its_column_and_the_json_keys():
    i18n.setup("ru", {})
    payload = {
        "report_id": "r1",
        "comment": "Не печатает",
        "diagnostics": {
            "host": {"hostname": "pc-17", "user": "rita"},
            "memory": {"percent": 93.8},
            "reachability": [{"host": "mail", "port": 993, "ok": False, "error": "timed out"}],
        },
        "screenshot_base64": "iVBORw0KGgo=",
    }
    text = report.preview(payload)
    assert "Пользователь:  rita" in text and "Комментарий:   Не печатает" in text
    assert "Память:        занято 94 %" in text and "НЕДОСТУПЕН (timed out)" in text
    assert (
        "<снимок экрана PNG, 8 байт>" in text and "Полный отчёт, который будет отправлен:" in text
    )
    assert '"diagnostics"' in text and '"hostname": "pc-17"' in text  # machine part untouched


# --- the CLI in each language ---------------------------------------------------------------------
def test_cli_in_russian_and_ukrainian_by_flag(tmp_path):
    ru = dry_run(tmp_path, "--lang", "ru", "-m", "hello")
    assert ru.returncode == 0, ru.stderr
    assert "Полный отчёт, который будет отправлен:" in ru.stdout
    assert "Комментарий:" in ru.stdout and "Собираю диагностику…" in ru.stderr
    assert "(пробный запуск: ничего не отправлено)" in ru.stderr
    assert '"comment": "hello"' in ru.stdout and '"diagnostics"' in ru.stdout
    uk = dry_run(tmp_path, "--lang=uk")
    assert uk.returncode == 0, uk.stderr
    assert "Повний звіт, який буде надіслано:" in uk.stdout and "Компʼютер:" in uk.stdout
    assert "(пробний запуск: нічого не надіслано)" in uk.stderr
    for done in (ru, uk):
        for english in ("The complete report", "Computer:", "User:", "nothing was sent"):
            assert english not in done.stdout + done.stderr


def test_cli_follows_the_system_locale_and_okno_lang(tmp_path):
    uk = dry_run(tmp_path, env={"LANG": "uk_UA.UTF-8"})
    assert "Повний звіт, який буде надіслано:" in uk.stdout
    ru = dry_run(tmp_path, env={"LANG": "uk_UA.UTF-8", "OKNO_LANG": "ru"})
    assert "Полный отчёт, который будет отправлен:" in ru.stdout
    en = dry_run(tmp_path, "--lang", "en", env={"LANG": "uk_UA.UTF-8", "OKNO_LANG": "ru"})
    assert "The complete report that will be sent:" in en.stdout


def test_english_is_the_default_and_the_fallback(tmp_path):
    for env in ({}, {"LANG": "C.UTF-8"}, {"LANG": "de_DE.UTF-8"}, {"OKNO_LANG": "xx"}):
        done = dry_run(tmp_path, env=env)
        assert done.returncode == 0, done.stderr
        assert "The complete report that will be sent:" in done.stdout, env
        assert "Computer:  " in done.stdout and "(dry run: nothing was sent)" in done.stderr
    unknown = dry_run(tmp_path, "--lang", "de", env={"LANG": "ru_RU.UTF-8"})
    assert "The complete report that will be sent:" in unknown.stdout


def test_offline_queued_message_in_ukrainian(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens here
    done = run(
        "--yes",
        "--skip",
        "processes",
        "--skip",
        "logs",
        "--server",
        f"http://127.0.0.1:{port}",
        "--token",
        "okrb_x",
        "--timeout",
        "2",
        env={"LANG": "uk_UA.UTF-8"},
        home=tmp_path,
    )
    assert done.returncode == 75, done.stderr
    assert "Служба підтримки зараз недоступна (сервер недоступний:" in done.stdout
    assert "Ваш звіт збережено" in done.stdout
    flushed = run(
        "--flush",
        "--lang",
        "ru",
        "--server",
        f"http://127.0.0.1:{port}",
        "--token",
        "okrb_x",
        home=tmp_path,
    )
    assert flushed.returncode == 75 and "Всё ещё в очереди: сервер недоступен:" in flushed.stdout
    assert "Отправляю 1 отложенный отчёт…" in flushed.stderr


def test_help_is_translated(tmp_path):
    done = run("--lang", "uk", "--help", home=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("використання: okno-redbutton")
    assert "показати цю довідку й вийти" in done.stdout and "параметри:" in done.stdout
    assert "--lang {en,ru,uk}" in done.stdout
    english = run("--help", home=tmp_path)
    assert english.stdout.startswith("usage: ") and "show this help and exit" in english.stdout


# --- catalogs ------------------------------------------------------------------------------------
def parse_po(path: Path) -> list[dict]:
    """Entries of a .po/.pot file: msgid, msgid_plural, msgstr (list), flags, obsolete."""
    entries: list[dict] = []
    entry: dict = {}
    field = ""

    def close() -> None:
        nonlocal entry
        if "msgid" in entry:
            entries.append(entry)
        entry = {}

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#~"):
            close()
            entries.append({"obsolete": True, "msgid": line})
            continue
        if line.startswith("#,"):
            close()
            entry["flags"] = {f.strip() for f in line[2:].split(",")}
            continue
        if not line.strip() or line.startswith("#"):
            if line.strip() == "" and "msgid" in entry:
                close()
            continue
        match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(.*)"$', line)
        if match:
            key, text = match.groups()
            if key == "msgid" and "msgid" in entry:
                close()
            field = key
            if key.startswith("msgstr"):
                entry.setdefault("msgstr", []).append("")
            else:
                entry[key] = ""
            value = text
        else:
            value = re.match(r'^"(.*)"$', line).group(1)
        value = value.encode("latin-1", "backslashreplace").decode("unicode_escape")
        if field.startswith("msgstr"):
            entry["msgstr"][-1] += value
        else:
            entry[field] += value
    close()
    return entries


def _unescape_check():
    """Round trip of the parser on a known entry (guards the test helper itself)."""
    entries = parse_po(LOCALE / "ru" / "LC_MESSAGES" / "okno_redbutton.po")
    byid = {e["msgid"]: e for e in entries}
    assert byid["Comment:"]["msgstr"] == ["Комментарий:"]


def messages(path: Path) -> dict[str, dict]:
    return {e["msgid"]: e for e in parse_po(path) if e["msgid"] and not e.get("obsolete")}


def test_every_message_is_translated_in_both_catalogs_with_the_same_placeholders():
    _unescape_check()
    template = messages(LOCALE / "okno_redbutton.pot")
    assert len(template) > 70
    for lang in LANGS:
        catalog = parse_po(LOCALE / lang / "LC_MESSAGES" / "okno_redbutton.po")
        assert not [e for e in catalog if e.get("obsolete")], lang
        found = {e["msgid"]: e for e in catalog if e["msgid"]}
        assert set(found) == set(template), (lang, set(template) ^ set(found))
        for msgid, entry in found.items():
            assert "fuzzy" not in entry.get("flags", set()), (lang, msgid)
            wanted = 3 if "msgid_plural" in entry else 1
            assert len(entry["msgstr"]) == wanted and all(entry["msgstr"]), (lang, msgid)
            source = sorted(PLACEHOLDER.findall(msgid + entry.get("msgid_plural", "")))
            for translated in entry["msgstr"]:
                assert translated != msgid or msgid in {"Disk %(mount)s:"}, (lang, msgid)
                placeholders = sorted(PLACEHOLDER.findall(translated))
                if "msgid_plural" in entry:
                    assert set(placeholders) == set(source), (lang, msgid, translated)
                else:
                    assert placeholders == source, (lang, msgid, translated)
                assert translated.endswith(" ") == msgid.endswith(" "), (lang, msgid)


def test_ukrainian_is_not_russian():
    ru = messages(LOCALE / "ru" / "LC_MESSAGES" / "okno_redbutton.po")
    uk = messages(LOCALE / "uk" / "LC_MESSAGES" / "okno_redbutton.po")
    same = [m for m in ru if ru[m]["msgstr"] == uk[m]["msgstr"]]
    assert same == ["Disk %(mount)s:"]
    uk_text = " ".join(s for e in uk.values() for s in e["msgstr"])
    assert not set("ыэъё") & set(uk_text.lower())  # letters Ukrainian does not have


def test_compiled_catalogs_match_their_sources():
    """The committed .mo holds exactly what the .po says (stale .mo files are a common slip)."""
    for lang in LANGS:
        po = LOCALE / lang / "LC_MESSAGES" / "okno_redbutton.po"
        with (po.with_suffix(".mo")).open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
        expected = {}
        for entry in parse_po(po):
            if entry.get("obsolete") or "fuzzy" in entry.get("flags", set()):
                continue
            if "msgid_plural" in entry:
                for i, text in enumerate(entry["msgstr"]):
                    expected[(entry["msgid"], i)] = text
            else:
                expected[entry["msgid"]] = entry["msgstr"][0]
        # msgfmt leaves the template's creation date out of the compiled header
        expected[""] = re.sub(r"POT-Creation-Date: [^\n]*\n", "", expected[""])
        assert compiled == expected, lang


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_msgfmt_accepts_the_catalogs_and_compiles_them_identically(tmp_path):
    for lang in LANGS:
        po = LOCALE / lang / "LC_MESSAGES" / "okno_redbutton.po"
        out = tmp_path / f"{lang}.mo"
        subprocess.run(["msgfmt", "--check", "-o", str(out), str(po)], check=True)
        with out.open("rb") as fresh, po.with_suffix(".mo").open("rb") as committed:
            assert (
                gettext.GNUTranslations(fresh)._catalog  # type: ignore[attr-defined]
                == gettext.GNUTranslations(committed)._catalog  # type: ignore[attr-defined]
            ), lang


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_the_template_is_up_to_date_with_the_sources(tmp_path):
    out = tmp_path / "fresh.pot"
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--keyword=_",
            "--keyword=ngettext:1,2",
            "--from-code=UTF-8",
            "-o",
            str(out),
            *sorted(str(p) for p in PACKAGE.glob("*.py")),
        ],
        check=True,
    )
    fresh = messages(out)
    committed = messages(LOCALE / "okno_redbutton.pot")
    assert set(fresh) == set(committed), set(fresh) ^ set(committed)
    assert {m: e.get("msgid_plural") for m, e in fresh.items()} == {
        m: e.get("msgid_plural") for m, e in committed.items()
    }


WORDS = re.compile(r"[A-Za-z]{3,}")
SHOWN_CALLS = {"print", "input", "_say", "_fail", "title", "append"}
SHOWN_KEYWORDS = {"text", "help", "description", "message"}


def _untranslated(node: ast.AST) -> bool:
    """A literal with words in it (f-strings too); ``okno-redbutton:`` prefixes are names."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(WORDS.search(node.value.replace("okno-redbutton", "")))
    if isinstance(node, ast.JoinedStr):
        return any(_untranslated(part) for part in node.values)
    return False


def test_no_user_facing_literal_escapes_translation():
    """Strings handed to print/input/Tk/argparse/Result must go through ``_()``."""
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            shown = []
            receiver = getattr(getattr(node.func, "value", None), "id", "")
            if name in SHOWN_CALLS and (name != "append" or receiver in {"problems", "lines"}):
                shown += node.args[:1]
            if name == "Result":
                shown += node.args[1:2]
            shown += [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
            found += [f"{path.name}:{n.lineno}" for n in shown if _untranslated(n)]
    assert found == []


def test_the_package_ships_the_catalogs(tmp_path):
    """setuptools' build step (what a wheel is made of) copies locale/ with the code."""
    copy = tmp_path / "redbutton"
    shutil.copytree(CLIENT, copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    built = tmp_path / "lib"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import setuptools; setuptools.setup()",
            "-q",
            "build_py",
            "--build-lib",
            str(built),
        ],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    for lang in LANGS:
        for suffix in ("po", "mo"):
            assert (
                built / "okno_redbutton/locale" / lang / "LC_MESSAGES" / f"okno_redbutton.{suffix}"
            ).is_file()
    assert (built / "okno_redbutton" / "i18n.py").is_file()
