"""A default business calendar and SLA policy, so a fresh demo desk has running clocks."""

from __future__ import annotations

from django.conf import settings

from okno.sla.actions import publish_policy, save_calendar
from okno.sla.models import Calendar, EscalationRule, SlaPolicy, SlaTarget

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
# priority: (first response, resolution) as (amount, unit)
TARGETS = {
    1: ((30, "minutes"), (4, "hours")),
    2: ((1, "hours"), (8, "hours")),
    3: ((4, "hours"), (3, "days")),
    4: ((8, "hours"), (5, "days")),
    5: ((2, "days"), (10, "days")),
}


def ensure_default_sla() -> SlaPolicy:
    """Office hours Mon-Fri 09-18 and a fallback policy with targets per priority (idempotent)."""
    calendar = Calendar.objects.filter(name="Office hours").first()
    if calendar is None:
        calendar = Calendar(
            name="Office hours",
            timezone=getattr(settings, "DEFAULT_USER_TIME_ZONE", "UTC") or "UTC",
            hours={day: [["09:00", "18:00"]] for day in WEEKDAYS},
        )
        save_calendar(calendar, actor=None)
    policy, created = SlaPolicy.objects.get_or_create(
        name="Standard support",
        defaults={"order": 1000, "calendar": calendar, "description": "Fallback for every ticket."},
    )
    if created:
        for priority, ((fr, fr_unit), (res, res_unit)) in TARGETS.items():
            SlaTarget.objects.create(
                policy=policy, kind="first_response", priority=priority, amount=fr, unit=fr_unit
            )
            SlaTarget.objects.create(
                policy=policy,
                kind="resolution",
                priority=priority,
                amount=res,
                unit=res_unit,
                pause_categories=["waiting"],
                warn_percents=[75, 90],
            )
        SlaTarget.objects.create(policy=policy, kind="next_response", amount=8, unit="hours")
        EscalationRule.objects.create(
            policy=policy, trigger="warning", percent=75, action="notify", notify=["assignee"]
        )
        EscalationRule.objects.create(
            policy=policy, trigger="breach", action="notify", notify=["assignee", "team_lead"]
        )
        EscalationRule.objects.create(
            policy=policy, target_kind="first_response", trigger="breach", action="next_line"
        )
    publish_policy(policy, actor=None)
    return policy
