"""Routing rules: which team, service, type and priority a new ticket from email gets.

Rules are evaluated in order; the first one whose conditions all match wins. Matching is
case-insensitive; keywords match anywhere in the text, senders match a full address or a
domain (``@acme.test`` or ``acme.test``), recipients match To or Cc addresses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .parse import InboundMessage

_SEPARATORS = re.compile(r"[,\n;]+")


def split_list(value: str) -> list[str]:
    return [item.strip().casefold() for item in _SEPARATORS.split(value or "") if item.strip()]


def _sender_matches(patterns: list[str], address: str) -> bool:
    address = address.casefold()
    domain = address.rsplit("@", 1)[-1]
    for pattern in patterns:
        if "@" in pattern and not pattern.startswith("@"):
            if address == pattern:
                return True
        elif domain == pattern.lstrip("@") or domain.endswith("." + pattern.lstrip("@")):
            return True
    return False


@dataclass
class RuleCheck:
    """Why a rule matched or not, for the admin's "test this message" view."""

    rule: Any
    matched: bool
    reasons: list[str] = field(default_factory=list)


def check_rule(rule: Any, msg: InboundMessage) -> RuleCheck:
    reasons: list[str] = []
    matched = True
    subject = msg.subject.casefold()
    text = f"{msg.subject}\n{msg.body_text}".casefold()
    if words := split_list(rule.subject_keywords):
        hit = next((w for w in words if w in subject), None)
        reasons.append(f"subject: {hit!r}" if hit else "subject: no keyword")
        matched &= hit is not None
    if words := split_list(rule.body_keywords):
        hit = next((w for w in words if w in text), None)
        reasons.append(f"body: {hit!r}" if hit else "body: no keyword")
        matched &= hit is not None
    if senders := split_list(rule.senders):
        ok = _sender_matches(senders, msg.from_address)
        reasons.append(f"sender {msg.from_address}: {'yes' if ok else 'no'}")
        matched &= ok
    if recipients := split_list(rule.recipients):
        addresses = {a.address.casefold() for a in [*msg.to, *msg.cc]}
        hit = next((r for r in recipients if r in addresses), None)
        reasons.append(f"recipient: {hit}" if hit else "recipient: none of the list")
        matched &= hit is not None
    return RuleCheck(rule=rule, matched=matched, reasons=reasons)


def first_match(rules: Iterable[Any], msg: InboundMessage) -> Any | None:
    for rule in rules:
        if check_rule(rule, msg).matched:
            return rule
    return None


def active_rules() -> list[Any]:
    from okno.ops.refcache import memo

    from .models import RoutingRule

    return memo(
        "mail.routing_rules",
        lambda: list(RoutingRule.objects.filter(enabled=True).select_related("team", "service")),
    )
