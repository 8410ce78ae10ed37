"""Admin for calendars, SLA policies (targets and escalations inline), clocks and the queue
score settings. Saves go through ``sla.actions`` so every edit becomes a version."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from okno.priority import scoring
from okno.priority.models import ScoreSettings, TicketScore

from .actions import publish_policy, save_calendar, validate_policy
from .models import (
    Calendar,
    CalendarVersion,
    EscalationRule,
    SlaClock,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTarget,
)


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "country", "version", "updated_at"]
    readonly_fields = ["version", "updated_at"]

    def save_model(self, request: Any, obj: Calendar, form: Any, change: bool) -> None:
        save_calendar(obj, actor=request.user)


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


class EscalationInline(admin.TabularInline):
    model = EscalationRule
    extra = 0


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = [
            "name", "description", "order", "is_active", "services", "organizations",
            "ticket_types", "priorities", "channels", "calendar_source", "calendar",
            "penalty_per_breach",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        probe = SlaPolicy(
            ticket_types=data.get("ticket_types") or [],
            channels=data.get("channels") or [],
            priorities=data.get("priorities") or [],
        )
        validate_policy(probe)
        return data


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = ["name", "order", "is_active", "calendar_source", "calendar", "version"]
    list_editable = ["order", "is_active"]
    filter_horizontal = ["services", "organizations"]
    readonly_fields = ["version", "updated_at"]
    inlines = [SlaTargetInline, EscalationInline]

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        publish_policy(form.instance, actor=request.user)


@admin.register(CalendarVersion)
class CalendarVersionAdmin(admin.ModelAdmin):
    list_display = ["calendar", "version", "created_at"]
    readonly_fields = ["calendar", "version", "definition", "created_at"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(SlaPolicyVersion)
class SlaPolicyVersionAdmin(CalendarVersionAdmin):
    list_display = ["policy", "version", "created_at", "created_by"]
    readonly_fields = ["policy", "version", "snapshot", "created_at", "created_by"]


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    list_display = ["ticket", "kind", "cycle", "state", "due_at", "breached_at", "next_check_at"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["ticket"]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        return [f.name for f in SlaClock._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False


class ScoreSettingsForm(forms.ModelForm):
    class Meta:
        model = ScoreSettings
        fields = [
            "mode", "weights", "ahp_matrix", "penalty_cap", "users_cap", "age_horizon_days",
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        try:
            if data.get("mode") == ScoreSettings.Mode.AHP:
                matrix = data.get("ahp_matrix")
                if not matrix or len(matrix) != len(scoring.FACTORS):
                    raise ValidationError(
                        {"ahp_matrix": f"A {len(scoring.FACTORS)}x{len(scoring.FACTORS)} matrix"}
                    )
                result = scoring.ahp_weights(matrix)
                data["weights"] = scoring.weights_from_ahp(result).as_dict()
                data["consistency_ratio"] = result.consistency_ratio
            else:
                data["weights"] = scoring.Weights.from_mapping(data.get("weights") or {}).as_dict()
        except scoring.ScoringError as exc:
            field = "ahp_matrix" if data.get("mode") == ScoreSettings.Mode.AHP else "weights"
            raise ValidationError({field: str(exc)}) from None
        return data

    def save(self, commit: bool = True) -> ScoreSettings:
        self.instance.weights = self.cleaned_data["weights"]
        self.instance.consistency_ratio = self.cleaned_data.get("consistency_ratio")
        return super().save(commit)


@admin.register(ScoreSettings)
class ScoreSettingsAdmin(admin.ModelAdmin):
    form = ScoreSettingsForm
    list_display = ["__str__", "mode", "consistency_ratio", "updated_at"]
    readonly_fields = ["consistency_ratio", "updated_at"]

    def has_add_permission(self, request: Any) -> bool:
        return not ScoreSettings.objects.exists()


@admin.register(TicketScore)
class TicketScoreAdmin(admin.ModelAdmin):
    list_display = ["ticket", "total", "breached", "computed_at"]
    raw_id_fields = ["ticket"]
