"""A light suffix stripper for Russian, Ukrainian and English search terms.

Pure Python, no Django. It is applied at query time: the stem is searched as a *prefix*
(``принтер*``), so "принтера", "принтером" and "принтерів" all find "принтер" and the other way
round, on SQLite FTS5 (which has no Russian stemmer) and, for Ukrainian, on PostgreSQL (which
has no Ukrainian dictionary). It is deliberately conservative: it removes one inflectional
ending and keeps at least ``MIN_STEM`` letters, so it over-matches a little (a prefix search)
rather than missing word forms. Alternating stems (день/дня) are not handled.
"""

from __future__ import annotations

import re

MIN_STEM = 4
"""Shortest stem kept: shorter words are searched as they are (still as a prefix)."""

# Endings of nouns, adjectives, participles and verbs, longest first within each list.
_CYRILLIC_ENDINGS = sorted(
    {
        # Russian adjectives / participles
        "ейшими", "ейшего", "ейшему", "ующего", "ующему", "ующими",
        "ого", "его", "ому", "ему", "ыми", "ими", "ых", "их", "ой", "ей", "ий", "ый", "ая",
        "яя", "ое", "ее", "ую", "юю",
        # Russian nouns
        "ами", "ями", "иями", "ием", "иях", "иям", "ов", "ев", "ам", "ям", "ах", "ях", "ом",
        "ем", "ию", "ия", "ья", "ье", "ью", "ьи", "а", "я", "о", "е", "и", "ы", "у",
        "ю", "ь", "й",
        # Russian verbs
        "ировать", "ировал", "ирует", "ать", "ять", "ить", "еть", "уть", "ешь", "ет", "ут",
        "ют", "ит", "ят", "им", "ал", "ял", "ил", "ел", "ала", "яла", "ила", "ела",
        "али", "яли", "или", "ели", "ается", "ется", "ится", "ются", "ятся", "ся",
        # Ukrainian
        "ові", "еві", "ів", "їв", "ою", "ею", "ій", "ої", "ім", "і", "ї", "є", "ти", "ть",
        "ють", "ує", "ного", "ному", "ними", "ної", "ною",
    },
    key=len,
    reverse=True,
)  # fmt: skip
_ENGLISH_ENDINGS = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s")
_CYRILLIC = re.compile(r"[а-яёіїєґ]")
_WORD = re.compile(r"\w+", re.UNICODE)


def normalize(word: str) -> str:
    """Lower case, ``ё`` as ``е``, apostrophes of Ukrainian words dropped."""
    return word.lower().replace("ё", "е").replace("’", "").replace("'", "")


def stem(word: str) -> str:
    """The stem of one word: a prefix of ``normalize(word)``, never shorter than needed."""
    word = normalize(word)
    if len(word) <= MIN_STEM or not word.isalpha():
        return word
    endings = _CYRILLIC_ENDINGS if _CYRILLIC.search(word) else _ENGLISH_ENDINGS
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def words(text: str, *, limit: int = 12) -> list[str]:
    """The searchable words of a query, in order, without duplicates."""
    seen: list[str] = []
    for match in _WORD.finditer(text or ""):
        token = normalize(match.group(0)).strip("_")
        if token and token not in seen:
            seen.append(token)
        if len(seen) >= limit:
            break
    return seen


def query_stems(text: str, *, limit: int = 12) -> list[str]:
    """Stems to search as prefixes, one per query word."""
    return [stem(word) for word in words(text, limit=limit)]
