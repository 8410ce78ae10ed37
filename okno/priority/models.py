"""Priority levels and the impact x urgency matrix, as data an administrator edits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    """Impact and urgency scale: 1 is the most severe (ITIL convention)."""

    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class Priority(models.Model):
    """A priority level (1 = most urgent) with its display name per language and colour."""

    level = models.PositiveSmallIntegerField(_("level"), primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    labels = models.JSONField(
        _("names per language"), default=dict, blank=True, help_text='{"ru": "…", "uk": "…"}'
    )
    color = models.CharField(_("colour"), max_length=7, default="#6b7280")

    class Meta:
        ordering = ["level"]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.labels.get((get_language() or "en")[:2], self.name)


class MatrixCell(models.Model):
    """One cell of the impact x urgency matrix; the whole table is the priority policy."""

    impact = models.PositiveSmallIntegerField(_("impact"), choices=Level.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Level.choices)
    priority = models.ForeignKey(Priority, verbose_name=_("priority"), on_delete=models.PROTECT)

    class Meta:
        ordering = ["impact", "urgency"]
        verbose_name = _("priority matrix cell")
        verbose_name_plural = _("priority matrix")
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="unique_matrix_cell")
        ]

    def __str__(self) -> str:
        return f"{self.get_impact_display()} x {self.get_urgency_display()} → {self.priority}"


def priority_for(impact: int, urgency: int) -> int:
    """Look the matrix up; fall back to I + U − 1 when a cell is missing (never fail a ticket)."""
    from okno.ops.refcache import memo

    matrix = memo(
        "priority.matrix",
        lambda: {
            (impact, urgency): priority
            for impact, urgency, priority in MatrixCell.objects.values_list(
                "impact", "urgency", "priority_id"
            )
        },
    )
    return matrix.get((impact, urgency), impact + urgency - 1)


def _default_weights() -> dict[str, float]:
    return {"priority": 35, "time_to_breach": 25, "tier": 10, "penalty": 10} | {
        "affected_users": 10,
        "age": 10,
    }


class ScoreSettings(models.Model):
    """The queue-score configuration (one row): weights set directly or derived by AHP.

    ``ahp_matrix`` is the pairwise comparison matrix over ``scoring.FACTORS`` in that order; when
    set (mode ``ahp``) the weights are its principal eigenvector and its consistency ratio must
    be below 0.1 (``priority.actions.save_score_settings`` enforces it).
    """

    class Mode(models.TextChoices):
        DIRECT = "direct", _("Weights set directly")
        AHP = "ahp", _("Derived from pairwise comparisons (AHP)")

    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.DIRECT)
    weights = models.JSONField(_("weights"), default=_default_weights)
    ahp_matrix = models.JSONField(_("pairwise comparison matrix"), null=True, blank=True)
    consistency_ratio = models.FloatField(_("consistency ratio"), null=True, blank=True)
    penalty_cap = models.FloatField(_("penalty that counts fully"), default=10_000)
    users_cap = models.PositiveIntegerField(_("affected users that count fully"), default=1_000)
    age_horizon_days = models.PositiveIntegerField(_("age that counts fully (days)"), default=14)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("queue score settings")
        verbose_name_plural = _("queue score settings")

    def __str__(self) -> str:
        return str(_("Queue score settings"))

    @classmethod
    def current(cls) -> ScoreSettings:
        """The settings row (memoized per process until reference data changes)."""
        from okno.ops.refcache import memo

        return memo(
            "priority.score_settings", lambda: cls.objects.filter(pk=1).first() or cls(pk=1)
        )


class TicketScore(models.Model):
    """The last computed queue score of a ticket with each factor's contribution."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="score_breakdown"
    )
    total = models.FloatField(_("score"))
    breached = models.BooleanField(_("breached"), default=False)
    factors = models.JSONField(_("factors"), default=list)  # [{name, value, weight, contribution}]
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("ticket score")
        verbose_name_plural = _("ticket scores")

    def __str__(self) -> str:
        return f"#{self.ticket_id}: {self.total:.1f}"
