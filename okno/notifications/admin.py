from django.contrib import admin

from .models import Notification, Preference, Reminder, Watcher


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "text", "ticket", "shown", "read_at", "created_at"]
    list_filter = ["kind", "shown"]
    search_fields = ["text", "user__email"]
    raw_id_fields = ["user", "ticket"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "channel", "enabled"]
    list_filter = ["kind", "channel", "enabled"]
    raw_id_fields = ["user"]


@admin.register(Watcher)
class WatcherAdmin(admin.ModelAdmin):
    list_display = ["ticket", "user", "added_by", "created_at"]
    raw_id_fields = ["ticket", "user", "added_by"]


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["ticket", "user", "remind_at", "note", "done"]
    list_filter = ["done"]
    raw_id_fields = ["ticket", "user"]
