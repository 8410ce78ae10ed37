"""The search page: one box over tickets, replies and the knowledge base, scoped by role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from okno.accounts.models import Team
from okno.catalog.models import Service
from okno.tickets.filters import STATE_CHOICES
from okno.tickets.models import TicketType

from .backends import search, ticket_url

KIND_CHOICES = {
    "all": _("Everything"),
    "tickets": _("Tickets and replies"),
    "kb": _("Knowledge base"),
}
FILTER_NAMES = ("state", "team", "service", "type")


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    query = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("kind", "all")
    if kind not in KIND_CHOICES:
        kind = "all"
    kinds = {"all": ("tickets", "articles", "kb"), "tickets": ("tickets", "articles")}.get(
        kind, ("kb",)
    )
    filters = {name: request.GET.get(name, "") for name in FILTER_NAMES}
    if not user.is_agent:
        filters["team"] = ""
    filters["state"] = filters["state"] if filters["state"] in STATE_CHOICES else "all"
    results = search(
        user, query, kinds=kinds, filters=filters, cursor=request.GET.get("cursor", "")
    )
    if results.exact_ticket is not None:
        return redirect(ticket_url(user, results.exact_ticket))
    for hit in results.hits:
        if hit.ticket is not None:
            hit.url = ticket_url(user, hit.ticket)
    next_params = ""
    if results.next_cursor:
        params = request.GET.copy()
        params["cursor"] = results.next_cursor
        next_params = params.urlencode()
    context = {
        "query": query,
        "results": results,
        "kind": kind,
        "kinds": KIND_CHOICES,
        "filters": filters,
        "states": STATE_CHOICES,
        "types": TicketType.choices,
        "teams": Team.objects.order_by("name") if user.is_agent else [],
        "services": Service.objects.filter(is_active=True).order_by("order", "name"),
        "next_params": next_params,
    }
    return render(request, "search/results.html", context)
