from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import actions
from .models import Alert, AlertIncident, AlertSource, Event


@admin.register(AlertSource)
class AlertSourceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "requester",
        "service",
        "auto_resolve",
        "window_minutes",
        "group_after",
        "storm_after",
        "flap_changes",
        "flap_minutes",
    )
    raw_id_fields = ("requester",)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = (
        "summary",
        "source",
        "status",
        "severity",
        "service",
        "host",
        "ticket",
        "count",
        "flapping",
        "last_seen",
    )
    list_filter = ("status", "severity", "flapping", "source")
    search_fields = ("summary", "fingerprint", "service", "host")
    raw_id_fields = ("ticket",)
    readonly_fields = ("changes",)


@admin.register(AlertIncident)
class AlertIncidentAdmin(admin.ModelAdmin):
    list_display = ("ticket", "source", "key", "is_group", "children", "last_at")
    list_filter = ("is_group", "source")
    raw_id_fields = ("ticket",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "received_at",
        "source_name",
        "format",
        "status",
        "severity",
        "summary",
        "state",
    )
    list_filter = ("state", "format", "status", "source_name")
    search_fields = ("summary", "fingerprint", "host", "service")
    raw_id_fields = ("received_by", "alert")
    actions = ["retry"]

    def has_change_permission(self, request, obj=None):
        return False  # what was received stays as received

    @admin.action(description=_("Process the selected failed events again"))
    def retry(self, request, queryset):
        count = actions.retry_failed(list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d event queued again.", "%(count)d events queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
