"""Business calendars, SLA policies with their targets, and the clocks they drive.

Editable rows (``Calendar``, ``SlaPolicy``, ``SlaTarget``, ``EscalationRule``) are what an
administrator changes; every saved change becomes an immutable snapshot (``CalendarVersion``,
``SlaPolicyVersion``) that clocks pin, so a clock is a pure function of the versions it uses and
the ticket's event log (SLA.md "Behaviour"). ``SlaClock`` rows are a cache of that function.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from okno.sla.businesstime import Calendar as BusinessCalendar
from okno.sla.businesstime import CalendarError
from okno.sla.calendarfile import calendar_from_dict


class Calendar(models.Model):
    """Working time: weekly hours, date shifts, breaks and holidays in one IANA zone.

    The fields use the calendar-file format (docs/sla.md): ``hours`` maps ``mon`` … ``sun`` to
    ``[["08:00", "17:00"], …]`` (empty = 24x7), ``shifts`` and ``breaks`` map ``YYYY-MM-DD`` to
    windows, ``holidays`` lists dates. Saving through ``sla.actions.save_calendar`` bumps
    ``version`` and stores a snapshot the clocks pin.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    hours = models.JSONField(
        _("weekly hours"),
        default=dict,
        blank=True,
        help_text=_('{"mon": [["08:00", "17:00"]], …}; leave empty for 24x7.'),
    )
    holidays = models.JSONField(_("holidays"), default=list, blank=True)
    shifts = models.JSONField(
        _("shifted days"),
        default=dict,
        blank=True,
        help_text=_("Hours for one date that replace the weekday's (shortened or working days)."),
    )
    breaks = models.JSONField(_("breaks"), default=dict, blank=True)
    country = models.CharField(
        _("holiday country"), max_length=8, blank=True, help_text=_("ISO code, e.g. RU, UA, DE.")
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    def definition(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "timezone": self.timezone,
            "holidays": list(self.holidays or []),
            "shifts": dict(self.shifts or {}),
            "breaks": dict(self.breaks or {}),
        }
        if self.hours:
            data["hours"] = dict(self.hours)
        return data

    def clean(self) -> None:
        field_of = {"timezone": "timezone", "hours": "hours", "holidays": "holidays"}
        field_of |= {"shifts": "shifts", "breaks": "breaks"}
        try:
            calendar_from_dict(self.definition())
        except CalendarError as exc:
            top = exc.field.split(".")[0].split("[")[0]
            message = f"{exc.field}: {exc.message}"
            raise ValidationError({field_of.get(top, "hours"): message}) from None


class CalendarVersion(models.Model):
    """An immutable snapshot of a calendar; clocks pin these."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["calendar", "-version"]
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar versions")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "version"], name="unique_calendar_version")
        ]

    def __str__(self) -> str:
        return f"{self.calendar_id} v{self.version}"

    def business_calendar(self) -> BusinessCalendar:
        return calendar_from_dict({**self.definition, "version": self.version})


class CalendarSource(models.TextChoices):
    TEAM = "team", _("The ticket's team")
    SERVICE = "service", _("The ticket's service")
    ORGANIZATION = "organization", _("The requester's organization")
    CALENDAR = "calendar", _("A specific calendar")
    NONE = "none", _("Around the clock (24x7)")


class SlaPolicy(models.Model):
    """Ordered; the first active policy whose conditions all match a new ticket applies.

    An empty condition matches anything, so a policy without conditions is the fallback.
    Saving through ``sla.actions.publish_policy`` creates a new ``SlaPolicyVersion``.
    """

    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    services = models.ManyToManyField(
        "catalog.Service", verbose_name=_("services"), blank=True, related_name="sla_policies"
    )
    organizations = models.ManyToManyField(
        "accounts.Organization",
        verbose_name=_("organizations"),
        blank=True,
        related_name="sla_policies",
    )
    ticket_types = models.JSONField(_("ticket types"), default=list, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    calendar_source = models.CharField(
        _("calendar that counts"),
        max_length=12,
        choices=CalendarSource.choices,
        default=CalendarSource.CALENDAR,
        help_text=_("Falls back to the calendar below, then to 24x7, when the source has none."),
    )
    calendar = models.ForeignKey(
        Calendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies",
    )
    penalty_per_breach = models.DecimalField(
        _("penalty per breach"), max_digits=10, decimal_places=2, default=0
    )
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class TargetKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    PERIODIC_UPDATE = "periodic_update", _("Periodic update")
    RESOLUTION = "resolution", _("Resolution")


class TargetUnit(models.TextChoices):
    MINUTES = "minutes", _("business minutes")
    HOURS = "hours", _("business hours")
    DAYS = "days", _("business days")


class ReopenPolicy(models.TextChoices):
    CONTINUE = "continue", _("Continue from the time used")
    RESTART = "restart", _("Restart")


class SlaTarget(models.Model):
    """One target of a policy; ``priority`` empty means every priority without its own row."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("target"), max_length=20, choices=TargetKind.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    amount = models.PositiveIntegerField(_("amount"))
    unit = models.CharField(
        _("unit"), max_length=8, choices=TargetUnit.choices, default=TargetUnit.HOURS
    )
    pause_categories = models.JSONField(
        _("paused in status categories"),
        default=list,
        blank=True,
        help_text=_('e.g. ["waiting"]; resolution usually pauses, first response does not.'),
    )
    warn_percents = models.JSONField(_("warning thresholds (%)"), default=list, blank=True)
    reopen = models.CharField(
        _("on reopen"), max_length=8, choices=ReopenPolicy.choices, default=ReopenPolicy.CONTINUE
    )

    class Meta:
        ordering = ["policy", "kind", "priority"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "kind", "priority"],
                condition=Q(priority__isnull=False),
                name="unique_target_per_priority",
            ),
            models.UniqueConstraint(
                fields=["policy", "kind"],
                condition=Q(priority__isnull=True),
                name="unique_target_any_priority",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} P{self.priority or '*'}: {self.amount} {self.unit}"

    def clean(self) -> None:
        from okno.tickets.models import StatusCategory

        bad = [c for c in self.pause_categories or [] if c not in StatusCategory.values]
        if bad:
            raise ValidationError({"pause_categories": _("Unknown status category: %s") % bad[0]})
        for value in self.warn_percents or []:
            if not isinstance(value, int) or not 0 < value < 100:
                raise ValidationError(
                    {"warn_percents": _("Thresholds are whole percentages between 1 and 99.")}
                )

    def snapshot(self) -> dict[str, Any]:
        seconds = {"minutes": 60, "hours": 3600}.get(self.unit, 0) * self.amount
        return {
            "kind": self.kind,
            "priority": self.priority,
            "seconds": seconds,
            "business_days": self.amount if self.unit == TargetUnit.DAYS else 0,
            "pause": sorted(self.pause_categories or []),
            "warn": sorted(self.warn_percents or [75]),
            "reopen": self.reopen,
        }


class EscalationTrigger(models.TextChoices):
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Breach")


class EscalationAction(models.TextChoices):
    NOTIFY = "notify", _("Notify")
    REASSIGN = "reassign", _("Reassign to a team")
    RAISE_PRIORITY = "raise_priority", _("Raise the priority")
    NEXT_LINE = "next_line", _("Move to the next support line")


class EscalationRule(models.Model):
    """What happens when a clock of the policy warns or breaches."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="escalations")
    target_kind = models.CharField(
        _("target"), max_length=20, choices=TargetKind.choices, blank=True, help_text=_("Any")
    )
    trigger = models.CharField(_("when"), max_length=8, choices=EscalationTrigger.choices)
    percent = models.PositiveSmallIntegerField(
        _("warning threshold (%)"), null=True, blank=True, help_text=_("Empty: every warning.")
    )
    action = models.CharField(_("action"), max_length=16, choices=EscalationAction.choices)
    notify = models.JSONField(
        _("notify"), default=list, blank=True, help_text=_('["assignee", "team_lead", "manager"]')
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["policy", "trigger", "pk"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} → {self.get_action_display()}"

    def clean(self) -> None:
        bad = [n for n in self.notify or [] if n not in ("assignee", "team_lead", "manager")]
        if bad:
            raise ValidationError({"notify": _("Unknown recipient: %s") % bad[0]})
        if self.action == EscalationAction.REASSIGN and self.team_id is None:
            raise ValidationError({"team": _("Choose the team to reassign to.")})

    def snapshot(self) -> dict[str, Any]:
        return {
            "kind": self.target_kind,
            "trigger": self.trigger,
            "percent": self.percent,
            "action": self.action,
            "notify": list(self.notify or []),
            "team": self.team_id,
        }


class SlaPolicyVersion(models.Model):
    """An immutable snapshot of a policy (targets, calendar rule, escalations); clocks pin it."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("snapshot"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["policy", "-version"]
        verbose_name = _("SLA policy version")
        verbose_name_plural = _("SLA policy versions")
        constraints = [
            models.UniqueConstraint(fields=["policy", "version"], name="unique_policy_version")
        ]

    def __str__(self) -> str:
        return f"{self.policy_id} v{self.version}"


class TicketSla(models.Model):
    """The versions one ticket's clocks are computed with (the pins).

    ``calendars`` is ``[[calendar_version_id or null, effective_from ISO or null], …]``: the
    first entry applies from the start, each later one from the moment a calendar edit was
    applied to the open clocks (only the future part is recomputed).
    """

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="sla")
    policy_version = models.ForeignKey(
        SlaPolicyVersion, on_delete=models.PROTECT, related_name="tickets"
    )
    calendars = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")

    def __str__(self) -> str:
        return f"SLA of #{self.ticket_id}"


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED_RUNNING = "breached_running", _("Breached, running")
    BREACHED_MET = "breached_met", _("Breached, met")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_CLOCK_STATES = (ClockState.RUNNING, ClockState.PAUSED, ClockState.BREACHED_RUNNING)


class SlaClock(models.Model):
    """One target's clock on one ticket (``cycle`` counts next responses, restarts, updates).

    Every field except the firing marks (``warnings_fired``, ``breach_fired``) and
    ``next_check_at`` is derived by ``sla.replay`` from the pins and the event log.
    ``next_check_at`` is the next instant the sweep must look at this clock (the next unfired
    warning or the unfired breach); it is indexed and null when nothing is pending.
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("target"), max_length=20, choices=TargetKind.choices)
    cycle = models.PositiveIntegerField(_("cycle"), default=1)
    policy_version = models.ForeignKey(
        SlaPolicyVersion, on_delete=models.PROTECT, related_name="clocks"
    )
    calendar_version = models.ForeignKey(
        CalendarVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="clocks"
    )
    priority = models.PositiveSmallIntegerField(_("priority"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=ClockState.choices)
    started_at = models.DateTimeField(_("started"))
    target_seconds = models.FloatField(_("target (business seconds)"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    used_seconds = models.FloatField(_("business seconds used"), default=0)
    paused_seconds = models.FloatField(_("paused business seconds"), default=0)
    measured_at = models.DateTimeField(_("measured at"))
    segment_start = models.DateTimeField()
    segment_used = models.FloatField(default=0)
    pauses = models.JSONField(default=list, blank=True)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    warn_points = models.JSONField(default=list, blank=True)  # [[percent, ISO instant], …]
    warnings_fired = models.PositiveSmallIntegerField(_("warnings fired"), default=0)
    breach_fired = models.BooleanField(_("breach fired"), default=False)
    next_check_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ticket", "kind", "cycle"]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind", "cycle"], name="unique_clock_cycle")
        ]
        indexes = [
            # The sweep: only clocks with something pending are in this index.
            models.Index(
                fields=["next_check_at"],
                name="sla_clock_pending",
                condition=Q(next_check_at__isnull=False),
            ),
            models.Index(fields=["state", "due_at"], name="sla_clock_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}#{self.cycle} on #{self.ticket_id}: {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CLOCK_STATES

    def warn_instants(self) -> list[tuple[int, datetime]]:
        return [(int(p), datetime.fromisoformat(at)) for p, at in self.warn_points]
