"""The agent desk: the queue (with its sidebar views and counters) and new tickets.

The ticket page and its write forms live in ``ticket_views.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okno.accounts.actions import get_or_create_requester
from okno.accounts.models import Team
from okno.accounts.queries import agent_team_ids, visible_tickets
from okno.priority.models import Priority
from okno.tickets.actions import open_ticket
from okno.tickets.filters import SORT_LABELS, STATE_CHOICES, FilterError, TicketFilter
from okno.tickets.models import ACTIVE_CATEGORIES, Channel, Status, StatusCategory, TicketType

from .forms import (
    NewTicketForm,
    active_services,
    agent_users,
    apply_action_errors,
    as_new_attachments,
)

QUEUE_RELATED = ("status", "requester", "organization", "team", "assignee")
RECENTLY_RESOLVED_DAYS = 7


def agent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The desk is for agents; anyone else signed in is sent to the portal."""

    @wraps(view)
    @login_required
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_agent:
            return redirect("portal:home")
        return view(request, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class QueueView:
    """A sidebar entry: a named slice of the scoped tickets, with the same Q for list and count."""

    key: str
    label: str
    params: str  # extra query string for the link (state/sort the slice needs)


QUEUE_VIEWS = (
    QueueView("mine", gettext_lazy("My tickets"), ""),
    QueueView("unassigned", gettext_lazy("Unassigned in my teams"), ""),
    QueueView("team", gettext_lazy("All open in my teams"), ""),
    QueueView("waiting", gettext_lazy("Waiting"), "&state=waiting"),
    QueueView("resolved", gettext_lazy("Recently resolved"), "&state=resolved&sort=updated"),
)


def view_conditions(user: Any) -> dict[str, Q]:
    team_ids = agent_team_ids(user)
    active = Q(status_category__in=ACTIVE_CATEGORIES)
    since = timezone.now() - timedelta(days=RECENTLY_RESOLVED_DAYS)
    return {
        "mine": active & Q(assignee=user),
        "unassigned": active & Q(team_id__in=team_ids, assignee__isnull=True),
        "team": active & Q(team_id__in=team_ids),
        "waiting": Q(status_category=StatusCategory.WAITING, team_id__in=team_ids)
        | Q(status_category=StatusCategory.WAITING, assignee=user),
        "resolved": Q(status_category=StatusCategory.RESOLVED, resolved_at__gte=since)
        & (Q(team_id__in=team_ids) | Q(assignee=user)),
    }


def sidebar_counters(user: Any) -> list[dict[str, Any]]:
    """All sidebar counters in one aggregate query over the viewer's scoped tickets."""
    conditions = view_conditions(user)
    since = timezone.now() - timedelta(days=RECENTLY_RESOLVED_DAYS)
    counts = (
        visible_tickets(user)
        .filter(
            Q(status_category__in=ACTIVE_CATEGORIES)
            | Q(status_category=StatusCategory.RESOLVED, resolved_at__gte=since)
        )
        .aggregate(**{key: Count("pk", filter=q) for key, q in conditions.items()})
    )
    return [{"view": v, "count": counts[v.key]} for v in QUEUE_VIEWS]


def desk_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"sidebar": sidebar_counters(request.user), "current_view": "", **extra}


@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    """The queue: filters above a table; with htmx only the rows are swapped."""
    user = request.user
    flt = TicketFilter.from_params(request.GET)
    tickets = flt.apply(visible_tickets(user), user=user)
    view_key = request.GET.get("view", "")
    conditions = view_conditions(user)
    if view_key in conditions:
        tickets = tickets.filter(conditions[view_key])
    else:
        view_key = ""
    tickets = tickets.select_related(*QUEUE_RELATED)
    try:
        rows, next_cursor = flt.page(tickets)
    except FilterError as exc:
        flt.errors[exc.field] = exc.message
        flt.cursor = ""
        rows, next_cursor = flt.page(tickets)
    params = request.GET.copy()
    params.pop("cursor", None)
    first_params = params.urlencode()
    next_params = ""
    if next_cursor:
        params["cursor"] = next_cursor
        next_params = params.urlencode()
    context = {
        "rows": rows,
        "flt": flt,
        "next_params": next_params,
        "first_params": first_params,
        "current_view": view_key,
        "view_label": next((v.label for v in QUEUE_VIEWS if v.key == view_key), ""),
        "is_filtered": _is_filtered(request),
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "desk/queue.html#rows", context)
    else:
        context.update(
            sidebar=sidebar_counters(user),
            teams=Team.objects.filter(is_active=True),
            agents=agent_users(),
            services=active_services(),
            statuses=Status.objects.filter(is_active=True),
            priorities=Priority.objects.all(),
            types=TicketType.choices,
            states=STATE_CHOICES.items(),
            sorts=SORT_LABELS.items(),
        )
        response = render(request, "desk/queue.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _is_filtered(request: HttpRequest) -> bool:
    ignored = {"cursor", "sort", "view"}
    return any(value for key, value in request.GET.items() if key not in ignored)


@agent_required
def new_ticket(request: HttpRequest) -> HttpResponse:
    """Register a request on behalf of a requester (phone call, walk-in, chat)."""
    form = NewTicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a new requester is only kept with their ticket
                requester = get_or_create_requester(
                    data["requester_email"], actor=request.user, name=data["requester_name"]
                )
                ticket = open_ticket(
                    actor=request.user,
                    requester=requester,
                    title=data["title"],
                    description=data["description"],
                    type=data["type"],
                    service=data["service"],
                    impact=data["impact"],
                    urgency=data["urgency"],
                    team=data["team"],
                    assignee=data["assignee"],
                    channel=Channel.DESK,
                    attachments=as_new_attachments(data["attachments"]),
                )
        except ValidationError as exc:
            apply_action_errors(form, exc, {"requester": "requester_email"})
        else:
            messages.success(
                request, _("Ticket #%(number)s is registered.") % {"number": ticket.number}
            )
            return redirect("desk:ticket", pk=ticket.pk)
    return render(request, "desk/new.html", desk_context(request, form=form))
