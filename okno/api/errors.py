"""One error shape for every API failure.

Every non-2xx response under ``/api/v1/`` has the body::

    {"error": {"code": "validation_error", "message": "…", "fields": {"title": ["…"]},
               "request_id": "4f1c…"}}

``code`` is stable for programs, ``message`` is for people (translated), ``fields`` maps input
names to their problems (empty when the error is not about one field), ``request_id`` is the
``X-Request-ID`` of the response (quote it when reporting a problem; it is in the server log). Handlers are registered
on the NinjaAPI instance by :func:`install_error_handlers`; the 405 and unknown-path responses
that Django/ninja produce outside an operation are rewritten by ``okno.api.api``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from okno.tickets.filters import FilterError

from .middleware import request_id_of

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("okno.api")

# Locations ninja reports for request parts; the first element of an error's ``loc``.
_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}

DEFAULT_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",  # "insufficient_scope" when the token's scopes forbid it
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
}


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}
    request_id: str = Field("", description="The response's X-Request-ID, also in the server log")


class ErrorOut(Schema):
    """The body of every error response."""

    error: ErrorDetail


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response=`` entries documenting the error statuses an operation may return."""
    return dict.fromkeys(statuses, ErrorOut)


class ApiError(Exception):
    """Raise from a handler to answer with a structured error."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        fields: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or DEFAULT_CODES.get(status, "error")
        self.message = message
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}


def invalid(fields: Mapping[str, Iterable[str]], message: str | None = None) -> ApiError:
    """A 400 about specific input fields."""
    return ApiError(
        400,
        message or _("Some fields are not valid."),
        code="validation_error",
        fields=fields,
    )


def error_body(
    code: str,
    message: str,
    fields: Mapping[str, list[str]] | None = None,
    request_id: str = "",
) -> dict:
    error = {"code": code, "message": message, "fields": dict(fields or {})}
    if request_id:
        error["request_id"] = request_id
    return {"error": error}


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    fields: Mapping[str, list[str]] | None = None,
    request: HttpRequest | None = None,
) -> JsonResponse:
    """A structured error outside a ninja operation (405, unknown paths)."""
    rid = request_id_of(request) if request is not None else ""
    return JsonResponse(
        error_body(code or DEFAULT_CODES.get(status, "error"), message, fields, rid),
        status=status,
    )


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """``("body", "payload", "impact")`` -> ``"impact"``; ``("query", "limit")`` -> ``"limit"``."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        # A body schema is nested under its parameter name; drop it when there is more below.
        if source == "body" and len(parts) > 1:
            parts.pop(0)
    return ".".join(str(p) for p in parts) or "body"


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        fields.setdefault(_field_name(err.get("loc", ())), []).append(str(err.get("msg", "")))
    return fields


def django_validation_fields(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {name: [str(m) for m in msgs] for name, msgs in exc.message_dict.items()}
    return {}


def _codes(exc: DjangoValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors if e.code}
    return {e.code for e in exc.error_list if e.code}


def install_error_handlers(api: NinjaAPI) -> None:
    """Register a handler for every failure an operation can raise."""

    def respond(
        request: HttpRequest,
        status: int,
        message: str,
        code: str | None = None,
        fields: Mapping[str, list[str]] | None = None,
    ) -> HttpResponse:
        body = error_body(
            code or DEFAULT_CODES.get(status, "error"), message, fields, request_id_of(request)
        )
        response = api.create_response(request, body, status=status)
        if status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="okno"'
        return response

    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return respond(request, exc.status, exc.message, exc.code, exc.fields)

    def on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return respond(
            request,
            400,
            _("Some fields are not valid."),
            "validation_error",
            validation_fields(exc.errors),
        )

    def on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        fields = django_validation_fields(exc)
        status, code = (413, "too_large") if "too_large" in _codes(exc) else (400, None)
        message = " ".join(exc.messages) if not fields else _("Some fields are not valid.")
        return respond(request, status, message, code or "validation_error", fields)

    def on_filter_error(request: HttpRequest, exc: FilterError) -> HttpResponse:
        return respond(
            request,
            400,
            _("Some filters are not valid."),
            "validation_error",
            {exc.field: [exc.message]},
        )

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, str(exc) or _("You may not do this."))

    def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The same answer whether the object does not exist or belongs to someone else.
        return respond(request, 404, _("Not found."))

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = exc.message if exc.message != "Unauthorized" else ""
        return respond(request, 401, message or _("Authentication required."))

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        return respond(request, 429, _("Too many requests. Slow down and retry later."))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, exc.status_code, str(exc))

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return respond(request, 413, _("The request body is too large."))

    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        return respond(request, 400, _("The request could not be processed."))

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception(
            "Unhandled API error on %s %s [request_id=%s]",
            request.method,
            request.path,
            request_id_of(request),
        )
        return respond(request, 500, _("Something went wrong on our side. Please try again."))

    handlers: list[tuple[type[Exception], Any]] = [
        (ApiError, on_api_error),
        (NinjaValidationError, on_ninja_validation),
        (DjangoValidationError, on_django_validation),
        (FilterError, on_filter_error),
        (PermissionDenied, on_permission_denied),
        (Http404, on_not_found),
        (ObjectDoesNotExist, on_not_found),
        (AuthenticationError, on_authentication),
        (Throttled, on_throttled),
        (HttpError, on_http_error),
        (RequestDataTooBig, on_too_big),
        (TooManyFieldsSent, on_suspicious),
        (SuspiciousOperation, on_suspicious),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
