"""Daily rollups behind the manager dashboard, kept by ``reports.rollup`` (never by the write path).

Every figure is an additive counter on a row keyed by the day in the desk's reporting time zone
and the ticket's dimensions, so folding new events is ``counter += delta`` and a period is a
``SUM`` over about a month of small rows instead of a scan of millions of tickets. Dimension
columns are plain integers (0 = none), not foreign keys: the unique key must not contain NULLs
(``ON CONFLICT`` would never match) and deleting a team must not rewrite history.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Upper bounds (seconds) of the duration histogram buckets; the last bucket is open-ended.
# Medians are estimated from these (docs/reports.md "Medians").
BUCKET_EDGES = (15 * 60, 3600, 4 * 3600, 8 * 3600, 86400, 3 * 86400, 7 * 86400)
BUCKETS = len(BUCKET_EDGES) + 1

# Type and channel are not dimensions: with them a month at 5M tickets is ~10x more rows.
KEY_FIELDS = ("day", "team_id", "service_id", "priority", "assignee_id")
COUNTERS = (
    "created",
    "resolved",
    "closed",
    "reopened",
    "responses",
    "response_seconds",
    *(f"response_b{n}" for n in range(BUCKETS)),
    "resolution_seconds",
    *(f"resolution_b{n}" for n in range(BUCKETS)),
    "sla_response_met",
    "sla_response_breached",
    "sla_resolution_met",
    "sla_resolution_breached",
)


def _counter(name: str) -> models.Field:
    if name.endswith("_seconds"):
        return models.FloatField(default=0)
    return models.IntegerField(default=0)


class DailyRollup(models.Model):
    """Ticket flow of one day for one combination of team, service, priority and assignee (the
    ticket's values when its events were folded)."""

    day = models.DateField(_("day"))
    team_id = models.IntegerField(default=0)
    service_id = models.IntegerField(default=0)
    priority = models.SmallIntegerField(default=0)
    assignee_id = models.IntegerField(default=0)
    locals().update({name: _counter(name) for name in COUNTERS})

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        # The key's index starts with the day: it also serves the dashboard's period scans.
        constraints = [models.UniqueConstraint(fields=list(KEY_FIELDS), name="rollup_key")]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id}"


class CsatDaily(models.Model):
    """Satisfaction ratings of one day (the rating's first submission) per team, service and
    agent as copied onto the rating; recomputed per day, because a requester may re-rate."""

    day = models.DateField(_("day"))
    team_id = models.IntegerField(default=0)
    service_id = models.IntegerField(default=0)
    agent_id = models.IntegerField(default=0)
    ratings = models.IntegerField(default=0)
    score_sum = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)  # 4 or 5
    unhappy = models.IntegerField(default=0)  # 1 or 2

    class Meta:
        verbose_name = _("daily satisfaction rollup")
        verbose_name_plural = _("daily satisfaction rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team_id", "service_id", "agent_id"], name="csat_rollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id} agent {self.agent_id}"


class BacklogSnapshot(models.Model):
    """Active tickets per team, service and priority as counted at ``RollupState.backlog_at``;
    the last snapshot of each day is kept as that day's closing backlog."""

    day = models.DateField(_("day"))
    team_id = models.IntegerField(default=0)
    service_id = models.IntegerField(default=0)
    priority = models.SmallIntegerField(default=0)
    tickets = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("backlog snapshot")
        verbose_name_plural = _("backlog snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team_id", "service_id", "priority"], name="backlog_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id}: {self.tickets}"


class RollupState(models.Model):
    """The single row (pk 1) the folding job locks: how far the event log has been folded."""

    event_watermark = models.BigIntegerField(default=0)  # last TicketEvent id folded
    folded_at = models.DateTimeField(null=True, blank=True)
    backlog_at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    zone = models.CharField(max_length=64, default="UTC")  # reporting zone the days are in

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup state")

    def __str__(self) -> str:
        return f"folded to event {self.event_watermark}"
