"""Context of the ticket page's notifications panel (watchers, my reminders)."""

from __future__ import annotations

from typing import Any

from okno.accounts.models import User

from .forms import ReminderForm, WatcherForm
from .models import Reminder, Watcher


def panel_context(user: Any, ticket: Any, **forms: Any) -> dict[str, Any]:
    watchers = [w.user for w in Watcher.objects.filter(ticket=ticket).select_related("user")]
    watcher_ids = {w.pk for w in watchers}
    people = User.objects.none()
    if ticket.team_id is not None:
        people = (
            User.objects.filter(is_active=True, memberships__team_id=ticket.team_id)
            .exclude(pk__in=watcher_ids | {user.pk})
            .order_by("full_name", "email")
        )
    return {
        "ticket": ticket,
        "user": user,
        "watchers": watchers,
        "watching": user.pk in watcher_ids,
        "reminders": list(
            Reminder.objects.filter(ticket=ticket, user=user, done=False).order_by("remind_at")
        ),
        "watcher_form": forms.get("watcher_form") or WatcherForm(people=people, auto_id="w_%s"),
        "reminder_form": forms.get("reminder_form") or ReminderForm(auto_id="r_%s"),
    }
