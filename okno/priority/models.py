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
    cell = MatrixCell.objects.filter(impact=impact, urgency=urgency).only("priority_id").first()
    if cell is not None:
        return cell.priority_id
    return impact + urgency - 1
