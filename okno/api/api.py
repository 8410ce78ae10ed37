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

DESCRIPTION = """\
The Okno service desk API. Authenticate with a personal API token
(`Authorization: Bearer okno_…`; signed in to Okno, create one here with `POST /tokens`) or,
from the browser, with the session cookie plus the `X-CSRFToken` header on unsafe methods.

Every error has the body `{"error": {"code": "…", "message": "…", "fields": {"name": ["…"]}}}`.
Lists of tickets and users are paginated by cursor: pass `next_cursor` back as `cursor`.
See `docs/api.md` for the guide with examples.
"""


def _structured_405(view: Any) -> Any:
    """ninja answers a wrong method with a plain-text 405; give it the error shape."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            structured = error_response(
                405,
                _("Method %(method)s is not allowed here.") % {"method": request.method},
            )
            structured["Allow"] = response["Allow"]
            return structured
        return response  # type: ignore[no-any-return]

    return csrf_exempt(wrapper)


@csrf_exempt
def _unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return error_response(404, _("There is no API endpoint at this address."))


class OknoAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        """Operation ids are the handler names: ``tickets_list``, ``tickets_create`` …"""
        return operation.view_func.__name__

    def _get_urls(self) -> list[Any]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _structured_405(pattern.callback)
        urls.append(re_path(r"^.*$", _unknown_path, name="unknown"))
        return urls


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
]
for _module in ROUTERS:
    if importlib.util.find_spec(_module) is not None:
        api.add_router("", f"{_module}.router")
