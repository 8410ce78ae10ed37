"""Line diff between two article versions, for the version history page. Pure Python."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_BLOCK_END = re.compile(r"(</(?:p|h[1-6]|li|ul|ol|pre|blockquote|tr|table)>|<br\s*/?>|<hr\s*/?>)")


@dataclass(frozen=True)
class DiffLine:
    op: str  # " " unchanged, "+" added, "-" removed, "@" a hunk header
    text: str


def source_lines(body_html: str) -> list[str]:
    """One line per block of the (sanitized) HTML, so a change shows where it happened."""
    split = _BLOCK_END.sub(lambda m: m.group(1) + "\n", body_html or "")
    return [line.strip() for line in split.splitlines() if line.strip()]


def diff_versions(
    old_title: str, old_html: str, new_title: str, new_html: str, *, context: int = 3
) -> list[DiffLine]:
    old = [f"# {old_title}", *source_lines(old_html)]
    new = [f"# {new_title}", *source_lines(new_html)]
    lines: list[DiffLine] = []
    for raw in difflib.unified_diff(old, new, lineterm="", n=context):
        if raw.startswith(("---", "+++")):
            continue
        if raw.startswith("@@"):
            lines.append(DiffLine("@", raw))
        else:
            lines.append(DiffLine(raw[:1] or " ", raw[1:]))
    return lines
