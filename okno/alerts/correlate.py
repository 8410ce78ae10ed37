"""Pure core of alert handling: severity, flapping and correlation. No Django here.

Why a separate core: the rules that decide "one ticket or a hundred" must be easy to reason
about and to test exhaustively (``tests/alerts/test_correlate.py`` drives them with hypothesis),
and they must not depend on how the database happens to store incidents.

Correlation, in one paragraph: every alert that is not a repeat would open its own incident.
Within a sliding ``window``, a second distinct alert for the same configuration item (service or
host — the *key*) turns the first incident into a child of a new **mass incident** for that key;
when a source produces ``storm_after`` separate top-level incidents within the window ("the whole
infrastructure fell over"), one **major incident** adopts them all, and every later alert of the
storm becomes its child. A parent takes at most ``max_children`` child tickets; beyond that an
alert joins the parent's timeline without a ticket of its own, so a storm of any size yields a
bounded number of tickets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

SEVERITIES = ("critical", "high", "warning", "info")
DEFAULT_SEVERITY = "warning"
MAJOR = "*"  # the key of a source-wide major incident

_SEVERITY_ALIASES = {
    "critical": "critical",
    "crit": "critical",
    "disaster": "critical",
    "fatal": "critical",
    "emergency": "critical",
    "emerg": "critical",
    "alert": "critical",
    "page": "critical",
    "p1": "critical",
    "sev1": "critical",
    "5": "critical",
    "high": "high",
    "error": "high",
    "err": "high",
    "major": "high",
    "p2": "high",
    "sev2": "high",
    "4": "high",
    "warning": "warning",
    "warn": "warning",
    "average": "warning",
    "medium": "warning",
    "minor": "warning",
    "p3": "warning",
    "sev3": "warning",
    "3": "warning",
    "2": "warning",
    "info": "info",
    "information": "info",
    "informational": "info",
    "notice": "info",
    "low": "info",
    "debug": "info",
    "none": "info",
    "not classified": "info",
    "ok": "info",
    "p4": "info",
    "p5": "info",
    "sev4": "info",
    "1": "info",
    "0": "info",
}

# severity -> (impact, urgency) on the 1 (high) .. 3 (low) scale of the priority matrix
_IMPACT_URGENCY = {
    "critical": (1, 1),
    "high": (2, 1),
    "warning": (2, 2),
    "info": (3, 3),
}


def normalize_severity(value: object, default: str = DEFAULT_SEVERITY) -> str:
    """Map the many spellings monitoring tools use onto critical / high / warning / info."""
    if value is None:
        return default
    text = str(value).strip().lower()
    return _SEVERITY_ALIASES.get(text, default)


def impact_urgency(severity: str) -> tuple[int, int]:
    """Severity decides impact and urgency; the priority matrix turns those into a priority."""
    return _IMPACT_URGENCY.get(severity, _IMPACT_URGENCY[DEFAULT_SEVERITY])


def worst(first: str, second: str) -> str:
    """The more severe of two severities."""
    rank = {name: index for index, name in enumerate(SEVERITIES)}
    return first if rank.get(first, 2) <= rank.get(second, 2) else second


# --- flapping -------------------------------------------------------------------------------


def recent_changes(
    changes: Sequence[datetime], now: datetime, *, window: timedelta, keep: int
) -> list[datetime]:
    """The state changes inside ``window`` before ``now``, oldest first, at most ``keep``."""
    inside = sorted(c for c in changes if now - window <= c <= now)
    return inside[-keep:] if keep > 0 else []


def is_flapping(
    changes: Sequence[datetime], now: datetime, *, threshold: int, window: timedelta
) -> bool:
    """``threshold`` or more state changes (firing <-> resolved) within ``window``."""
    if threshold <= 0:
        return False
    return len(recent_changes(changes, now, window=window, keep=threshold)) >= threshold


# --- correlation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """How eagerly alerts are grouped; each alert source has its own."""

    window: timedelta = timedelta(minutes=10)
    group_after: int = 2  # distinct alerts of one key within the window -> a mass incident
    storm_after: int = 5  # separate top-level incidents of a source -> one major incident
    max_children: int = 50  # child tickets per parent; later alerts join its timeline


@dataclass(frozen=True)
class OpenIncident:
    """An open incident that alerts of this source created, as correlation sees it."""

    ticket_id: int
    key: str  # the configuration item; MAJOR for a major incident; "" when unknown
    last_at: datetime  # when an alert last joined it
    parent_id: int | None = None
    is_group: bool = False  # a mass or major incident opened by correlation
    children: int = 0


class Action(StrEnum):
    OPEN = "open"  # a standalone incident
    CHILD = "child"  # an incident under ``parent_id``
    GROUP = "group"  # a new parent for ``group_key`` adopting ``adopt``; the alert its child
    # (or, with ``attach``, joining it without a ticket when the adopted fill it already)
    ATTACH = "attach"  # no ticket of its own: the alert joins ``parent_id``


@dataclass(frozen=True)
class Decision:
    action: Action
    parent_id: int | None = None
    group_key: str = ""
    adopt: tuple[int, ...] = ()
    attach: bool = False


def _latest_group(incidents: Sequence[OpenIncident], key: str) -> OpenIncident | None:
    groups = [i for i in incidents if i.is_group and i.key == key]
    return max(groups, key=lambda i: (i.last_at, i.ticket_id)) if groups else None


def decide(
    key: str, now: datetime, open_incidents: Sequence[OpenIncident], policy: Policy
) -> Decision:
    """Where a new (not repeated) alert for ``key`` goes, given the source's open incidents."""
    recent = [i for i in open_incidents if now - i.last_at <= policy.window]
    parent = (_latest_group(recent, key) if key else None) or _latest_group(recent, MAJOR)
    if parent is not None:
        if parent.children < policy.max_children:
            return Decision(Action.CHILD, parent_id=parent.ticket_id)
        return Decision(Action.ATTACH, parent_id=parent.ticket_id)
    top = [i for i in recent if i.parent_id is None]
    if key and key != MAJOR and policy.group_after >= 2:
        same = [i for i in top if not i.is_group and i.key == key]
        if len(same) + 1 >= policy.group_after:
            return _group(key, same, policy)
    if policy.storm_after >= 2 and len(top) + 1 >= policy.storm_after:
        return _group(MAJOR, top, policy)
    return Decision(Action.OPEN)


def _group(key: str, adopt: Sequence[OpenIncident], policy: Policy) -> Decision:
    return Decision(
        Action.GROUP,
        group_key=key,
        adopt=tuple(sorted(i.ticket_id for i in adopt)),
        attach=len(adopt) >= policy.max_children,
    )


def ticket_bound(policy: Policy) -> int:
    """The most tickets one burst inside one window can open (a property the tests check).

    Before the storm there are fewer than ``storm_after`` top-level incidents, each at most a
    mass incident with ``max_children`` children; then one major incident with its children.
    (A parent may hold more children than ``max_children`` only by adopting existing tickets.)
    """
    before = max(policy.storm_after - 1, 0) * (1 + policy.max_children)
    return before + 1 + policy.max_children
