"""The NinjaAPI instance: authentication, throttling, structured errors, and each app's router.

Mounted at ``/api/v1/`` by ``okno/urls.py``; the OpenAPI document is ``/api/v1/openapi.json``
and the interactive docs ``/api/v1/docs``. The guide is ``docs/api.md``.
"""

from __future__ import annotations

import importlib.util
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.operation import Operation

from .auth import ApiRateThrottle, SessionAuth, TokenAuth
from .errors import error_response, install_error_handlers
from .middleware import with_request_id

DESCRIPTION = """\
The Okno service desk API. Authenticate with a personal API token
(`Authorization: Bearer okno_…`; signed in to Okno, create one here with `POST /tokens`) or,
from the browser, with the session cookie plus the `X-CSRFToken` header on unsafe methods.

Tokens carry scopes: `read` (safe methods), `write` (everything, implies read), `events`
(only `/events…`), `redbutton` (only `/redbutton/…`); a call outside the token's scopes is a 403
with code `insufficient_scope`. Each token may make `API_RATE_LIMIT` requests (default 600 a
minute); beyond that the answer is 429 with `Retry-After` (seconds).

Every response carries `X-Request-ID` (send your own, 1–128 characters of letters, digits and
`._:-`, or one is generated). Every error has the body
`{"error": {"code": "…", "message": "…", "fields": {"name": ["…"]}, "request_id": "…"}}`.
Lists of tickets and users are paginated by cursor: pass `next_cursor` back as `cursor`.
See `docs/api.md` for the guide with examples.
"""

REQUEST_ID_HEADER_DOC = {
    "description": "The request id: the caller's own X-Request-ID if sane, else a new one.",
    "schema": {"type": "string"},
}


def _structured_405(view: Any) -> Any:
    """ninja answers a wrong method with a plain-text 405; give it the error shape."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            structured = error_response(
                405,
                _("Method %(method)s is not allowed here.") % {"method": request.method},
                request=request,
            )
            structured["Allow"] = response["Allow"]
            return structured
        return response  # type: ignore[no-any-return]

    return csrf_exempt(wrapper)


@csrf_exempt
def _unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error_response(404, _("There is no API endpoint at this address."), request=request)


class OknoAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """Operation ids are the handler names: ``tickets_list``, ``tickets_create`` …"""
        return operation.view_func.__name__

    def _get_urls(self) -> list[Any]:
        urls = super()._get_urls()
        urls.append(re_path(r"^.*$", _unknown_path, name="unknown"))
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = csrf_exempt(with_request_id(_structured_405(pattern.callback)))
        return urls

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Document what every operation shares: the request id header, and the 401/403/429
        that token authentication, scopes and the rate limit may answer anywhere."""
        schema = super().get_openapi_schema(*args, **kwargs)
        error_ref = {"$ref": "#/components/schemas/ErrorOut"}
        shared = {
            "401": _("Not authenticated"),
            "403": _("Forbidden (role, CSRF, or the token's scopes)"),
            "429": _("Too many requests; see Retry-After"),
        }
        has_error_schema = "ErrorOut" in schema.get("components", {}).get("schemas", {})
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                responses = operation.get("responses", {})
                if operation.get("security") and has_error_schema:
                    for status, description in shared.items():
                        responses.setdefault(
                            status,
                            {
                                "description": str(description),
                                "content": {"application/json": {"schema": error_ref}},
                            },
                        )
                for response in responses.values():
                    response.setdefault("headers", {})["X-Request-ID"] = REQUEST_ID_HEADER_DOC
        return schema


api = OknoAPI(
    title="Okno API",
    version="1.0.0",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    throttle=[ApiRateThrottle()],
)
install_error_handlers(api)

# Each domain app with an ``api.py`` contributes its router; listing them here keeps the order
# of the OpenAPI document stable.
ROUTERS = [
    "okno.tickets.api",
    "okno.accounts.api",
    "okno.api.catalog",
    "okno.sla.api",
    "okno.mail.api",
    "okno.alerts.api",
    "okno.redbutton.api",
    "okno.automation.api",
    "okno.telegram.api",
    "okno.widget.api",
    "okno.kb.api",
    "okno.reports.api",
    "okno.search.api",
    "okno.notifications.api",
    "okno.routing.api",
    "okno.csat.api",
    "okno.tags.api",
]
for _module in ROUTERS:
    if importlib.util.find_spec(_module) is not None:
        api.add_router("", f"{_module}.router")
