"""Admin: configure widgets (with a copy-paste embed snippet) and audit their submissions."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Submission, Widget


def embed_snippet(widget: Widget) -> str:
    return (
        f'<script src="{settings.BASE_URL}/widget/widget.js" '
        f'data-widget="{widget.public_id}" defer></script>'
    )


@admin.register(Widget)
class WidgetAdmin(admin.ModelAdmin):
    list_display = ["name", "public_id", "service", "enabled", "rate_limit", "created_at"]
    list_filter = ["enabled"]
    search_fields = ["name", "public_id", "allowed_origins"]
    readonly_fields = ["public_id", "embed_code", "created_at"]
    fields = [
        "name",
        "service",
        "allowed_origins",
        "enabled",
        "honeypot_field",
        "rate_limit",
        "public_id",
        "embed_code",
        "created_at",
    ]

    @admin.display(description=_("embed code"))
    def embed_code(self, obj: Widget) -> str:
        if obj.pk is None:
            return str(_("Save the widget to get its embed code."))
        return format_html("<code>{}</code>", embed_snippet(obj))


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "widget", "outcome", "origin", "ticket"]
    list_filter = ["outcome", "widget"]
    readonly_fields = ["widget", "client_key", "origin", "outcome", "ticket", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
