"""Periodic job: fire due reminders (each one exactly once, even with several workers)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tasks import task

from .delivery import notify
from .models import Kind, Reminder

BATCH = 500
REMINDER = gettext_lazy("Reminder: #%(n)s %(title)s")


def fire_due_reminders(now=None) -> int:  # type: ignore[no-untyped-def]
    now = now or timezone.now()
    fired = 0
    due = list(
        Reminder.objects.filter(done=False, remind_at__lte=now)
        .select_related("ticket", "user")
        .order_by("remind_at", "id")[:BATCH]
    )
    for reminder in due:
        # Claim it first: another worker that got there first makes this a no-op.
        if not Reminder.objects.filter(pk=reminder.pk, done=False).update(done=True):
            continue
        ticket, note = reminder.ticket, reminder.note
        done = notify(
            reminder.user,
            kind=Kind.REMINDER,
            ticket=ticket,
            key=f"reminder:{reminder.pk}",
            message=REMINDER,
            params={"n": ticket.pk, "title": ticket.title},
            extra={"reminder_note": note},
        )
        fired += done is not None
    return fired


@task(queue_name="default")
def send_due_reminders() -> int:
    return fire_due_reminders()
