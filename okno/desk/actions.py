"""Desk-level writes: saved views, macros, bulk operations, split and reply-to-children.

Bulk operations call ``tickets.actions`` once per ticket, each in its own transaction, so one
failing ticket (permission, validation) never undoes the others; the caller gets a summary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.queries import can_work_on, visible_tickets
from okno.tags import actions as tag_actions
from okno.tickets import actions
from okno.tickets.filters import TicketFilter
from okno.tickets.models import Article, ArticleKind, Channel, Ticket

from . import macros
from .models import COLUMN_CHOICES, Macro, SavedView

# TicketFilter parameters a saved view may store (paging and limits are not part of a view).
VIEW_PARAMS = (
    "state",
    "status",
    "team",
    "assignee",
    "priority",
    "type",
    "service",
    "organization",
    "requester",
    "q",
    "tag",
    "sort",
)
DEFAULT_PARAMS = {("state", "active"), ("sort", "score")}  # not worth storing
MAX_BULK = 200


def clean_view_params(params: Any) -> str:
    """Keep only known filter parameters; refuse values TicketFilter would reject."""
    flt = TicketFilter.from_params(params)
    if flt.errors:
        raise ValidationError({"params": "; ".join(f"{k}: {v}" for k, v in flt.errors.items())})
    kept = [(k, params.get(k).strip()) for k in VIEW_PARAMS if (params.get(k) or "").strip()]
    return urlencode([(k, v) for k, v in kept if (k, v) not in DEFAULT_PARAMS])


@transaction.atomic
def save_view(
    *,
    actor: User,
    name: str,
    params: Any,
    columns: Iterable[str] = (),
    shared: bool = False,
    view: SavedView | None = None,
) -> SavedView:
    if not actor.is_agent:
        raise PermissionDenied
    if view is not None and view.owner_id != actor.pk:
        raise PermissionDenied(_("Only the owner may change this view."))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the view a name.")})
    cols = [c for c in columns if c in COLUMN_CHOICES]
    view = view or SavedView(owner=actor)
    view.name = name[:80]
    view.params = clean_view_params(params)
    view.columns = cols or list(view.columns or [])
    view.shared = shared
    view.save()
    return view


@transaction.atomic
def delete_view(view: SavedView, *, actor: User) -> None:
    if view.owner_id != actor.pk:
        raise PermissionDenied(_("Only the owner may delete this view."))
    view.delete()


def view_querydict(view: SavedView) -> QueryDict:
    return QueryDict(view.params)


@transaction.atomic
def save_macro(
    *,
    actor: User,
    name: str,
    body: str,
    language: str = "",
    shared: bool = False,
    macro: Macro | None = None,
) -> Macro:
    if not actor.is_agent:
        raise PermissionDenied
    if macro is not None and macro.owner_id != actor.pk:
        raise PermissionDenied(_("Only the owner may change this macro."))
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("Give the macro a name.")]
    if not (body or "").strip():
        errors["body"] = [_("The macro text is empty.")]
    unknown = macros.unknown_variables(body or "")
    if unknown:
        errors["body"] = [
            _("Unknown variables: %(names)s. Available: %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(macros.VARIABLES)}
        ]
    clash = Macro.objects.filter(owner=actor, name=(name or "").strip(), language=language)
    if macro is not None:
        clash = clash.exclude(pk=macro.pk)
    if clash.exists():
        errors["language"] = [_("You already have this macro in this language.")]
    if errors:
        raise ValidationError(errors)
    macro = macro or Macro(owner=actor)
    macro.name, macro.body, macro.language, macro.shared = name.strip(), body, language, shared
    macro.save()
    return macro


def macro_values(ticket: Ticket, agent: User) -> dict[str, str]:
    requester = ticket.requester
    return {
        "requester.first_name": requester.first_name if requester else "",
        "requester.name": str(requester or ""),
        "requester.email": requester.email if requester else "",
        "ticket.number": str(ticket.number),
        "ticket.title": ticket.title,
        "ticket.status": str(ticket.status.label),
        "agent.first_name": agent.first_name,
        "agent.name": str(agent),
    }


@dataclass
class BulkResult:
    updated: list[int] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        text = _("%(n)d updated") % {"n": len(self.updated)}
        if self.failed:
            reasons = "; ".join(f"#{pk} — {reason}" for pk, reason in self.failed)
            text += ", " + _("%(n)d failed: %(reasons)s") % {
                "n": len(self.failed),
                "reasons": reasons,
            }
        return text


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(exc) or _("not allowed")
    return str(exc)


def for_each_ticket(
    ids: Iterable[int], *, actor: User, apply: Callable[[Ticket], Any]
) -> BulkResult:
    """Run ``apply`` on each ticket the actor may work on, one transaction per ticket."""
    result = BulkResult()
    wanted = list(dict.fromkeys(int(i) for i in ids))[:MAX_BULK]
    found = {t.pk: t for t in visible_tickets(actor).select_related("status").filter(pk__in=wanted)}
    for pk in wanted:
        ticket = found.get(pk)
        if ticket is None:
            result.failed.append((pk, _("not found")))
            continue
        if not can_work_on(actor, ticket):
            result.failed.append((pk, _("not your team's ticket")))
            continue
        try:
            with transaction.atomic():
                apply(ticket)
        except (ValidationError, PermissionDenied) as exc:
            result.failed.append((pk, _reason(exc)))
        else:
            result.updated.append(pk)
    return result


def bulk_merge(ids: Iterable[int], target_id: int, *, actor: User) -> BulkResult:
    """Merge every other selected ticket into ``target_id``."""
    target = visible_tickets(actor).filter(pk=target_id).first()
    if target is None or not can_work_on(actor, target):
        raise ValidationError(
            {"target": _("There is no ticket #%(n)s that you can work on.") % {"n": target_id}}
        )
    others = [i for i in ids if int(i) != target.pk]
    return for_each_ticket(
        others, actor=actor, apply=lambda t: actions.merge_tickets(t, target, actor=actor)
    )


def bulk_tags(ids: Iterable[int], names: str, *, actor: User, remove: bool = False) -> BulkResult:
    """Add (or remove) the same tags on every ticked ticket; bad names fail before any ticket."""
    cleaned = tag_actions.clean_names(names)
    if not cleaned:
        raise ValidationError({"tags": _("Name at least one tag.")})
    change = tag_actions.remove_tags if remove else tag_actions.add_tags
    return for_each_ticket(ids, actor=actor, apply=lambda t: change(t, cleaned, actor=actor))


def reply_to_children(parent: Ticket, *, actor: User, body: str) -> BulkResult:
    """The same public reply on every child of a (mass incident) parent ticket."""
    if not (body or "").strip():
        raise ValidationError({"body": _("Write a message.")})
    ids = list(parent.children.values_list("pk", flat=True))
    return for_each_ticket(
        ids, actor=actor, apply=lambda t: actions.add_reply(t, actor=actor, body=body)
    )


@transaction.atomic
def split_article(ticket: Ticket, article: Article, *, actor: User, title: str = "") -> Ticket:
    """A new ticket from one article, on behalf of the same requester, related to this one."""
    if article.ticket_id != ticket.pk or article.kind == ArticleKind.SYSTEM:
        raise ValidationError({"article": _("Choose a message of this ticket.")})
    if not can_work_on(actor, ticket):
        raise PermissionDenied
    new = actions.open_ticket(
        actor=actor,
        requester=ticket.requester,
        title=(title or "").strip()
        or _("Split from #%(n)s: %(title)s") % {"n": ticket.number, "title": ticket.title},
        description=article.body_text or _("(no text)"),
        type=ticket.type,
        service=ticket.service,
        team=ticket.team,
        organization=ticket.organization,
        channel=Channel.DESK,
    )
    actions.link_tickets(new, ticket, actor=actor, kind="related")
    return new
