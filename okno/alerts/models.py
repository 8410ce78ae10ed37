"""Monitoring intake: sources (with their rules), stored events, alert state, alert incidents.

- :class:`Event` is the raw inbound record: written by the API with one cheap insert in state
  ``received`` and processed later by a task, so a storm is never dropped.
- :class:`Alert` is the deduplication state of one fingerprint of one source: its incident
  ticket, how often it repeated, its recent state changes (flapping).
- :class:`AlertIncident` is what correlation needs to know about the tickets alerts opened.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .correlate import Policy


class AlertSource(models.Model):
    """A monitoring system sending events (``prometheus``, ``zabbix-prod``), with its rules.

    Created on the first event that names it; administrators tune it in the admin.
    """

    name = models.CharField(_("name"), max_length=60, unique=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Incidents from this source are filed on behalf of this person."),
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("default service"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Used when an alert's service label names no catalog service."),
    )
    auto_resolve = models.BooleanField(
        _("resolve incidents automatically"),
        default=True,
        help_text=_("When every alert of an incident is resolved, resolve the incident."),
    )
    window_minutes = models.PositiveIntegerField(_("correlation window (minutes)"), default=10)
    group_after = models.PositiveIntegerField(
        _("mass incident after"),
        default=2,
        help_text=_(
            "Distinct alerts of one service or host within the window that form one "
            "mass incident (0 turns grouping off)."
        ),
    )
    storm_after = models.PositiveIntegerField(
        _("major incident after"),
        default=5,
        help_text=_(
            "Separate incidents within the window after which one major incident "
            "collects them all (0 turns this off)."
        ),
    )
    max_children = models.PositiveIntegerField(
        _("child tickets per parent"),
        default=50,
        help_text=_("Later alerts join the parent's timeline without a ticket of their own."),
    )
    flap_changes = models.PositiveIntegerField(
        _("flapping after state changes"),
        default=4,
        help_text=_(
            "This many firing/resolved changes within the flapping window mark an "
            "alert as flapping (0 turns detection off)."
        ),
    )
    flap_minutes = models.PositiveIntegerField(_("flapping window (minutes)"), default=30)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("alert source")
        verbose_name_plural = _("alert sources")

    def __str__(self) -> str:
        return self.name

    @property
    def policy(self) -> Policy:
        return Policy(
            window=timedelta(minutes=self.window_minutes),
            group_after=self.group_after,
            storm_after=self.storm_after,
            max_children=self.max_children,
        )

    @property
    def flap_window(self) -> timedelta:
        return timedelta(minutes=self.flap_minutes)


class EventState(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")


class EventFormat(models.TextChoices):
    GENERIC = "generic", _("Generic JSON")
    ALERTMANAGER = "alertmanager", _("Prometheus Alertmanager")
    ZABBIX = "zabbix", _("Zabbix")


class AlertStatus(models.TextChoices):
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", _("Resolved")


class Event(models.Model):
    """One inbound monitoring event as received: normalized fields plus the raw payload."""

    id = models.BigAutoField(primary_key=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_name = models.CharField(_("source"), max_length=60)
    format = models.CharField(_("format"), max_length=12, choices=EventFormat.choices)
    fingerprint = models.CharField(_("fingerprint"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=AlertStatus.choices)
    severity = models.CharField(_("severity"), max_length=10)
    summary = models.CharField(_("summary"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    service = models.CharField(_("service / configuration item"), max_length=200, blank=True)
    host = models.CharField(_("host"), max_length=200, blank=True)
    url = models.CharField(_("link"), max_length=1000, blank=True)
    occurred_at = models.DateTimeField(_("occurred"), null=True, blank=True)
    labels = models.JSONField(_("labels"), default=dict, blank=True)
    raw = models.JSONField(_("payload"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=EventState.choices, default=EventState.RECEIVED
    )
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    alert = models.ForeignKey(
        "Alert",
        verbose_name=_("alert"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("monitoring event")
        verbose_name_plural = _("monitoring events")
        indexes = [
            # the processing queue: small, because processed rows leave it
            models.Index(
                fields=["source_name", "id"],
                condition=Q(state="received"),
                name="alerts_event_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_name}: {self.summary}"


class Alert(models.Model):
    """Deduplication state of one fingerprint of one source."""

    source = models.ForeignKey(
        AlertSource, verbose_name=_("source"), on_delete=models.CASCADE, related_name="alerts"
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=AlertStatus.choices)
    severity = models.CharField(_("severity"), max_length=10)
    summary = models.CharField(_("summary"), max_length=500)
    service = models.CharField(_("service / configuration item"), max_length=200, blank=True)
    host = models.CharField(_("host"), max_length=200, blank=True)
    labels = models.JSONField(_("labels"), default=dict, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
    )
    attached = models.BooleanField(
        _("joined a parent"),
        default=False,
        help_text=_("The alert has no ticket of its own: it joined a full mass incident."),
    )
    count = models.PositiveIntegerField(_("events"), default=0)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)
    last_change_at = models.DateTimeField(_("last state change"), default=timezone.now)
    changes = models.JSONField(_("recent state changes"), default=list, blank=True)
    flapping = models.BooleanField(_("flapping"), default=False)

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(fields=["source", "fingerprint"], name="alerts_alert_unique")
        ]
        indexes = [models.Index(fields=["flapping", "last_change_at"], name="alerts_flapping")]

    def __str__(self) -> str:
        return self.summary


class AlertIncident(models.Model):
    """A ticket opened by alert intake, with what correlation needs to know about it."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        related_name="alert_incident",
    )
    source = models.ForeignKey(
        AlertSource, verbose_name=_("source"), on_delete=models.CASCADE, related_name="incidents"
    )
    key = models.CharField(_("correlation key"), max_length=200, blank=True)
    is_group = models.BooleanField(_("mass or major incident"), default=False)
    children = models.PositiveIntegerField(_("child tickets"), default=0)
    last_at = models.DateTimeField(_("last alert"), default=timezone.now)

    class Meta:
        verbose_name = _("alert incident")
        verbose_name_plural = _("alert incidents")
        indexes = [models.Index(fields=["source", "last_at"], name="alerts_incident_recent")]

    def __str__(self) -> str:
        return f"{self.source}: #{self.ticket_id}"
