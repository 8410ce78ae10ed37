"""The requester portal: ask for help, follow your requests, reply, resolve, reopen.

Requesters only ever see public replies and their files, and status changes in plain words;
internal notes, note files and other system events never reach these pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from okno.accounts.queries import get_ticket_for, visible_tickets
from okno.catalog.forms import CustomFieldsForm, active_form, answer_rows
from okno.catalog.models import Service
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

from . import actions as portal_actions
from .forms import PortalReplyForm, ReopenRequestForm, RequestForm, portal_services

DEFAULT_REOPEN_DAYS = 14


def reopen_days() -> int:
    """How long after resolution a requester may reopen (``PORTAL_REOPEN_DAYS``, default 14)."""
    return int(getattr(settings, "PORTAL_REOPEN_DAYS", DEFAULT_REOPEN_DAYS))


def reopen_deadline(ticket: Ticket) -> datetime | None:
    if ticket.status_category != StatusCategory.RESOLVED or ticket.resolved_at is None:
        return None
    return ticket.resolved_at + timedelta(days=reopen_days())


def can_reopen(ticket: Ticket) -> bool:
    deadline = reopen_deadline(ticket)
    return deadline is not None and timezone.now() <= deadline


def catalog_groups(services: list[Service]) -> list[tuple[str, str, list[Service]]]:
    """Services under their catalog category (in the category's order); the rest last."""
    groups: dict[int | None, tuple[str, str, list[Service]]] = {}
    ordered = sorted(
        services,
        key=lambda s: (
            s.catalog_category is None,
            s.catalog_category.order if s.catalog_category else 0,
            s.catalog_category.name if s.catalog_category else "",
            s.order,
            s.name,
        ),
    )
    for s in ordered:
        cat = s.catalog_category
        key = cat.pk if cat else None
        if key not in groups:
            groups[key] = (
                cat.name if cat else _("Other services"),
                cat.description if cat else "",
                [],
            )
        groups[key][2].append(s)
    return list(groups.values())


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
    services = list(portal_services().select_related("catalog_category", "request_form"))
    return render(
        request,
        "portal/home.html",
        {
            "services": services,
            "groups": catalog_groups(services),
            "show_headings": any(s.catalog_category_id for s in services),
            "recent": recent,
        },
    )


def _selected_service(value: str) -> Service | None:
    if not str(value or "").isdigit():
        return None
    return portal_services().filter(pk=int(value)).first()


def _follow_up_of(request: HttpRequest, value: str) -> Ticket | None:
    """The earlier request a new one follows up on, if the person may see it."""
    if not str(value or "").isdigit():
        return None
    try:
        return get_ticket_for(request.user, value)
    except Http404:
        return None


@login_required
def service_fields(request: HttpRequest) -> HttpResponse:
    """The chosen service's guidance and extra questions (htmx, when the service changes)."""
    service = _selected_service(request.GET.get("service", ""))
    extra = CustomFieldsForm(active_form(service), actor=request.user)
    return render(request, "portal/_service_fields.html", {"extra": extra, "oob": True})


@login_required
def new_request(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    source = request.POST if request.method == "POST" else request.GET
    service = _selected_service(source.get("service", ""))
    previous = _follow_up_of(request, source.get("follow_up", ""))
    if request.method == "GET":
        if service is not None:
            initial["service"] = service.pk
        initial["title"] = request.GET.get("title", "")[:250]
        if previous is not None and not initial["title"]:
            initial["title"] = _("Again: %(title)s") % {"title": previous.title}
            initial["title"] = initial["title"][:250]
    form = RequestForm(request.POST or None, request.FILES or None, initial=initial)
    extra = CustomFieldsForm(
        active_form(service), request.POST or None, request.FILES or None, actor=request.user
    )
    if request.method == "POST" and all([form.is_valid(), extra.is_valid()]):
        data = form.cleaned_data
        answers = extra.answers()
        fields = {
            "title": data["title"],
            "description": data["description"],
            "type": data["type"],
            "service": data["service"],
            "impact": data["impact"],
            "urgency": data["urgency"],
            "channel": Channel.WEB,
            "attachments": as_new_attachments(data["attachments"]) + answers.files,
            "custom_fields": answers.custom_fields,
        }
        try:
            if previous is not None:
                ticket = portal_actions.open_follow_up(previous, actor=request.user, **fields)
            else:
                ticket = actions.open_ticket(actor=request.user, **fields)
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
    if request.method == "GET" and len(initial.get("title", "")) >= 3 and previous is None:
        # Arriving with a summary (e.g. from the home page): show matching articles at once.
        kb_hits = search(request.user, initial["title"], kinds=("kb",), limit=5, match="any").hits
    return render(
        request,
        "portal/new.html",
        {"form": form, "extra": extra, "kb_hits": kb_hits, "previous": previous},
    )


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    params = request.GET.copy()
    params.setdefault("state", "all")
    params.setdefault("sort", "updated")
    flt = TicketFilter.from_params(params, default_limit=25)
    scope = "mine" if params.get("scope") == "mine" else "all"
    base = my_requests(request.user)
    if scope == "mine":
        base = base.filter(requester=request.user)
    tickets = flt.apply(base).select_related("status", "requester")
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
        {
            "rows": rows,
            "flt": flt,
            "next_params": next_params,
            "scope": scope,
            "sees_organization": _sees_organization(request.user),
        },
    )


def _sees_organization(user: Any) -> bool:
    return bool(
        user.sees_organization_tickets
        and user.organization_id is not None
        and user.organization.shared_tickets
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
        "can_reopen": can_reopen(ticket),
        "reopen_deadline": reopen_deadline(ticket),
        "reopen_days": reopen_days(),
        "answers": answer_rows(ticket),
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
    if ticket.status_category == StatusCategory.RESOLVED and not can_reopen(ticket):
        form.add_error(None, _("It is too late to reopen this request. Please open a new one."))
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
    if ticket.status_category == StatusCategory.RESOLVED and not can_reopen(ticket):
        form.add_error(
            None,
            _(
                "Requests can be reopened within %(days)s days of resolution. "
                "Please open a new request; we will link it to this one."
            )
            % {"days": reopen_days()},
        )
    if form.is_valid():
        try:
            actions.reopen_ticket(ticket, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("Your request is open again. We will look at it."))
            return redirect("portal:ticket", pk=ticket.pk)
    return _render_ticket(request, ticket, status=400, reopen=form)


@require_POST
@login_required
def ticket_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The requester withdraws an active request: it moves to the default closed status."""
    ticket = get_ticket_for(request.user, pk, write=True)
    if ticket.requester_id != request.user.pk:
        messages.error(request, _("Only the person who sent the request can cancel it."))
        return redirect("portal:ticket", pk=ticket.pk)
    if ticket.status_category not in ACTIVE_CATEGORIES:
        messages.error(request, _("This request is no longer open."))
        return redirect("portal:ticket", pk=ticket.pk)
    try:
        actions.change_status(
            ticket, actor=request.user, status=actions.default_status(StatusCategory.CLOSED)
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Your request is cancelled. Thank you for letting us know."))
    return redirect("portal:ticket", pk=ticket.pk)
