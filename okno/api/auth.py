"""Who is calling: personal API tokens for programs, the session cookie for the browser.

- ``Authorization: Bearer okno_…`` (or ``Token okno_…``): the token is hashed with
  :func:`okno.accounts.models.hash_token` and looked up by hash; revoked or expired tokens and
  inactive users get 401. ``last_used_at`` is written at most once a minute.
- A signed-in browser session works too (for the UI's own calls); unsafe methods then need the
  CSRF token (``X-CSRFToken`` header), like any Django form.

A request that carries an ``Authorization`` header is judged by it alone: a bad token never
falls back to the session cookie.

Scopes (``ApiToken.scopes``, :class:`okno.accounts.models.TokenScope`) are enforced here, for
every router, by path and method — routers need not check them:

- ``read``: safe methods (GET, HEAD, OPTIONS) anywhere in the API.
- ``write``: every method anywhere ("read and write"); the default is ``["read", "write"]``.
- ``events``: any method on the monitoring intake, ``/api/v1/events`` and ``/api/v1/events/…``.
- ``redbutton``: any method on ``/api/v1/redbutton/…``.

A token whose scopes do not cover the call gets 403 with code ``insufficient_scope`` (so an
``events``-only token cannot read tickets, and a ``read`` token cannot write). The browser
session has no scopes: it acts with the user's full rights (plus CSRF).

The contract for handlers (the events and Red Button routers rely on it):

- ``request.auth`` is the :class:`~okno.accounts.models.User` (for tokens and sessions alike);
- ``request.okno_token`` is the :class:`~okno.accounts.models.ApiToken` used, or ``None`` for a
  session call (``request.api_token`` is the same object, kept for older code); a handler may
  look at ``request.okno_token.allows("events")`` or ``.scopes`` for finer decisions;
- ``request.request_id`` is the request id (see ``okno.api.middleware``).

Rate limiting (:class:`ApiRateThrottle`) counts per token, or per user for session calls, and
answers 429 with ``Retry-After`` (seconds) when the ``API_RATE_LIMIT`` budget is spent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.throttling import SimpleRateThrottle
from ninja.utils import check_csrf

from okno.accounts.models import ApiToken, TokenScope, User, hash_token

from .errors import ApiError
from .token_lookup import token_by_hash

TOUCH_INTERVAL = timedelta(minutes=1)
SCHEMES = {"bearer", "token"}
DEFAULT_RATE = "600/min"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# First path segment under /api/v1/ -> the narrow scope that unlocks it (besides read/write).
NARROW_ROUTES = {"events": TokenScope.EVENTS.value, "redbutton": TokenScope.REDBUTTON.value}


def api_path(request: HttpRequest) -> str:
    """The path under the API root, without slashes at the ends: ``"tickets/7/articles"``."""
    path = request.path_info
    root = _api_root()
    if path.startswith(root):
        path = path[len(root) :]
    return path.strip("/")


def _api_root() -> str:
    from django.urls import reverse

    return reverse("api:api-root")


def accepted_scopes(method: str, path: str) -> set[str]:
    """Any one of these scopes lets a token make this call."""
    accepted = {TokenScope.READ.value, TokenScope.WRITE.value}
    if method.upper() not in SAFE_METHODS:
        accepted = {TokenScope.WRITE.value}
    narrow = NARROW_ROUTES.get(path.split("/", 1)[0])
    if narrow is not None:
        accepted.add(narrow)
    return accepted


def check_scopes(api_token: ApiToken, request: HttpRequest) -> None:
    """403 ``insufficient_scope`` unless one of the token's scopes covers this call."""
    method = request.method or "GET"
    accepted = accepted_scopes(method, api_path(request))
    if any(api_token.allows(scope) for scope in accepted):
        return
    scopes = ", ".join(str(s) for s in api_token.scopes) or "-"
    if TokenScope.READ.value in api_token.scopes:
        message = _("This token is read-only (scopes: %(scopes)s).")
    else:
        message = _("This token may not be used here (scopes: %(scopes)s).")
    raise ApiError(403, message % {"scopes": scopes}, code="insufficient_scope")


class TokenAuth(HttpBearer):
    """Personal API token in the ``Authorization`` header."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _sep, raw = header.strip().partition(" ")
        if scheme.lower() not in SCHEMES:
            raise AuthenticationError(message=_("Use “Authorization: Bearer <token>”."))
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        api_token = None
        if token.startswith(ApiToken.PREFIX):
            api_token = token_by_hash(hash_token(token))
        if api_token is None or not api_token.is_usable or not api_token.user.is_active:
            raise AuthenticationError(message=_("The API token is invalid, expired or revoked."))
        _touch(api_token)
        request.api_token = api_token  # type: ignore[attr-defined]
        request.okno_token = api_token  # type: ignore[attr-defined]
        user = api_token.user
        if user.language:  # the session middleware did this for browsers; tokens arrive later
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        request.user = user
        check_scopes(api_token, request)
        return user


def _touch(api_token: ApiToken) -> None:
    """Record use, but write at most once a minute per token."""
    now = timezone.now()
    if api_token.last_used_at is not None and now - api_token.last_used_at < TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    api_token.last_used_at = now


class SessionAuth(NinjaSessionAuth):
    """The Django session of a signed-in browser, with CSRF protection on unsafe methods."""

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" in request.headers:
            return None  # the token decides alone
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        request.okno_token = None  # type: ignore[attr-defined]
        return super().__call__(request)

    def _get_key(self, request: HttpRequest) -> str | None:
        if check_csrf(request):
            raise ApiError(
                403,
                _("CSRF check failed: send the X-CSRFToken header with session requests."),
                code="csrf_failed",
            )
        return request.COOKIES.get(self.param_name)


class ApiRateThrottle(SimpleRateThrottle):
    """Per token (or per signed-in user for session calls); rate from ``API_RATE_LIMIT``.

    The rate is re-read on every request so it can be changed in settings (and tests) without
    rebuilding the API; an empty value turns throttling off.
    """

    scope = "okno_api"

    def __init__(self) -> None:
        super().__init__(rate=DEFAULT_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        rate = getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE)
        if not rate:
            return True
        self.rate = rate
        self.num_requests, self.duration = self.parse_rate(rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        api_token = getattr(request, "api_token", None)
        if api_token is not None:
            ident = f"token-{api_token.pk}"
        elif getattr(request, "auth", None) is not None:
            ident = f"user-{request.auth.pk}"  # type: ignore[attr-defined]
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
