"""Devices can be disabled here; presses are a read-only record for statistics."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Device, Press


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "organization", "enabled", "last_seen_at", "created_at"]
    list_filter = ["enabled", "organization"]
    search_fields = ["name", "owner__email", "token_hint"]
    fields = [
        "name",
        "owner",
        "organization",
        "enabled",
        "token_hint",
        "created_by",
        "created_at",
        "last_seen_at",
    ]
    readonly_fields = ["token_hint", "created_by", "created_at", "last_seen_at"]
    raw_id_fields = ["owner"]
    list_select_related = ["owner", "organization"]
    actions = ["disable"]

    def has_add_permission(self, request):
        return False  # tokens are issued by the devices page or the API, shown once

    @admin.action(description=_("Disable the selected devices"))
    def disable(self, request, queryset):
        queryset.update(enabled=False)


@admin.register(Press)
class PressAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "user",
        "organization",
        "device",
        "ticket",
        "merged_into_open_ticket",
        "throttled",
    ]
    list_filter = ["merged_into_open_ticket", "throttled", "organization"]
    search_fields = ["user__email", "hostname"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "organization", "device", "ticket"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
