"""Auto-assignment settings per team, and each agent's availability and skills."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Strategy(models.TextChoices):
    NONE = "none", _("No auto-assignment")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_LOADED = "least_loaded", _("Least loaded")


class TeamRouting(models.Model):
    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="routing", verbose_name=_("team")
    )
    strategy = models.CharField(
        _("strategy"), max_length=16, choices=Strategy.choices, default=Strategy.NONE
    )
    respect_availability = models.BooleanField(_("only agents who are available"), default=True)
    match_skills = models.BooleanField(
        _("prefer agents skilled in the ticket's service"),
        default=False,
        help_text=_("When nobody available has the skill, any available member is chosen."),
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("team routing")
        verbose_name_plural = _("team routing")

    def __str__(self) -> str:
        return f"{self.team}: {self.get_strategy_display()}"


class AgentStatus(models.Model):
    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="routing_status",
        verbose_name=_("agent"),
    )
    available = models.BooleanField(_("available"), default=True)
    skills = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="+", verbose_name=_("skills (services)")
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("agent availability")
        verbose_name_plural = _("agent availability")

    def __str__(self) -> str:
        return str(self.agent)
