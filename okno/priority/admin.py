from django.contrib import admin

from .models import MatrixCell, Priority


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin):
    list_display = ["level", "name", "labels", "color"]


@admin.register(MatrixCell)
class MatrixCellAdmin(admin.ModelAdmin):
    list_display = ["impact", "urgency", "priority"]
    list_editable = ["priority"]
    list_filter = ["impact", "urgency"]
