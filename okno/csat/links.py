"""Signed, expiring one-click rating links for the resolution email.

The token names the ticket and the resolution (``reopen_count``) it rates; it carries no
permission by itself — the rating page still requires the requester to be signed in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "okno.csat.rating"
DEFAULT_MAX_AGE_DAYS = 30


def max_age_seconds() -> int:
    """Links expire after ``CSAT_LINK_DAYS`` days (default 30)."""
    return int(getattr(settings, "CSAT_LINK_DAYS", DEFAULT_MAX_AGE_DAYS)) * 86400


def make_token(ticket: Any) -> str:
    return signing.dumps({"t": ticket.pk, "r": ticket.reopen_count}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, int]:
    """(ticket id, reopen count); raises ``signing.BadSignature`` (or ``SignatureExpired``)."""
    data = signing.loads(token, salt=SALT, max_age=max_age_seconds())
    if not isinstance(data, dict) or not isinstance(data.get("t"), int):
        raise signing.BadSignature("malformed rating token")
    return int(data["t"]), int(data.get("r", 0))


def rating_path(ticket: Any) -> str:
    return reverse("csat:rate", args=[make_token(ticket)])


def rating_url(ticket: Any) -> str:
    """The absolute link for emails (``BASE_URL`` + path)."""
    return settings.BASE_URL.rstrip("/") + rating_path(ticket)
