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
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from okno.accounts.actions import get_or_create_requester
from okno.accounts.queries import agent_team_ids, visible_tickets
from okno.routing.actions import is_available
from okno.sla.queries import headline_clocks
from okno.tags.queries import tag_chips
from okno.tickets.actions import open_ticket
from okno.tickets.filters import SORT_LABELS, STATE_CHOICES, FilterError, TicketFilter
from okno.tickets.models import ACTIVE_CATEGORIES, Channel, StatusCategory, Ticket, TicketType

from . import reference
from .forms import (
    BulkForm,
    NewTicketForm,
    SaveViewForm,
    apply_action_errors,
    as_new_attachments,
)
from .models import COLUMN_CHOICES, DEFAULT_COLUMNS, SavedView
from .rows import render_rows, row_fields

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
    QueueView("for_me", gettext_lazy("Waiting for me"), ""),
    QueueView("unassigned", gettext_lazy("Unassigned in my teams"), ""),
    QueueView("breaching", gettext_lazy("Breaching soon"), ""),
    QueueView("team", gettext_lazy("All open in my teams"), ""),
    QueueView("waiting", gettext_lazy("Waiting on others"), "&state=waiting"),
    QueueView("resolved", gettext_lazy("Recently resolved"), "&state=resolved&sort=updated"),
)
BREACHING_WINDOW = timedelta(hours=2)
COUNTERS_TTL = 30  # seconds the sidebar counters are cached per agent
COUNTED_STATES = ("active", "new", "open", "waiting")  # saved views outside these show no count


def view_conditions(user: Any) -> dict[str, Q]:
    team_ids = agent_team_ids(user)
    active = Q(status_category__in=ACTIVE_CATEGORIES)
    now = timezone.now()
    since = now - timedelta(days=RECENTLY_RESOLVED_DAYS)
    return {
        "mine": active & Q(assignee=user),
        # The ball is in my court: mine, and not waiting for the requester or a third party.
        "for_me": Q(assignee=user, status_category__in=(StatusCategory.NEW, StatusCategory.OPEN)),
        "unassigned": active & Q(team_id__in=team_ids, assignee__isnull=True),
        # A running SLA clock due within the window (or overdue): the ticket's earliest
        # running due time, kept by triggers (tickets/sla_due.py)
        "breaching": active
        & (Q(team_id__in=team_ids) | Q(assignee=user))
        & Q(sla_due_at__lte=now + BREACHING_WINDOW),
        "team": active & Q(team_id__in=team_ids),
        "waiting": Q(status_category=StatusCategory.WAITING, team_id__in=team_ids)
        | Q(status_category=StatusCategory.WAITING, assignee=user),
        "resolved": Q(status_category=StatusCategory.RESOLVED, resolved_at__gte=since)
        & (Q(team_id__in=team_ids) | Q(assignee=user)),
    }


def builtin_counts(user: Any) -> dict[str, int]:
    """The built-in views' counters without reading a ticket row.

    Each view is "of my teams, or assigned to me", so it is counted as the disjoint sum of
    (a) the teams' tickets - one pass over the partial index ``ticket_team_active_counts``
    (team, state, assignee, earliest SLA due) for all open, unassigned, waiting and breaching
    soon, and a range of ``ticket_team_resolved`` for the recently resolved - and (b) the
    agent's own tickets (mine, for me) and those outside the teams, the same way from
    ``ticket_assignee_active_counts`` and ``ticket_assignee_resolved``. Four statements whose
    cost is index entries of the agent's teams' and own open tickets, never a table row
    (docs/performance.md, "Third session: pages").
    """
    team_ids = agent_team_ids(user)
    now = timezone.now()
    due_by = now + BREACHING_WINDOW
    since = now - timedelta(days=RECENTLY_RESOLVED_DAYS)
    active = Q(status_category__in=ACTIVE_CATEGORIES)
    waiting = Q(status_category=StatusCategory.WAITING)
    breaching = Q(sla_due_at__lte=due_by)
    counts = dict.fromkeys(("team", "unassigned", "waiting", "breaching", "resolved"), 0)
    if team_ids:
        counts.update(
            # COUNT(team_id), never COUNT(id): the index holds the team, not the id
            Ticket.objects.filter(active, team_id__in=team_ids).aggregate(
                team=Count("team_id"),
                unassigned=Count("team_id", filter=Q(assignee__isnull=True)),
                waiting=Count("team_id", filter=waiting),
                breaching=Count("team_id", filter=breaching),
            )
        )
        counts["resolved"] = Ticket.objects.filter(
            status_category=StatusCategory.RESOLVED, resolved_at__gte=since, team_id__in=team_ids
        ).count()
    outside = ~Q(team_id__in=team_ids) if team_ids else Q()  # (includes tickets of no team)
    own = Ticket.objects.filter(active, assignee=user).aggregate(
        mine=Count("assignee_id"),
        for_me=Count(
            "assignee_id", filter=Q(status_category__in=(StatusCategory.NEW, StatusCategory.OPEN))
        ),
        waiting=Count("assignee_id", filter=waiting & outside),
        breaching=Count("assignee_id", filter=breaching & outside),
    )
    own["resolved"] = Ticket.objects.filter(
        outside, status_category=StatusCategory.RESOLVED, resolved_at__gte=since, assignee=user
    ).count()
    return {
        "mine": own["mine"],
        "for_me": own["for_me"],
        "unassigned": counts["unassigned"],
        "breaching": counts["breaching"] + own["breaching"],
        "team": counts["team"],
        "waiting": counts["waiting"] + own["waiting"],
        "resolved": counts["resolved"] + own["resolved"],
    }


class _FilterRecorder:
    """Stands in for a queryset so TicketFilter.apply's narrowing becomes one Q (its
    ``filter`` calls are all it does), letting a saved view count in the shared aggregate."""

    def __init__(self) -> None:
        self.q = Q()

    def filter(self, *args: Any, **kwargs: Any) -> _FilterRecorder:
        self.q &= Q(*args, **kwargs)
        return self


def saved_view_condition(view: SavedView, user: Any) -> Q | None:
    flt = TicketFilter.from_params(QueryDict(view.params))
    if flt.errors or flt.state not in COUNTED_STATES:
        return None
    recorder = flt.apply(_FilterRecorder(), user=user)  # type: ignore[arg-type]
    return recorder.q


def saved_views_for(user: Any) -> list[SavedView]:
    return list(SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner"))


def counters_key(user: Any) -> str:
    return f"okno:desk:counters:v2:{user.pk}"  # v2: plain data (SavedViewLink tuples)


def forget_counters(user: Any) -> None:
    cache.delete(counters_key(user))


@dataclass(frozen=True)
class SavedViewLink:
    """What the sidebar shows of a saved view (cached with the counters as plain data)."""

    pk: int
    name: str
    shared: bool
    params: str


def sidebar_counters(user: Any) -> dict[str, Any]:
    """Built-in and saved views with their counters and the agent's availability, the whole
    sidebar cached for COUNTERS_TTL seconds per agent (dropped at once by the agent's own
    changes) as plain data, cheap to read back. Built-in counters: ``builtin_counts``
    (index-only); saved views that count: one aggregate over the viewer's open tickets, only
    when there are such views."""
    cached = cache.get(counters_key(user))
    if cached is None:
        saved = saved_views_for(user)
        counts: dict[str, Any] = builtin_counts(user)
        conditions = {}
        for view in saved:
            condition = saved_view_condition(view, user)
            if condition is not None:
                conditions[f"sv{view.pk}"] = condition
        if conditions:
            counts.update(
                visible_tickets(user)
                .filter(status_category__in=ACTIVE_CATEGORIES)  # every counted state is open
                .aggregate(**{key: Count("pk", filter=q) for key, q in conditions.items()})
            )
        cached = {
            "builtin": {v.key: counts[v.key] for v in QUEUE_VIEWS},
            "saved": [(v.pk, v.name, v.shared, v.params, counts.get(f"sv{v.pk}")) for v in saved],
            "available": is_available(user),
        }
        cache.set(counters_key(user), cached, COUNTERS_TTL)
    return {
        "builtin": [{"view": v, "count": cached["builtin"][v.key]} for v in QUEUE_VIEWS],
        "saved": [
            {"view": SavedViewLink(pk, name, shared, params), "count": count}
            for pk, name, shared, params, count in cached["saved"]
        ],
        "available": cached["available"],
    }


def desk_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    sidebar = sidebar_counters(request.user)
    return {
        "sidebar": sidebar,
        "current_view": "",
        "available": sidebar["available"],
        **extra,
    }


@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    """The queue: filters above a table; with htmx only the rows are swapped."""
    user = request.user
    flt = TicketFilter.from_params(request.GET)
    tickets = flt.apply(visible_tickets(user), user=user)
    view_key = request.GET.get("view", "")
    saved_view = _saved_view(request)
    columns = list(DEFAULT_COLUMNS)
    view_label: Any = ""
    if saved_view is not None:
        view_key = f"sv{saved_view.pk}"
        columns = [c for c in saved_view.columns if c in COLUMN_CHOICES] or columns
        view_label = saved_view.name
    else:
        conditions = view_conditions(user)
        if view_key in conditions:
            tickets = tickets.filter(conditions[view_key])
            view_label = next(v.label for v in QUEUE_VIEWS if v.key == view_key)
        else:
            view_key = ""
    # named tuples of the shown columns, joined in SQL (desk/rows.py: no model instances)
    tickets = tickets.values_list(*row_fields(columns), named=True)
    try:
        rows, next_cursor = flt.page(tickets)
    except FilterError as exc:
        flt.errors[exc.field] = exc.message
        flt.cursor = ""
        rows, next_cursor = flt.page(tickets)
    ids = [row.pk for row in rows]
    # the page's SLA badges and tag chips: one query each, never one per row
    rows_html = render_rows(rows, columns, headline_clocks(ids), tag_chips(ids))
    params = request.GET.copy()
    params.pop("cursor", None)
    first_params = params.urlencode()
    next_params = ""
    if next_cursor:
        params["cursor"] = next_cursor
        next_params = params.urlencode()
    context = {
        "rows": rows,
        "rows_html": rows_html,
        "flt": flt,
        "next_params": next_params,
        "first_params": first_params,
        "current_view": view_key,
        "saved_view": saved_view,
        "view_label": view_label,
        "columns": columns,
        "column_labels": COLUMN_CHOICES,
        "is_filtered": _is_filtered(request),
        "next_url": request.get_full_path(),
    }
    if request.htmx and not request.htmx.history_restore_request:
        response = render(request, "desk/queue.html#rows", context)
    else:
        context_sidebar = sidebar_counters(user)
        options = reference.options
        context.update(
            sidebar=context_sidebar,
            # the {% options %} lists of the filter and bulk bars, rendered once per process
            # and language (desk/reference.py)
            team_choices=options("teams", lambda: [(t.pk, t.name) for t in reference.teams()]),
            agent_choices=options(
                "agents", lambda: [(a.pk, str(a)) for a in reference.agents()], people=True
            ),
            service_choices=options(
                "services", lambda: [(s.pk, s.name) for s in reference.services()]
            ),
            status_keys=options(
                "status_keys", lambda: [(st.key, st.label) for st in reference.active_statuses()]
            ),
            bulk_status_choices=options(
                "bulk_statuses",
                lambda: [(st.pk, st.label) for st in reference.selectable_status_list()],
            ),
            priority_choices=options(
                "priorities",
                lambda: [(p.level, f"P{p.level} {p.label}") for p in reference.priorities()],
            ),
            types=options("types", lambda: TicketType.choices),
            states=options("states", lambda: list(STATE_CHOICES.items())),
            sorts=options("sorts", lambda: list(SORT_LABELS.items())),
            available=context_sidebar["available"],
            save_view_form=SaveViewForm(
                auto_id="view-%s", initial={"columns": columns, "params": _view_params(request)}
            ),
            bulk_operations=options("bulk_operations", lambda: BulkForm.OPERATIONS),
        )
        response = render(request, "desk/queue.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _saved_view(request: HttpRequest) -> SavedView | None:
    raw = request.GET.get("sv", "")
    if not raw.isdigit():
        return None
    return SavedView.objects.filter(Q(owner=request.user) | Q(shared=True), pk=int(raw)).first()


def _view_params(request: HttpRequest) -> str:
    params = request.GET.copy()
    for key in ("cursor", "sv", "view"):
        params.pop(key, None)
    return params.urlencode()


def _is_filtered(request: HttpRequest) -> bool:
    ignored = {"cursor", "sort", "view", "sv"}
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
