from django.contrib import admin

from .models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["ticket", "score", "agent", "team", "service", "created_at"]
    list_filter = ["score", "team", "service"]
    search_fields = ["comment", "ticket__title"]
    raw_id_fields = ["ticket", "requester", "agent"]
    readonly_fields = ["created_at", "updated_at"]
