"""Find @mentions in a note's text (pure: no Django import).

Two forms: ``@alice`` (the local part of an agent's email address) and ``@"Alice Agent"``
(the full name in straight or typographic quotes). An ``@`` inside a word — an email address
like ``bob@example.com`` — is not a mention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Local part of an address: letters, digits and . _ % + - (no trailing dot).
_HANDLE = re.compile(r"(?<![\w@.])@([A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*)")
_NAME = re.compile(r"(?<![\w@])@[\"“«]([^\"”»\n]{1,200})[\"”»]")


@dataclass(frozen=True)
class Mentions:
    handles: frozenset[str] = field(default_factory=frozenset)  # lower-cased local parts
    names: frozenset[str] = field(default_factory=frozenset)  # case-folded, spaces collapsed

    def __bool__(self) -> bool:
        return bool(self.handles or self.names)


def normalize_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def parse_mentions(text: str) -> Mentions:
    """The handles and names mentioned in ``text``."""
    names = {normalize_name(m.group(1)) for m in _NAME.finditer(text)}
    names.discard("")
    without_names = _NAME.sub(" ", text)
    handles = set()
    for match in _HANDLE.finditer(without_names):
        end = match.end()
        if end < len(without_names) and without_names[end] == "@":
            continue  # part of an address: a@b@c
        handles.add(match.group(1).lower())
    return Mentions(handles=frozenset(handles), names=frozenset(names))
