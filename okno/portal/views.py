"""The requester portal: ask for help, follow your requests, reply, resolve, reopen.

Requesters only ever see public replies and their files, and status changes in plain words;
internal notes, note files and other system events never reach these pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from okno.accounts.queries import get_ticket_for, visible_tickets
from okno.desk.forms import apply_action_errors, as_new_attachments
from okno.search.backends import search
from okno.tickets import actions
from okno.tickets import events as ev
from okno.tickets.filters import FilterError, TicketFilter
from okno.tickets.models import (
    ACTIVE_CATEGORIES,
    Article,
    ArticleKind,
    Channel,
    Status,
    StatusCategory,
    Ticket,
    TicketEvent,
)

from .forms import PortalReplyForm, ReopenRequestForm, RequestForm, portal_services


def my_requests(user: Any) -> QuerySet[Ticket]:
    """Own requests, plus the organization's when the person may follow them.

    Agents also see their teams' tickets through ``visible_tickets``; the portal shows them
    only the requests they filed themselves.
    """
    tickets = visible_tickets(user)
    if user.is_agent:
        tickets = tickets.filter(requester=user)
    return tickets


@login_required
def home(request: HttpRequest) -> HttpResponse:
    recent = list(
        my_requests(request.user).select_related("status").order_by("-updated_at", "-id")[:5]
    )
    return render(
        request,
        "portal/home.html",
        {"services": portal_services(), "recent": recent},
    )


@login_required
def new_request(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.method == "GET":
        service_id = request.GET.get("service", "")
        if service_id.isdigit():
            initial["service"] = int(service_id)
        initial["title"] = request.GET.get("title", "")[:250]
    form = RequestForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = actions.open_ticket(
                actor=request.user,
                title=data["title"],
                description=data["description"],
                type=data["type"],
                service=data["service"],
                impact=data["impact"],
                urgency=data["urgency"],
                channel=Channel.WEB,
                attachments=as_new_attachments(data["attachments"]),
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(
                request,
                _("Thank you! Your request number is #%(number)s. We will reply here and by email.")
                % {"number": ticket.number},
            )
            return redirect("portal:ticket", pk=ticket.pk)
    kb_hits = []
    if request.method == "GET" and len(initial.get("title", "")) >= 3:
        # Arriving with a summary (e.g. from the home page): show matching articles at once.
        kb_hits = search(request.user, initial["title"], kinds=("kb",), limit=5, match="any").hits
    return render(request, "portal/new.html", {"form": form, "kb_hits": kb_hits})


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.setdefault("state", "all")
    params.setdefault("sort", "updated")
    flt = TicketFilter.from_params(params, default_limit=25)
    tickets = flt.apply(my_requests(request.user)).select_related("status", "requester")
    try:
        rows, next_cursor = flt.page(tickets)
    except FilterError:
        flt.cursor = ""
        rows, next_cursor = flt.page(tickets)
    next_params = ""
    if next_cursor:
        params["cursor"] = next_cursor
        next_params = params.urlencode()
    return render(
        request,
        "portal/tickets.html",
        {"rows": rows, "flt": flt, "next_params": next_params},
    )


@dataclass
class PublicEntry:
    when: datetime
    article: Article | None = None
    status_label: str = ""


def public_timeline(ticket: Ticket) -> list[PublicEntry]:
    """Public replies with their files, and status changes in the requester's words."""
    articles = (
        Article.objects.filter(ticket=ticket, kind=ArticleKind.REPLY)
        .select_related("author")
        .prefetch_related("attachments")
    )
    entries = [PublicEntry(when=a.created_at, article=a) for a in articles]
    changes = list(
        TicketEvent.objects.filter(ticket=ticket, kind=ev.STATUS_CHANGED).only("created_at", "new")
    )
    if changes:
        labels = {s.key: s.requester_label for s in Status.objects.all()}
        entries += [
            PublicEntry(when=e.created_at, status_label=labels.get(e.new, "")) for e in changes
        ]
    entries.sort(key=lambda entry: entry.when)
    return entries


def _render_ticket(
    request: HttpRequest, ticket: Ticket, *, status: int = 200, **forms: Any
) -> HttpResponse:
    context = {
        "ticket": ticket,
        "timeline": public_timeline(ticket),
        "reply_form": forms.get("reply") or PortalReplyForm(),
        "reopen_form": forms.get("reopen") or ReopenRequestForm(),
        "is_active": ticket.status_category in ACTIVE_CATEGORIES,
        "is_resolved": ticket.status_category == StatusCategory.RESOLVED,
        "is_closed": ticket.status_category == StatusCategory.CLOSED,
    }
    return render(request, "portal/ticket.html", context, status=status)


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_ticket(request, get_ticket_for(request.user, pk))


@require_POST
@login_required
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket_for(request.user, pk, write=True)
    form = PortalReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.add_reply(
                ticket,
                actor=request.user,
                body=form.cleaned_data["body"],
                attachments=as_new_attachments(form.cleaned_data["attachments"]),
                channel=Channel.WEB,
            )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Thank you, your message is sent."))
            return redirect("portal:ticket", pk=ticket.pk)
    return _render_ticket(request, ticket, status=400, reply=form)


@require_POST
@login_required
def ticket_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket_for(request.user, pk, write=True)
    try:
        actions.change_status(
            ticket, actor=request.user, status=actions.default_status(StatusCategory.RESOLVED)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Glad it is sorted! We marked your request as resolved."))
    return redirect("portal:ticket", pk=ticket.pk)


@require_POST
@login_required
def ticket_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = get_ticket_for(request.user, pk, write=True)
    form = ReopenRequestForm(request.POST)
    if form.is_valid():
        try:
            actions.reopen_ticket(ticket, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Your request is open again. We will look at it."))
            return redirect("portal:ticket", pk=ticket.pk)
    return _render_ticket(request, ticket, status=400, reopen=form)
