"""Macro text substitution: ``{{ requester.first_name }}`` and friends, nothing else.

Macros are written by agents and admins, so they are NOT rendered by a template engine: only
names in the given mapping are replaced, values are inserted as plain text, no attribute
lookups, filters, tags or loops exist. Unknown names are left as they are, so a typo shows.
Pure module: no Django import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

VARIABLE = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")

# The names a macro may use (documented in docs/desk.md and the admin help text).
VARIABLES = (
    "requester.first_name",
    "requester.name",
    "requester.email",
    "ticket.number",
    "ticket.title",
    "ticket.status",
    "agent.first_name",
    "agent.name",
)


def render(text: str, values: Mapping[str, str]) -> str:
    """Replace each known ``{{ name }}`` with its value, in one pass (values are not rescanned)."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        return match.group(0)

    return VARIABLE.sub(substitute, text)


def unknown_variables(text: str) -> list[str]:
    """Names used in ``text`` that are not in VARIABLES (for admin validation)."""
    return sorted({m.group(1) for m in VARIABLE.finditer(text)} - set(VARIABLES))


def pick_variant(variants: Mapping[str, str], language: str, fallback: str = "") -> str | None:
    """The variant key for a language: exact (``uk``), base (``pt`` for ``pt-br``), any-language
    (``""``), the site's fallback language, else None."""
    language = (language or "").lower()
    for key in (language, language.split("-")[0], "", fallback):
        if key in variants:
            return key
    return None
