"""The widget's public endpoints: the script, its configuration and the submit endpoint.

Everything here is reached from other websites, so: no cookies are read (``credentials:
"omit"`` on the client, no ``request.user`` here), CSRF is replaced by an Origin check against
the widget's allowed origins, and only those origins get ``Access-Control-Allow-Origin`` — the
browser keeps every other site from even reading the answers.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from okno.tickets.attachments import NewAttachment

from . import actions
from .models import Widget

# Under templates/ so that packaging ships it; read as a file, not rendered as a template.
SCRIPT = Path(__file__).resolve().parent / "templates" / "widget" / "widget.js"
PREFLIGHT_MAX_AGE = "600"


@cache
def _script_source() -> str:
    return SCRIPT.read_text(encoding="utf-8")


def _strings() -> dict[str, str]:
    """Every text the script shows, in the visitor's language (from Accept-Language)."""
    return {
        "button": _("Contact support"),
        "title": _("Contact support"),
        "intro": _("Send us a message; we answer by email."),
        "name": _("Your name"),
        "email": _("Email"),
        "message": _("How can we help?"),
        "attachments": _("Attachments (optional)"),
        "honeypot": _("Leave this field empty"),
        "send": _("Send"),
        "sending": _("Sending…"),
        "cancel": _("Cancel"),
        "close": _("Close"),
        "thanks": _("Thank you! Your request {number} has been registered."),
        "followup": _("We will answer you at {email}."),
        "unreachable": _(
            "The service desk could not be reached from this page. Please try again later."
        ),
        "failed": _("Something went wrong. Please try again."),
        "required": _("required"),
    }


def widget_js(request: HttpRequest) -> HttpResponse:
    """The embeddable script, with its texts in the visitor's language."""
    strings = json.dumps(_strings(), ensure_ascii=True).replace("<", "\\u003c")
    response = HttpResponse(
        _script_source().replace("__OKNO_STRINGS__", strings),
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=300"
    patch_vary_headers(response, ["Accept-Language"])
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _error(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status
    )


def _with_cors(response: HttpResponse, widget: Widget | None, origin: str | None) -> HttpResponse:
    """Let the browser hand the answer to the page only when the page's origin is allowed."""
    patch_vary_headers(response, ["Origin"])
    if widget is not None and origin and widget.allows_origin(origin):
        response["Access-Control-Allow-Origin"] = origin
    return response


def _preflight(widget: Widget | None, origin: str | None, methods: str) -> HttpResponse:
    if widget is None or not widget.allows_origin(origin):
        return _with_cors(
            _error(403, "origin_not_allowed", _("This website may not use this widget.")),
            None,
            None,
        )
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = methods
    response["Access-Control-Allow-Headers"] = "Content-Type, Accept"
    response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return _with_cors(response, widget, origin)


def _widget(public_id: str) -> Widget | None:
    return (
        Widget.objects.select_related("service").filter(public_id=public_id, enabled=True).first()
    )


def _not_found() -> JsonResponse:
    return _error(404, "not_found", _("This widget does not exist or is switched off."))


@csrf_exempt
@require_http_methods(["GET", "OPTIONS"])
def config(request: HttpRequest, public_id: str) -> HttpResponse:
    """What the script needs to draw the form; readable only by allowed origins."""
    widget = _widget(public_id)
    origin = request.headers.get("Origin")
    if request.method == "OPTIONS":
        return _preflight(widget, origin, "GET, OPTIONS")
    if widget is None:
        return _not_found()
    data: dict[str, Any] = {
        "honeypot": widget.honeypot_field,
        "max_files": actions.MAX_FILES,
        "max_file_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "service": widget.service.name if widget.service else "",
    }
    return _with_cors(JsonResponse(data), widget, origin)


def client_address(request: HttpRequest) -> str:
    """The visitor's IP. Behind a proxy (OKNO_BEHIND_PROXY) the last X-Forwarded-For entry,
    the one our own proxy appended, is used; the rest of that header is client-controlled."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [p.strip() for p in request.headers.get("X-Forwarded-For", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1]
    return str(request.META.get("REMOTE_ADDR", ""))


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def submit(request: HttpRequest, public_id: str) -> HttpResponse:
    """Open a ticket from the widget's form (multipart: name, email, message, attachments)."""
    widget = _widget(public_id)
    origin = request.headers.get("Origin")
    if request.method == "OPTIONS":
        return _preflight(widget, origin, "POST, OPTIONS")
    if widget is None:
        return _not_found()
    if not widget.allows_origin(origin):
        return _with_cors(
            _error(403, "origin_not_allowed", _("This website may not use this widget.")),
            None,
            None,
        )
    return _with_cors(_submit(request, widget, origin or ""), widget, origin)


def _submit(request: HttpRequest, widget: Widget, origin: str) -> JsonResponse:
    try:
        data, files = request.POST, request.FILES.getlist("attachments")
    except RequestDataTooBig:
        return _error(413, "too_large", _("The message is too large."))
    if sum(f.size or 0 for f in files) > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        message = _("Attachments may be %(limit)d MB in total.") % {"limit": limit}
        return _error(400, "validation_error", message, {"attachments": [message]})
    try:
        ticket = actions.submit_request(
            widget,
            name=data.get("name", ""),
            email=data.get("email", ""),
            message=data.get("message", ""),
            attachments=[NewAttachment(f.name or "file", f.read()) for f in files],
            honeypot=data.get(widget.honeypot_field, ""),
            page_url=data.get("page", ""),
            origin=origin,
            address=client_address(request),
        )
    except actions.RateLimited as exc:
        response = _error(
            429,
            "rate_limited",
            _("Too many requests from your address. Please try again in %(minutes)d minutes.")
            % {"minutes": max(1, round(exc.retry_after / 60))},
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    except actions.Spam:
        return _error(400, "rejected", _("This request looks automated and was not accepted."))
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return _error(400, "validation_error", _("Please correct the marked fields."), dict(fields))
    return JsonResponse(
        {
            "ticket": {"number": ticket.number, "reference": ticket.reference},
            "message": _("Thank you! Your request %(reference)s has been registered.")
            % {"reference": ticket.reference},
        },
        status=201,
    )
