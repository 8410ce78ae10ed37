"""Admin for configuration (statuses) and read-only inspection of tickets and their history.

Tickets are changed only through ``tickets.actions``; the admin never edits them directly.
"""

from django.contrib import admin

from .models import Status, Ticket, TicketEvent


@admin.register(Status)
class StatusAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "category", "order", "is_default", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["category", "is_active"]


class EventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "actor", "field", "old", "new", "data"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "type", "status", "priority", "team", "assignee", "created_at"]
    list_filter = ["status_category", "type", "priority", "team"]
    search_fields = ["title", "requester__email"]
    inlines = [EventInline]
    list_select_related = ["status", "team", "assignee"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
