"""Writes of the notifications app: watching, reminders, reading, preferences."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.accounts.queries import can_work_on, visible_tickets
from okno.tickets import events
from okno.tickets.models import Ticket

from .models import Channel, Kind, Notification, Preference, Reminder, Watcher

WATCHER_ADDED = "watcher_added"
WATCHER_REMOVED = "watcher_removed"
MAX_REMINDER_AHEAD = timedelta(days=366)
NOTE_MAX = 300


def _sees(user: User, ticket: Ticket) -> bool:
    return visible_tickets(user).filter(pk=ticket.pk).exists()


def _require_agent_on(actor: User, ticket: Ticket) -> None:
    if not actor.is_agent or not _sees(actor, ticket):
        raise PermissionDenied(_("Only agents who can see this ticket may do this."))


@transaction.atomic
def watch(ticket: Ticket, *, actor: User, user: User | None = None) -> Watcher:
    """Follow a ticket (or, for its team's agents, add a colleague as a watcher / CC)."""
    user = user or actor
    _require_agent_on(actor, ticket)
    if user.pk != actor.pk and not can_work_on(actor, ticket):
        raise PermissionDenied(_("Only agents of the ticket's team may add other watchers."))
    if not user.is_active or not user.is_agent:
        raise ValidationError({"user": _("Only active agents can watch tickets.")})
    if not _sees(user, ticket):
        raise ValidationError(
            {"user": _("%(name)s cannot see this ticket.") % {"name": user.display_name}}
        )
    watcher, created = Watcher.objects.get_or_create(
        ticket=ticket, user=user, defaults={"added_by": actor}
    )
    if created:
        events.record(
            ticket,
            WATCHER_ADDED,
            actor=actor,
            field="watchers",
            new=user.pk,
            new_label=user.display_name,
        )
    return watcher


@transaction.atomic
def unwatch(ticket: Ticket, *, actor: User, user: User | None = None) -> bool:
    user = user or actor
    if user.pk != actor.pk and not can_work_on(actor, ticket):
        raise PermissionDenied(_("Only agents of the ticket's team may remove other watchers."))
    deleted, _rows = Watcher.objects.filter(ticket=ticket, user=user).delete()
    if deleted:
        events.record(
            ticket,
            WATCHER_REMOVED,
            actor=actor,
            field="watchers",
            old=user.pk,
            old_label=user.display_name,
        )
    return bool(deleted)


@transaction.atomic
def add_reminder(ticket: Ticket, *, actor: User, remind_at: datetime, note: str = "") -> Reminder:
    """ "Remind me …" about a ticket: a personal note, not part of the ticket's history."""
    _require_agent_on(actor, ticket)
    now = timezone.now()
    errors: dict[str, str] = {}
    if timezone.is_naive(remind_at):
        errors["remind_at"] = _("Give a time with a time zone.")
    elif remind_at <= now:
        errors["remind_at"] = _("Choose a time in the future.")
    elif remind_at > now + MAX_REMINDER_AHEAD:
        errors["remind_at"] = _("Choose a time within a year.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = _("Keep the note under %(max)s characters.") % {"max": NOTE_MAX}
    if errors:
        raise ValidationError(errors)
    return Reminder.objects.create(ticket=ticket, user=actor, remind_at=remind_at, note=note)


@transaction.atomic
def cancel_reminder(reminder: Reminder, *, actor: User) -> None:
    if reminder.user_id != actor.pk:
        raise PermissionDenied(_("This is someone else's reminder."))
    Reminder.objects.filter(pk=reminder.pk, done=False).update(done=True)


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark some (or, with ``ids=None``, all) of the person's notifications read."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def save_preferences(user: User, choices: dict[tuple[str, str], bool]) -> None:
    """Store every (kind, channel) choice; unknown pairs are refused, nothing half-saved."""
    for kind, channel in choices:
        if kind not in Kind.values or channel not in Channel.values:
            raise ValidationError(_("Unknown notification kind or channel."))
    for (kind, channel), enabled in choices.items():
        Preference.objects.update_or_create(
            user=user, kind=kind, channel=channel, defaults={"enabled": bool(enabled)}
        )
