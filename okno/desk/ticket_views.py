"""The agent's ticket page and its forms.

Each form posts to its own URL, validates, calls ``tickets.actions`` inside one transaction
and redirects (so the page works without JavaScript). An action's ValidationError is shown
on the form fields it names and nothing is saved; PermissionDenied becomes the 403 page.
The ticket is only ever loaded through ``accounts.queries.get_ticket_for``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from okno.accounts.queries import can_work_on, get_ticket_for, sees_ticket, visible_tickets
from okno.ops.lookup import JoinedLookup
from okno.tags import actions as tag_actions
from okno.tags.queries import tags_of
from okno.tickets import actions
from okno.tickets.models import DONE_CATEGORIES, Ticket, TicketLink

from . import reference
from .forms import (
    ChildrenReplyForm,
    LinkForm,
    MergeForm,
    ReopenForm,
    ReplyForm,
    TicketHeaderForm,
    UnlinkForm,
    apply_action_errors,
    as_new_attachments,
)
from .timeline import agent_timeline
from .views import desk_context


def _load(request: HttpRequest, pk: int, *, write: bool = False) -> Ticket:
    """404 unless visible; for writes, 403 unless the viewer works on this ticket."""
    ticket = get_ticket_for(request.user, pk, write=write)
    if write and not can_work_on(request.user, ticket):
        raise PermissionDenied(_("Only agents of the ticket's team may change it here."))
    return ticket


# Children newest first, read by parent with the statement built once per process; the
# viewer's scope is then tested on each (``sees_ticket``). Only when invisible children
# crowd the first rows out does the page ask the database for the visible ones.
CHILDREN_SHOWN = 50
_CHILDREN = JoinedLookup(
    Ticket, ["status"], where=[("parent", "exact")], order_by=("-pk",), limit=4 * CHILDREN_SHOWN
)


def _children(request: HttpRequest, ticket: Ticket) -> list[Ticket]:
    rows = _CHILDREN.all(ticket.pk)
    children = [t for t in rows if sees_ticket(request.user, t)][:CHILDREN_SHOWN]
    if len(rows) == _CHILDREN.limit and len(children) < CHILDREN_SHOWN:
        visible = visible_tickets(request.user).select_related("status")
        children = list(visible.filter(parent=ticket).order_by("-id")[:CHILDREN_SHOWN])
    return children


def _related(request: HttpRequest, ticket: Ticket) -> dict[str, Any]:
    """Parent, children and links, limited to tickets the viewer may see."""
    links_out, links_in = [], []
    for source_id, target_id, kind in TicketLink.objects.filter(
        Q(source=ticket) | Q(target=ticket)
    ).values_list("source_id", "target_id", "kind"):
        if source_id == ticket.pk:
            links_out.append((target_id, kind))
        else:
            links_in.append((source_id, kind))
    ids = {pk for pk, _kind in links_out + links_in}
    if ticket.parent_id:
        ids.add(ticket.parent_id)
    found = {}
    if ids:
        visible = visible_tickets(request.user).select_related("status")
        found = {t.pk: t for t in visible.filter(pk__in=ids)}
    links = [
        {"ticket": found[pk], "kind": kind, "outgoing": True}
        for pk, kind in links_out
        if pk in found
    ] + [
        {"ticket": found[pk], "kind": f"{kind}_of", "outgoing": False}
        for pk, kind in links_in
        if pk in found
    ]
    return {
        "parent": found.get(ticket.parent_id) if ticket.parent_id else None,
        "children": _children(request, ticket),
        "links": links,
    }


TIMELINE_FILTERS = {
    "all": _lazy("All"),
    "replies": _lazy("Replies"),
    "notes": _lazy("Notes"),
    "events": _lazy("Events"),
}


def filter_timeline(entries: list[Any], show: str) -> list[Any]:
    if show == "replies":
        return [e for e in entries if e.article and e.article.kind == "reply"]
    if show == "notes":
        return [e for e in entries if e.article and e.article.kind == "note"]
    if show == "events":
        return [e for e in entries if e.event or (e.article and e.article.kind == "system")]
    return entries


def time_by_agent(entries: list[Any]) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for e in entries:
        if e.article and e.article.time_spent_minutes:
            name = str(e.article.author or _("System"))
            totals[name] = totals.get(name, 0) + e.article.time_spent_minutes
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def render_ticket(
    request: HttpRequest,
    ticket: Ticket,
    *,
    status: int = 200,
    tag_errors: list[str] | None = None,
    **forms_: forms.Form,
) -> HttpResponse:
    from .workspace_views import macro_text

    loose_files: list[Any] = []
    entries = agent_timeline(ticket, loose_files)
    show = request.GET.get("show", "all")
    show = show if show in TIMELINE_FILTERS else "all"
    reply_form = forms_.get("reply")
    if reply_form is None:
        macro_name = request.GET.get("macro", "")
        text = macro_text(request, ticket, macro_name) if macro_name else None
        reply_form = ReplyForm(initial={"body": text} if text else None)
    context = desk_context(
        request,
        ticket=ticket,
        timeline=filter_timeline(entries, show),
        timeline_show=show,
        timeline_filters=TIMELINE_FILTERS.items(),
        macro_names=reference.macro_names(request.user),
        time_by_agent=time_by_agent(entries),
        children_reply_form=forms_.get("children_reply")
        or ChildrenReplyForm(auto_id="children-%s"),
        loose_attachments=loose_files,
        header_form=forms_.get("header") or TicketHeaderForm(ticket=ticket, auto_id="header-%s"),
        reply_form=reply_form,
        merge_form=forms_.get("merge") or MergeForm(),
        link_form=forms_.get("link") or LinkForm(),
        reopen_form=forms_.get("reopen") or ReopenForm(),
        is_done=ticket.status_category in DONE_CATEGORIES,
        requester_open=visible_tickets(request.user)
        .filter(requester_id=ticket.requester_id)
        .exclude(pk=ticket.pk)
        .filter(status_category__in=("new", "open", "waiting"))
        .count(),
        tags=tags_of(ticket),
        tag_errors=tag_errors or [],
        minutes_spent=sum(e.article.time_spent_minutes or 0 for e in entries if e.article),
        **_related(request, ticket),
    )
    return render(request, "desk/ticket.html", context, status=status)


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _load(request, pk)
    if not can_work_on(request.user, ticket):
        # Seen as its requester (or organization member): the public view is the right one.
        return redirect("portal:ticket", pk=ticket.pk)
    return render_ticket(request, ticket)


def _done(request: HttpRequest, ticket: Ticket, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("desk:ticket", pk=ticket.pk)


@require_POST
@login_required
def ticket_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the header: details, routing, priority and status, all or nothing."""
    ticket = _load(request, pk, write=True)
    form = TicketHeaderForm(request.POST, ticket=ticket, auto_id="header-%s")
    if form.is_valid():
        data, changed, user = form.cleaned_data, form.changes(), request.user
        try:
            with transaction.atomic():
                if changed["details"]:
                    actions.update_ticket(
                        ticket,
                        actor=user,
                        title=data["title"],
                        type=data["type"],
                        service=data["service"],
                    )
                if changed["routing"]:
                    same_assignee = (data["assignee"] and data["assignee"].pk) == ticket.assignee_id
                    actions.assign_ticket(
                        ticket,
                        actor=user,
                        team=data["team"],
                        assignee=actions.UNSET if same_assignee else data["assignee"],
                    )
                if changed["priority"]:
                    actions.change_priority(
                        ticket,
                        actor=user,
                        impact=data["impact"],
                        urgency=data["urgency"],
                        priority=data["priority"],
                        reason=data["reason"],
                    )
                if changed["status"]:
                    actions.change_status(ticket, actor=user, status=data["status"])
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            if not any(changed.values()):
                return _done(request, ticket, _("Nothing to save: no field was changed."))
            return _done(request, ticket, _("Ticket #%(n)s is saved.") % {"n": ticket.number})
    return render_ticket(request, ticket, status=400, header=form)


@require_POST
@login_required
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A public reply or an internal note, with files, time spent and an optional status."""
    ticket = _load(request, pk, write=True)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        data, user = form.cleaned_data, request.user
        files = as_new_attachments(data["attachments"])
        try:
            with transaction.atomic():
                if data["kind"] == "note":
                    actions.add_note(
                        ticket,
                        actor=user,
                        body=data["body"],
                        attachments=files,
                        time_spent_minutes=data["minutes"],
                    )
                    if data["status"] and data["status"].pk != ticket.status_id:
                        actions.change_status(ticket, actor=user, status=data["status"])
                else:
                    actions.add_reply(
                        ticket,
                        actor=user,
                        body=data["body"],
                        attachments=files,
                        time_spent_minutes=data["minutes"],
                        status=data["status"],
                    )
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            if data["kind"] == "note":
                return _done(request, ticket, _("Your internal note is added."))
            return _done(request, ticket, _("Your reply is sent."))
    return render_ticket(request, ticket, status=400, reply=form)


def _other_ticket(request: HttpRequest, form: forms.Form, field: str) -> Ticket | None:
    try:
        return get_ticket_for(request.user, form.cleaned_data[field], write=True)
    except Http404:
        form.add_error(
            field,
            _("There is no ticket #%(n)s that you can work on.") % {"n": form.cleaned_data[field]},
        )
        return None


@require_POST
@login_required
def ticket_merge(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _load(request, pk, write=True)
    form = MergeForm(request.POST)
    if form.is_valid() and (target := _other_ticket(request, form, "target")) is not None:
        try:
            actions.merge_tickets(ticket, target, actor=request.user)
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(
                request,
                _("Ticket #%(source)s is merged into this one.") % {"source": ticket.number},
            )
            return redirect("desk:ticket", pk=target.pk)
    return render_ticket(request, ticket, status=400, merge=form)


@require_POST
@login_required
def ticket_link(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _load(request, pk, write=True)
    form = LinkForm(request.POST)
    if form.is_valid() and (other := _other_ticket(request, form, "other")) is not None:
        try:
            actions.link_tickets(ticket, other, actor=request.user, kind=form.cleaned_data["kind"])
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            return _done(request, ticket, _("Linked to #%(n)s.") % {"n": other.number})
    return render_ticket(request, ticket, status=400, link=form)


@require_POST
@login_required
def ticket_unlink(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _load(request, pk, write=True)
    form = UnlinkForm(request.POST)
    if form.is_valid() and (other := _other_ticket(request, form, "other")) is not None:
        actions.unlink_tickets(ticket, other, actor=request.user, kind=form.cleaned_data["kind"])
        return _done(request, ticket, _("The link to #%(n)s is removed.") % {"n": other.number})
    messages.error(request, _("That link could not be removed."))
    return redirect("desk:ticket", pk=ticket.pk)


@require_POST
@login_required
def ticket_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _load(request, pk, write=True)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            actions.reopen_ticket(ticket, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            return _done(request, ticket, _("Ticket #%(n)s is reopened.") % {"n": ticket.number})
    return render_ticket(request, ticket, status=400, reopen=form)


@require_POST
@login_required
def ticket_tags(request: HttpRequest, pk: int) -> HttpResponse:
    """Add tags (``add``: comma-separated) and/or remove some (``remove``, repeatable)."""
    ticket = _load(request, pk, write=True)
    add = request.POST.get("add", "")
    remove = request.POST.getlist("remove")
    try:
        added, removed = tag_actions.change_tags(ticket, actor=request.user, add=add, remove=remove)
    except ValidationError as exc:
        return render_ticket(request, ticket, status=400, tag_errors=exc.messages)
    if added or removed:
        parts = []
        if added:
            parts.append(_("Tagged %(names)s.") % {"names": ", ".join(added)})
        if removed:
            parts.append(_("Removed tag %(names)s.") % {"names": ", ".join(removed)})
        return _done(request, ticket, " ".join(parts))
    messages.info(request, _("The tags are unchanged."))
    return redirect("desk:ticket", pk=ticket.pk)
