from django.contrib import admin

from .models import Category, Service


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 1
    fields = ["name", "parent", "is_active"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "owner_team", "requester_visible", "is_active", "order"]
    list_editable = ["order"]
    list_filter = ["is_active", "requester_visible", "owner_team"]
    search_fields = ["name"]
    inlines = [CategoryInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "parent", "is_active"]
    list_filter = ["service", "is_active"]
    search_fields = ["name"]
