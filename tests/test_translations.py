"""Russian and Ukrainian ship complete: no untranslated or fuzzy entry, no string missing
from the catalogs, and compiled .mo files that match their .po sources."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "okno" / "locale"
LANGUAGES = ["ru", "uk"]


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete(lang):
    catalog = polib.pofile(str(po_path(lang)))
    untranslated = [e.msgid for e in catalog.untranslated_entries()]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries()]
    assert not untranslated, f"{lang}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{lang}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_source(lang):
    source = {
        (e.msgctxt, e.msgid): e for e in polib.pofile(str(po_path(lang))).translated_entries()
    }
    compiled = polib.mofile(str(po_path(lang).with_suffix(".mo")))
    compiled_entries = {(e.msgctxt, e.msgid): e for e in compiled if e.msgid}
    assert set(compiled_entries) == set(source), "run `make messages` and commit the .mo files"
    for key, entry in source.items():
        assert compiled_entries[key].msgstr == entry.msgstr or compiled_entries[key].msgstr_plural


def test_every_marked_string_is_in_the_catalogs(tmp_path):
    """Extract strings from a copy of the source and compare with the committed catalogs."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("gettext (xgettext) is missing: apt-get install gettext")
        pytest.skip("gettext is not installed")
    copy = tmp_path / "okno"
    shutil.copytree(ROOT / "okno", copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "okno.settings", "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "makemessages",
            "-l",
            "ru",
            "-l",
            "uk",
            "--no-location",
            "--no-obsolete",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    for lang in LANGUAGES:
        fresh = {
            e.msgid for e in polib.pofile(str(copy / "locale" / lang / "LC_MESSAGES" / "django.po"))
        }
        committed = {e.msgid for e in polib.pofile(str(po_path(lang)))}
        missing = sorted(fresh - committed)
        assert not missing, f"{lang}: run `make messages`; not in the catalog: {missing[:10]}"
