"""Agent workspace endpoints: saved views, bulk actions, availability, macros, presence,
split and reply-to-children. Each write validates a form and calls ``desk.actions`` (which
goes through ``tickets.actions``); pages work without JavaScript, htmx only enhances."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from okno.accounts.queries import can_work_on
from okno.routing.actions import set_availability
from okno.tags.queries import suggestions
from okno.tickets import actions as ticket_actions
from okno.tickets.models import Article

from . import actions, macros, presence
from .forms import (
    BulkForm,
    ChildrenReplyForm,
    MacroForm,
    SaveViewForm,
    SplitForm,
    apply_action_errors,
)
from .models import Macro, SavedView
from .ticket_views import _load, render_ticket
from .views import agent_required, desk_context, forget_counters


def _back(request: HttpRequest, fallback: str = "desk:queue") -> HttpResponse:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@require_POST
@agent_required
def view_save(request: HttpRequest) -> HttpResponse:
    form = SaveViewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        from django.http import QueryDict

        try:
            view = actions.save_view(
                actor=request.user,
                name=data["name"],
                params=QueryDict(data["params"]),
                columns=data["columns"],
                shared=data["shared"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            forget_counters(request.user)
            messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
            query = f"sv={view.pk}" + (f"&{view.params}" if view.params else "")
            return redirect(f"{reverse('desk:queue')}?{query}")
    else:
        messages.error(request, _("The view was not saved: give it a name."))
    return _back(request)


@require_POST
@agent_required
def view_delete(request: HttpRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(SavedView, Q(owner=request.user) | Q(shared=True), pk=pk)
    actions.delete_view(view, actor=request.user)
    forget_counters(request.user)
    messages.success(request, _("The view “%(name)s” is deleted.") % {"name": view.name})
    return redirect("desk:queue")


@require_POST
@agent_required
def bulk(request: HttpRequest) -> HttpResponse:
    """One operation on the ticked queue rows; a summary says what worked and what did not."""
    form = BulkForm(request.POST, user=request.user)
    user = request.user
    if not form.is_valid():
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, " ".join(errors))
        return _back(request)
    data = form.cleaned_data
    op = data["operation"]
    try:
        if op == "assign":
            assignee = data["assignee"]
            result = actions.for_each_ticket(
                form.ids,
                actor=user,
                apply=lambda t: ticket_actions.assign_ticket(t, actor=user, assignee=assignee),
            )
        elif op == "status":
            result = actions.for_each_ticket(
                form.ids,
                actor=user,
                apply=lambda t: ticket_actions.change_status(t, actor=user, status=data["status"]),
            )
        elif op == "priority":
            result = actions.for_each_ticket(
                form.ids,
                actor=user,
                apply=lambda t: ticket_actions.change_priority(
                    t, actor=user, priority=data["priority"], reason=data["reason"]
                ),
            )
        elif op in ("tag_add", "tag_remove"):
            remove = op == "tag_remove"
            result = actions.bulk_tags(
                form.ids, data["tags_remove" if remove else "tags_add"], actor=user, remove=remove
            )
        else:
            result = actions.bulk_merge(form.ids, data["target"], actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(request)
    forget_counters(user)
    (messages.warning if result.failed else messages.success)(request, result.summary())
    return _back(request)


@require_POST
@agent_required
def availability(request: HttpRequest) -> HttpResponse:
    available = request.POST.get("available") == "1"
    set_availability(request.user, actor=request.user, available=available)
    forget_counters(request.user)
    messages.success(
        request,
        _("You are available for new tickets.")
        if available
        else _("You are away: auto-assignment skips you."),
    )
    return _back(request)


@require_GET
@agent_required
def tag_suggest(request: HttpRequest) -> HttpResponse:
    """Existing tags as <option>s for the tag inputs' <datalist> (loaded once, on focus)."""
    prefix = request.GET.get("q", "")
    return render(request, "tags/options.html", {"tags": suggestions(prefix)})


# Macros ---------------------------------------------------------------------------------


def usable_macros(user: object) -> list[Macro]:
    return list(Macro.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner"))


@agent_required
def macro_list(request: HttpRequest) -> HttpResponse:
    form = MacroForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.save_macro(actor=request.user, **data)
        except ValidationError as exc:
            apply_action_errors(form, exc)
        else:
            messages.success(request, _("The macro “%(name)s” is saved.") % {"name": data["name"]})
            return redirect("desk:macros")
    return render(
        request,
        "desk/macros.html",
        desk_context(
            request,
            form=form,
            macros=usable_macros(request.user),
            variables=macros.VARIABLES,
        ),
        status=400 if form.errors else 200,
    )


@require_POST
@agent_required
def macro_delete(request: HttpRequest, pk: int) -> HttpResponse:
    macro = get_object_or_404(Macro, pk=pk, owner=request.user)
    macro.delete()
    messages.success(request, _("The macro is deleted."))
    return redirect("desk:macros")


def macro_text(request: HttpRequest, ticket: object, name: str) -> str | None:
    """The named macro, in the requester's language when a variant exists, substituted."""
    variants = {
        m.language: m
        for m in sorted(
            (m for m in usable_macros(request.user) if m.name == name),
            key=lambda m: m.owner_id != request.user.pk,  # own variants win over shared
            reverse=True,
        )
    }
    language = ticket.requester.language if ticket.requester else ""  # type: ignore[attr-defined]
    key = macros.pick_variant(
        {k: m.body for k, m in variants.items()}, language or get_language() or ""
    )
    if key is None:
        return None
    return macros.render(variants[key].body, actions.macro_values(ticket, request.user))  # type: ignore[arg-type]


@require_GET
@agent_required
def ticket_macro(request: HttpRequest, pk: int) -> HttpResponse:
    """Plain text of a macro for this ticket (desk.js inserts it into the reply box)."""
    ticket = _load(request, pk, write=True)
    text = macro_text(request, ticket, request.GET.get("name", ""))
    if text is None:
        raise Http404
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


# Presence -------------------------------------------------------------------------------


@require_POST
@agent_required
def ticket_presence(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _load(request, pk)
    if not can_work_on(request.user, ticket):
        raise PermissionDenied
    if request.POST.get("state") == "left":
        presence.leave(ticket.pk, request.user)
        return HttpResponse(status=204)
    others = presence.touch(ticket.pk, request.user, request.POST.get("state", "viewing"))
    return render(request, "desk/ticket.html#presence", {"others": others, "ticket": ticket})


# Split and children ---------------------------------------------------------------------


@require_POST
@agent_required
def ticket_split(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _load(request, pk, write=True)
    form = SplitForm(request.POST)
    if not form.is_valid():
        raise Http404
    article = Article.objects.filter(ticket=ticket, pk=form.cleaned_data["article"]).first()
    if article is None:
        raise Http404
    try:
        new = actions.split_article(
            ticket, article, actor=request.user, title=form.cleaned_data["title"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("desk:ticket", pk=ticket.pk)
    messages.success(
        request,
        _("Ticket #%(new)s is split from #%(old)s.") % {"new": new.number, "old": ticket.number},
    )
    return redirect("desk:ticket", pk=new.pk)


@require_POST
@agent_required
def ticket_children_reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _load(request, pk, write=True)
    form = ChildrenReplyForm(request.POST, auto_id="children-%s")
    if form.is_valid():
        result = actions.reply_to_children(
            ticket, actor=request.user, body=form.cleaned_data["body"]
        )
        (messages.warning if result.failed else messages.success)(request, result.summary())
        return redirect("desk:ticket", pk=ticket.pk)
    return render_ticket(request, ticket, status=400, children_reply=form)
