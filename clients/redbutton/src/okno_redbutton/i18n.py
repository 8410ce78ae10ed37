"""Translations with the standard library's ``gettext``; the catalogs ship in ``locale/``.

The language is chosen once per run (``setup``): ``--lang``, else ``OKNO_LANG``, else the system
locale (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, the first one set decides), else
English. A language without a catalog is English. Until ``setup`` runs (library use, tests)
everything is English, so importing the package never depends on the caller's locale.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "okno_redbutton"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "ru", "uk")
DEFAULT = "en"
SYSTEM_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def language() -> str:
    """The language in use (``en``, ``ru`` or ``uk``)."""
    return _language


def normalize(value: str | None) -> str | None:
    """``uk_UA.UTF-8`` → ``uk``; ``C``, ``POSIX``, empty and unknown languages → None."""
    code = (value or "").strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0]
    code = code.lower()
    return code if code in LANGUAGES else None


def resolve(requested: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """Which language to speak: the flag, ``OKNO_LANG``, the system locale, English."""
    env = os.environ if env is None else env
    if requested:
        return normalize(requested) or DEFAULT
    if env.get("OKNO_LANG"):
        return normalize(env["OKNO_LANG"]) or DEFAULT
    for name in SYSTEM_VARIABLES:
        value = env.get(name)
        if not value:
            continue
        # LANGUAGE is a priority list ("uk:ru:en"): the first language we have wins
        for candidate in value.split(":") if name == "LANGUAGE" else [value]:
            found = normalize(candidate)
            if found:
                return found
        return DEFAULT  # e.g. LC_ALL=C or de_DE: the system asks for a language we lack
    return DEFAULT


def setup(requested: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """Choose the language and load its catalog; returns the language code."""
    global _translation, _language
    chosen = resolve(requested, env)
    _translation = gettext.translation(
        DOMAIN, localedir=str(LOCALE_DIR), languages=[chosen], fallback=True
    )
    _language = (
        chosen
        if chosen == DEFAULT or isinstance(_translation, gettext.GNUTranslations)
        else DEFAULT
    )
    return _language
