from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import macros
from .models import Macro, SavedView


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "shared", "params", "position")
    list_filter = ("shared",)
    search_fields = ("name", "owner__email")


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ("name", "language", "owner", "shared")
    list_filter = ("shared", "language")
    search_fields = ("name", "body")

    def save_model(self, request, obj, form, change):
        unknown = macros.unknown_variables(obj.body)
        if unknown:  # the form's clean below normally catches this first
            raise ValidationError(_("Unknown variables: %(names)s") % {"names": ", ".join(unknown)})
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        def clean_body(self):
            body = self.cleaned_data["body"]
            unknown = macros.unknown_variables(body)
            if unknown:
                raise ValidationError(
                    _("Unknown variables: %(names)s. Available: %(known)s.")
                    % {"names": ", ".join(unknown), "known": ", ".join(macros.VARIABLES)}
                )
            return body

        form.clean_body = clean_body
        return form
