"""Tag admin: rename (the change form), colors, ticket counts, and merging tags.

Merging asks which of the selected tags survives; the others' tickets move to it (see
``tags.actions.merge_tags``). Counts are computed per listed tag, never over every link.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import actions
from .models import Tag, TicketTag


class MergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Keep this tag"), queryset=Tag.objects.none(), widget=forms.RadioSelect
    )


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "color", "ticket_count", "created_at"]
    search_fields = ["name", "key"]
    readonly_fields = ["key", "created_at"]
    fields = ["name", "color", "key", "created_at"]
    actions = ["merge"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        count = (
            TicketTag.objects.filter(tag_id=OuterRef("pk"))
            .order_by()
            .values("tag_id")
            .annotate(n=Count("*"))
            .values("n")
        )
        return super().get_queryset(request).annotate(_tickets=Coalesce(Subquery(count), 0))

    @admin.display(description=_("tickets"), ordering="_tickets")
    def ticket_count(self, obj: Tag) -> int:
        return int(getattr(obj, "_tickets", 0))

    @admin.action(description=_("Merge selected tags into one"))
    def merge(self, request: HttpRequest, queryset: QuerySet[Tag]) -> HttpResponse | None:
        if not actions.may_manage_tags(request.user):  # type: ignore[arg-type]
            raise PermissionDenied
        tags = list(queryset.order_by("key"))
        if len(tags) < 2:
            self.message_user(request, _("Select at least two tags to merge."), messages.WARNING)
            return None
        form = MergeForm(request.POST if "apply" in request.POST else None)
        form.fields["target"].queryset = queryset
        if form.is_valid():
            target = form.cleaned_data["target"]
            moved = 0
            try:
                for source in tags:
                    if source.pk != target.pk:
                        moved += actions.merge_tags(source, target, actor=request.user)  # type: ignore[arg-type]
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                return None
            self.message_user(
                request,
                ngettext(
                    "Merged into “%(name)s”; %(n)d ticket gained it.",
                    "Merged into “%(name)s”; %(n)d tickets gained it.",
                    moved,
                )
                % {"name": target.name, "n": moved},
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Merge tags"),
            "tags": tags,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/tags/tag/merge.html", context)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return actions.may_manage_tags(request.user)  # type: ignore[arg-type]
