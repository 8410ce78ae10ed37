from django.contrib import admin

from .models import AgentStatus, TeamRouting


@admin.register(TeamRouting)
class TeamRoutingAdmin(admin.ModelAdmin):
    list_display = ("team", "strategy", "respect_availability", "match_skills", "last_assigned")
    list_filter = ("strategy",)
    readonly_fields = ("last_assigned",)


@admin.register(AgentStatus)
class AgentStatusAdmin(admin.ModelAdmin):
    list_display = ("agent", "available", "changed_at")
    list_filter = ("available",)
    filter_horizontal = ("skills",)
    search_fields = ("agent__email", "agent__full_name")
