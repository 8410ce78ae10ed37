"""Admin for the knowledge base. Articles are written through the KB editor (``/kb/manage/``),
which keeps versions and sanitizes HTML; the admin lists them and manages categories."""

from django.contrib import admin

from .models import Article, ArticleVersion, Category, Deflection, Feedback, KbAttachment


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name", "slug")


class VersionInline(admin.TabularInline):
    model = ArticleVersion
    fields = ("number", "title", "status", "author", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "category", "language", "visibility", "status", "updated_at")
    list_filter = ("status", "visibility", "language", "category")
    search_fields = ("title", "slug")
    readonly_fields = [f.name for f in Article._meta.fields] + ["organizations", "related_tickets"]
    inlines = [VersionInline]

    def has_add_permission(self, request):
        return False  # the editor at /kb/manage/new/ keeps versions and sanitizes HTML


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("article", "helpful", "user", "created_at")
    list_filter = ("helpful",)
    readonly_fields = ("article", "helpful", "comment", "user", "session_key", "created_at")


@admin.register(Deflection)
class DeflectionAdmin(admin.ModelAdmin):
    list_display = ("article", "user", "query", "created_at")
    readonly_fields = ("article", "user", "query", "created_at")


@admin.register(KbAttachment)
class KbAttachmentAdmin(admin.ModelAdmin):
    list_display = ("filename", "article", "content_type", "size", "created_at")
    readonly_fields = ("article", "file", "filename", "size", "content_type", "sha256")
