"""The Python-built <select> is the markup Django's templates produce, value for value."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from okno.ops.form_renderer import FastSelectRenderer


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("a", "Alpha"), ("b", 'B & "quotes" <b>')])
    grouped = forms.ChoiceField(
        choices=[("", "—"), ("Group <1>", [("1", "One"), ("2", "Two")]), ("3", "Three")],
        required=False,
    )
    many = forms.MultipleChoiceField(choices=[(1, "x"), (2, "y"), (3, "z")])
    flags = forms.NullBooleanField()
    typed = forms.TypedChoiceField(
        coerce=int,
        choices=[(1, "P1"), (2, "P2")],
        widget=forms.Select(attrs={"data-x": 'q"<', "disabled": True, "hidden": False}),
    )


def squash(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"plain": "b", "grouped": "2", "many": ["1", "3"], "flags": "true", "typed": "2"},
        {"plain": "<x>", "grouped": "", "many": [], "flags": "unknown", "typed": "9"},
    ],
)
def test_same_markup_as_djangos_templates(data):
    for name in Everything.base_fields:
        ours = Everything(data=data or None, renderer=FastSelectRenderer())[name].as_widget()
        theirs = Everything(data=data or None, renderer=DjangoTemplates())[name].as_widget()
        assert squash(ours) == squash(theirs), name


def test_other_widgets_still_render_from_templates():
    class Other(forms.Form):
        text = forms.CharField()
        radio = forms.ChoiceField(choices=[("a", "A")], widget=forms.RadioSelect)

    ours, theirs = Other(renderer=FastSelectRenderer()), Other(renderer=DjangoTemplates())
    assert squash(ours.as_p()) == squash(theirs.as_p())
