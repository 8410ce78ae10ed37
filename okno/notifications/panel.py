"""Context of the ticket page's notifications panel (watchers, my reminders)."""

from __future__ import annotations

from typing import Any

from okno.accounts.models import User
from okno.ops.lookup import JoinedLookup

from .forms import ReminderForm, WatcherForm
from .models import Reminder, Watcher

# Read on every ticket page: statements built once per process (ops.lookup).
_WATCHERS = JoinedLookup(Watcher, ["user"], where=[("ticket", "exact")])
_MY_REMINDERS = JoinedLookup(
    Reminder,
    where=[("ticket", "exact"), ("user", "exact"), ("done", "exact")],
    order_by=("remind_at", "pk"),
)


def panel_context(user: Any, ticket: Any, **forms: Any) -> dict[str, Any]:
    from okno.desk.reference import team_people

    watchers = [w.user for w in _WATCHERS.all(ticket.pk)]
    watcher_ids = {w.pk for w in watchers}
    colleagues: list[Any] = []
    if ticket.team_id is not None:
        # the picker's colleagues: active members of the ticket's team who do not watch yet,
        # from the per-process list of team members (no query). A pick is validated by the
        # watch view against the database (notifications.views.watch).
        colleagues = [
            u for u in team_people(ticket.team_id) if u.pk not in watcher_ids and u.pk != user.pk
        ]
    watcher_form = forms.get("watcher_form")
    if watcher_form is None:
        watcher_form = WatcherForm(
            people=User.objects.none(), rows=lambda: colleagues, auto_id="w_%s"
        )
        can_add = bool(colleagues)
    else:
        can_add = watcher_form.fields["user"].queryset.exists()
    return {
        "ticket": ticket,
        "user": user,
        "watchers": watchers,
        "watching": user.pk in watcher_ids,
        "reminders": _MY_REMINDERS.all(ticket.pk, user.pk, False),
        "watcher_form": watcher_form,
        "can_add_watcher": can_add,
        "reminder_form": forms.get("reminder_form") or ReminderForm(auto_id="r_%s"),
    }
