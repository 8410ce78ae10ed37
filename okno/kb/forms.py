"""Forms of the knowledge base. They validate input; writes go through ``kb.actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from okno.accounts.models import Organization
from okno.desk.forms import MultipleFileField, OknoForm

from .models import Category, Visibility


class ArticleForm(OknoForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        required=False,
        help_text=_("One or two sentences; shown in search results and to search engines."),
    )
    body_html = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "true"}),
        help_text=_(
            "HTML is allowed: headings, lists, links, tables, code and images. Scripts, styles "
            "and event handlers are removed."
        ),
    )
    visibility = forms.ChoiceField(
        label=_("Visible to"),
        choices=Visibility.choices,
        initial=Visibility.AGENTS,
        widget=forms.RadioSelect,
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("Organizations"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Only when the article is visible to chosen organizations."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    slug = forms.SlugField(
        label=_("Address"),
        max_length=120,
        required=False,
        help_text=_("Part of the link; made from the title when left empty."),
    )
    attachments = MultipleFileField(label=_("Files and images"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.all()
        self.fields["organizations"].queryset = Organization.objects.order_by("name")


class FeedbackForm(OknoForm):
    helpful = forms.TypedChoiceField(
        label=_("Was this helpful?"),
        choices=(("yes", _("Yes")), ("no", _("No"))),
        coerce=lambda value: value == "yes",
    )
    comment = forms.CharField(
        label=_("What was missing? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeflectionForm(OknoForm):
    query = forms.CharField(required=False, max_length=250)
