"""Every write on SLA configuration: calendar edits, policy versions, recomputes.

Editing creates an immutable version (``CalendarVersion``, ``SlaPolicyVersion``). Policy edits
apply to new tickets; open clocks stay on their version until an administrator runs
``recompute_open_clocks`` (``okno sla recompute --open --latest``). Calendar edits recompute the
future part of open clocks in batches (a background task), never re-firing anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from okno.accounts.models import User
from okno.sla.models import (
    OPEN_CLOCK_STATES,
    Calendar,
    CalendarVersion,
    SlaClock,
    SlaPolicy,
    SlaPolicyVersion,
    TicketSla,
)

BATCH = 200


def snapshot_calendar(calendar: Calendar) -> CalendarVersion:
    """The version row for the calendar's current ``version`` (created once)."""
    version, _created = CalendarVersion.objects.get_or_create(
        calendar=calendar, version=calendar.version, defaults={"definition": calendar.definition()}
    )
    return version


@transaction.atomic
def save_calendar(calendar: Calendar, *, actor: User | None) -> CalendarVersion:
    """Validate and save an edited calendar as a new version; open clocks follow in batches."""
    calendar.full_clean()
    is_new = calendar.pk is None
    if not is_new:
        Calendar.objects.select_for_update().filter(pk=calendar.pk).first()
        current = Calendar.objects.get(pk=calendar.pk)
        if current.definition() == calendar.definition() and current.version:
            calendar.save()
            return snapshot_calendar(calendar)
        calendar.version = current.version + 1
    else:
        calendar.version = 1
    calendar.save()
    version = snapshot_calendar(calendar)
    if not is_new:
        from okno.sla.tasks import apply_calendar_edit

        transaction.on_commit(lambda: apply_calendar_edit.enqueue(calendar_version_id=version.pk))
    return version


def policy_snapshot(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "calendar_source": policy.calendar_source,
        "calendar": policy.calendar_id,
        "penalty": str(policy.penalty_per_breach),
        "targets": [t.snapshot() for t in policy.targets.order_by("kind", "priority")],
        "escalations": [e.snapshot() for e in policy.escalations.order_by("pk")],
    }


@transaction.atomic
def publish_policy(policy: SlaPolicy, *, actor: User | None) -> SlaPolicyVersion:
    """Snapshot the policy (targets, calendar rule, escalations) as its next version.

    Publishing an unchanged policy returns the current version: versions change only when
    something that affects clocks changed.
    """
    locked = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    snapshot = policy_snapshot(locked)
    latest = locked.versions.order_by("-version").first()
    if latest is not None and latest.snapshot == snapshot:
        return latest
    locked.version = (latest.version if latest else 0) + 1
    locked.save(update_fields=["version", "updated_at"])
    policy.version = locked.version
    return SlaPolicyVersion.objects.create(
        policy=locked, version=locked.version, snapshot=snapshot, created_by=actor
    )


def recompute_ticket(ticket_id: int, *, latest: bool = False) -> int:
    """Rebuild one ticket's clocks from its log through the ticket action (locks the ticket)."""
    from okno.tickets import actions as ticket_actions
    from okno.tickets.models import Ticket

    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    ticket_actions.refresh_sla(ticket, actor=None, latest=latest)
    return 1


def tickets_with_open_clocks(after: int = 0) -> list[int]:
    return list(
        SlaClock.objects.filter(state__in=OPEN_CLOCK_STATES, ticket_id__gt=after)
        .order_by("ticket_id")
        .values_list("ticket_id", flat=True)
        .distinct()[:BATCH]
    )


def recompute_open_clocks(*, latest: bool = True) -> int:
    """Administrator's "recompute open clocks": re-pin running tickets to the current policy
    and calendar versions, in batches of ``BATCH`` tickets, one transaction per ticket."""
    done, after = 0, 0
    while True:
        ids = tickets_with_open_clocks(after)
        if not ids:
            return done
        for ticket_id in ids:
            done += recompute_ticket(ticket_id, latest=latest)
        after = ids[-1]


def apply_calendar_edit(calendar_version_id: int, *, now: datetime | None = None) -> int:
    """Switch the open clocks on an older version of this calendar to the new version from
    ``now`` on: time already used stays as counted, due times move. Batched, idempotent."""
    from okno.tickets import actions as ticket_actions
    from okno.tickets.models import Ticket

    version = CalendarVersion.objects.filter(pk=calendar_version_id).first()
    if version is None:
        return 0
    older = list(
        CalendarVersion.objects.filter(
            calendar_id=version.calendar_id, version__lt=version.version
        ).values_list("pk", flat=True)
    )
    done, after = 0, 0
    while True:
        ids = list(
            SlaClock.objects.filter(
                state__in=OPEN_CLOCK_STATES, calendar_version_id__in=older, ticket_id__gt=after
            )
            .order_by("ticket_id")
            .values_list("ticket_id", flat=True)
            .distinct()[:BATCH]
        )
        if not ids:
            return done
        for ticket_id in ids:
            with transaction.atomic():
                ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
                pin = TicketSla.objects.filter(ticket_id=ticket_id).first()
                if ticket is None or pin is None or pin.calendars[-1][0] not in older:
                    continue
                moment = now or timezone.now()
                pin.calendars = [*pin.calendars, [version.pk, moment.isoformat()]]
                pin.save(update_fields=["calendars", "updated_at"])
                ticket_actions.refresh_sla(ticket, actor=None)
                done += 1
        after = ids[-1]


def validate_policy(policy: SlaPolicy) -> None:
    from okno.tickets.models import Channel, TicketType

    errors: dict[str, str] = {}
    if any(t not in TicketType.values for t in policy.ticket_types or []):
        errors["ticket_types"] = _("Unknown ticket type.")
    if any(c not in Channel.values for c in policy.channels or []):
        errors["channels"] = _("Unknown channel.")
    if any(p not in (1, 2, 3, 4, 5) for p in policy.priorities or []):
        errors["priorities"] = _("Priorities are 1 to 5.")
    if errors:
        raise ValidationError(errors)
