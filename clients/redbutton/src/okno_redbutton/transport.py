"""Posting a report to Okno with urllib, and telling "try later" from "will never work"."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from . import __version__, i18n
from .i18n import _

RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}


@dataclass
class Outcome:
    """``sent``: the server accepted it; ``retry``: keep it queued; otherwise a final refusal."""

    sent: bool
    retry: bool
    status: int | None
    ticket: int | None = None
    message: str = ""
    body: dict[str, Any] | None = None
    retry_after: int | None = None


def post_report(url: str, token: str, payload: dict[str, Any], timeout: float = 10.0) -> Outcome:
    if not url.startswith(("https://", "http://")):
        return Outcome(
            sent=False, retry=False, status=None, message=_("the server must be an http(s) URL")
        )
    data = json.dumps(payload).encode("utf-8")
    scheme = "Bearer" if token.startswith("okno_") else "Device"
    request = urllib.request.Request(  # noqa: S310 - the configured https URL
        url,
        data=data,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"{scheme} {token}",
            "User-Agent": f"okno-redbutton/{__version__}",
            # the server's own words (refusals, limits) in the person's language
            "Accept-Language": i18n.language(),
        },
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 - scheme checked above
            request, timeout=timeout, context=ssl.create_default_context()
        ) as response:
            body = _json(response.read())
            return Outcome(
                sent=True,
                retry=False,
                status=response.status,
                ticket=body.get("ticket") if isinstance(body.get("ticket"), int) else None,
                message=str(body.get("message", "")),
                body=body,
            )
    except urllib.error.HTTPError as exc:
        body = _json(exc.read())
        found = body.get("error")
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        message = str(error.get("message") or exc.reason)
        fields = error.get("fields") or {}
        if fields:
            message += " " + "; ".join(
                f"{name}: {' '.join(map(str, msgs))}" for name, msgs in fields.items()
            )
        retry_after = None
        header = exc.headers.get("Retry-After") if exc.headers else None
        if header and header.isdigit():
            retry_after = int(header)
        return Outcome(
            sent=False,
            retry=exc.code in RETRY_STATUSES,
            status=exc.code,
            ticket=error.get("ticket") if isinstance(error.get("ticket"), int) else None,
            message=message,
            body=body,
            retry_after=retry_after,
        )
    except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(
            sent=False,
            retry=True,
            status=None,
            message=_("server not reachable: %(reason)s") % {"reason": reason},
        )


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8", "replace"))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
