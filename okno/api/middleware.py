"""Request ids: every API response carries ``X-Request-ID``, every error body and log line too.

A caller (or a proxy in front of Okno) may send its own ``X-Request-ID``; a sane one (1–128
characters of letters, digits and ``._:-``, e.g. a UUID) is kept so one id follows the request
through every system, anything else is replaced by a fresh random id. The id is

- set on the request as ``request.request_id`` (handlers and log calls may read it),
- sent back in the ``X-Request-ID`` response header,
- written into structured error bodies as ``error.request_id`` (a JSON error produced anywhere
  under the API gets it, even one built by hand),
- part of the API's log lines for errors.

``okno.api.api`` wraps every API view with :func:`with_request_id`, so the API needs no settings
change. :class:`RequestIdMiddleware` does the same for the whole site when listed in
``MIDDLEWARE`` (``"okno.api.middleware.RequestIdMiddleware"``, first in the list); the two
cooperate: the id is assigned once per request.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")

logger = logging.getLogger("okno.api")


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_of(request: HttpRequest) -> str:
    """The request's id, assigning one (the caller's if sane, else a new one) on first use."""
    existing = getattr(request, "request_id", None)
    if existing:
        return str(existing)
    incoming = request.headers.get(HEADER, "").strip()
    rid = incoming if _SANE.match(incoming) else new_request_id()
    request.request_id = rid  # type: ignore[attr-defined]
    return rid


def _add_to_error_body(response: HttpResponse, rid: str) -> None:
    """Put ``request_id`` into a JSON ``{"error": {...}}`` body that lacks it."""
    if response.status_code < 400 or getattr(response, "streaming", False):
        return
    if not response.get("Content-Type", "").startswith("application/json"):
        return
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or error.get("request_id"):
        return
    error["request_id"] = rid
    response.content = json.dumps(body).encode()


def finish_response(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    rid = request_id_of(request)
    response[HEADER] = rid
    _add_to_error_body(response, rid)
    if response.status_code >= 500:
        logger.error(
            "API %s %s -> %s [request_id=%s]",
            request.method,
            request.path,
            response.status_code,
            rid,
        )
    elif response.status_code >= 400:
        logger.info(
            "API %s %s -> %s [request_id=%s]",
            request.method,
            request.path,
            response.status_code,
            rid,
        )
    return response


def with_request_id(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a view so its request has an id and its response carries it."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request_id_of(request)
        return finish_response(request, view(request, *args, **kwargs))

    return wrapper


class RequestIdMiddleware:
    """Site-wide variant: ``X-Request-ID`` on every response, not only the API's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id_of(request)
        response = self.get_response(request)
        response[HEADER] = rid
        _add_to_error_body(response, rid)
        return response
