"""Every write on tags: tagging tickets (add, remove, replace) and the vocabulary (rename, merge).

Who may do what:
- Tagging a ticket is agent work: the actor must be able to work on the ticket
  (``accounts.queries.can_work_on``); requesters never tag, not even their own requests, because
  tags are internal classification (they never see them either). ``actor=None`` is the system
  (mail routing rules, jobs) and may tag anything.
- Unknown names become new tags when the actor is an agent or the system; there is no
  separate "may create tags" right (yet), so a typo makes a new tag that an admin can merge.
- Renaming and merging tags change the vocabulary, not tickets: admins only, in the Django
  admin log, without a ticket event per affected ticket (a tag may sit on 100 000 tickets).

Each ticket change runs in one transaction under the ticket's row lock, writes one
``tags_changed`` TicketEvent (added and removed names) and queues the ``updated`` follow-ups
(webhooks etc.) after commit, like ``tickets.actions.update_ticket``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from okno.accounts.models import Role, User
from okno.accounts.queries import can_work_on
from okno.tickets.models import Ticket
from okno.tickets.tasks import enqueue_ticket_followup

from . import events
from .models import Tag, TicketTag, split_names, tag_key, validate_name

MAX_TAGS_PER_CHANGE = 50


def may_tag(actor: User | None, ticket: Ticket) -> bool:
    return actor is None or can_work_on(actor, ticket)


def may_create_tags(actor: User | None) -> bool:
    return actor is None or actor.is_agent


def may_manage_tags(actor: User | None) -> bool:
    """Rename and merge: administrators (and superusers)."""
    return actor is not None and (actor.is_superuser or actor.role == Role.ADMIN)


def clean_names(names: str | Iterable[str]) -> list[str]:
    """Normalized, de-duplicated names; every bad one reported under ``tags`` at once."""
    wanted = split_names(names)
    problems: list[str] = []
    cleaned: list[str] = []
    for name in wanted:
        try:
            cleaned.append(validate_name(name))
        except ValidationError as exc:
            problems.extend(exc.messages)
    if len(cleaned) > MAX_TAGS_PER_CHANGE:
        problems.append(_("At most %(n)d tags at a time.") % {"n": MAX_TAGS_PER_CHANGE})
    if problems:
        raise ValidationError({"tags": problems})
    return cleaned


def valid_names(names: str | Iterable[str]) -> list[str]:
    """The good names only (for automatic sources such as mail rules, which must not fail)."""
    good = []
    for name in split_names(names):
        try:
            good.append(validate_name(name))
        except ValidationError:
            continue
    return good[:MAX_TAGS_PER_CHANGE]


def _resolve(names: list[str], *, actor: User | None, create: bool) -> list[Tag]:
    """Existing tags for ``names`` (any spelling); missing ones created if allowed."""
    keys = {tag_key(n): n for n in names}
    found = {t.key: t for t in Tag.objects.filter(key__in=keys)}
    missing = [name for key, name in keys.items() if key not in found]
    if missing and create:
        if not may_create_tags(actor):
            raise PermissionDenied(
                _("Only agents may create tags: %(names)s.") % {"names": ", ".join(missing)}
            )
        for name in missing:
            # get_or_create: two agents creating the same new tag at once both succeed.
            tag, _created = Tag.objects.get_or_create(key=tag_key(name), defaults={"name": name})
            found[tag.key] = tag
    return [found[k] for k in keys if k in found]


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)


def _current(ticket: Ticket) -> dict[int, str]:
    return dict(
        TicketTag.objects.filter(ticket=ticket)
        .order_by("tag__key")
        .values_list("tag_id", "tag__name")
    )


@transaction.atomic
def change_tags(
    ticket: Ticket,
    *,
    actor: User | None,
    add: str | Iterable[str] = (),
    remove: str | Iterable[str] = (),
    replace: bool = False,
    followup: bool = True,
) -> tuple[list[str], list[str]]:
    """The one write behind add/remove/set; returns (added, removed) names.

    ``replace`` makes ``add`` the whole new set. ``followup=False`` is for a ticket created in
    the same transaction, whose "created" follow-ups already see the tags.
    """
    add_names, remove_names = clean_names(add), clean_names(remove)
    ticket = _locked(ticket)
    if not may_tag(actor, ticket):
        raise PermissionDenied(_("Only agents of the ticket's team may change its tags."))
    before = _current(ticket)
    to_add = _resolve(add_names, actor=actor, create=True)
    to_remove = {t.pk for t in _resolve(remove_names, actor=actor, create=False)}
    if replace:
        to_remove = set(before) - {t.pk for t in to_add}
    new_links = [t for t in to_add if t.pk not in before and t.pk not in to_remove]
    gone = [pk for pk in before if pk in to_remove]
    if not new_links and not gone:
        return [], []
    TicketTag.objects.bulk_create(
        [TicketTag(ticket=ticket, tag=t, created_by=actor) for t in new_links]
    )
    TicketTag.objects.filter(ticket=ticket, tag_id__in=gone).delete()
    after = _current(ticket)
    added = [t.name for t in new_links]
    removed = [before[pk] for pk in gone]
    events.tags_changed(
        ticket,
        actor=actor,
        old=list(before.values()),
        new=list(after.values()),
        added=added,
        removed=removed,
    )
    ticket.save(update_fields=["updated_at"])
    if followup:
        enqueue_ticket_followup(ticket.pk, "updated")
    return added, removed


def add_tags(
    ticket: Ticket, names: str | Iterable[str], *, actor: User | None, followup: bool = True
) -> list[str]:
    """Tag the ticket; names already on it are skipped. Returns the names added."""
    return change_tags(ticket, actor=actor, add=names, followup=followup)[0]


def remove_tags(ticket: Ticket, names: str | Iterable[str], *, actor: User | None) -> list[str]:
    """Untag the ticket; names not on it (or unknown) are skipped. Returns the names removed."""
    return change_tags(ticket, actor=actor, remove=names)[1]


def set_tags(
    ticket: Ticket, names: str | Iterable[str], *, actor: User | None
) -> tuple[list[str], list[str]]:
    """Make ``names`` the ticket's whole tag set. Returns (added, removed)."""
    return change_tags(ticket, actor=actor, add=names, replace=True)


# --- vocabulary ------------------------------------------------------------------------------


def _require_manager(actor: User | None) -> None:
    if not may_manage_tags(actor):
        raise PermissionDenied(_("Only administrators may rename or merge tags."))


@transaction.atomic
def rename_tag(tag: Tag, name: str, *, actor: User | None) -> Tag:
    """A new spelling; into another tag's name only through ``merge_tags``."""
    _require_manager(actor)
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    tag.name = name
    tag.full_clean()
    tag.save()
    return tag


@transaction.atomic
def merge_tags(source: Tag, target: Tag, *, actor: User | None) -> int:
    """Fold ``source`` into ``target``: every ticket keeps a tag (target), source is deleted.

    Set-based (two statements, whatever the number of tickets). Returns how many tickets
    gained ``target``.
    """
    _require_manager(actor)
    if source.pk == target.pk:
        raise ValidationError({"target": _("A tag cannot be merged into itself.")})
    locked = {
        t.pk: t for t in Tag.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    }
    if len(locked) != 2:
        raise ValidationError({"target": _("One of these tags no longer exists.")})
    has_target = TicketTag.objects.filter(tag_id=target.pk).values("ticket_id")
    moved = (
        TicketTag.objects.filter(tag_id=source.pk)
        .exclude(ticket_id__in=has_target)
        .update(tag_id=target.pk)
    )
    Tag.objects.filter(pk=source.pk).delete()  # cascades the links of tickets that had both
    return moved
