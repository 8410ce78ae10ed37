from django.contrib import admin

from .models import Category, FormField, RequestForm, Service, ServiceCategory


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 1
    fields = ["name", "parent", "is_active"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "catalog_category",
        "owner_team",
        "requester_visible",
        "is_active",
        "order",
    ]
    list_editable = ["order"]
    list_filter = ["is_active", "requester_visible", "catalog_category", "owner_team"]
    search_fields = ["name"]
    inlines = [CategoryInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "parent", "is_active"]
    list_filter = ["service", "is_active"]
    search_fields = ["name"]


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "order"]
    list_editable = ["order"]
    search_fields = ["name"]


class FormFieldInline(admin.StackedInline):
    model = FormField
    extra = 1
    fields = [("order", "key", "kind", "required"), "label", "help_text", "choices"]
    prepopulated_fields = {"key": ["label"]}


@admin.register(RequestForm)
class RequestFormAdmin(admin.ModelAdmin):
    """Define a service's request form without code: guidance and ordered questions."""

    list_display = ["service", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["service__name"]
    autocomplete_fields = ["service"]
    inlines = [FormFieldInline]
