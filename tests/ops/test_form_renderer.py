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


class Rich(forms.Form):
    required_css_class = "required"
    title = forms.CharField(max_length=20, help_text="Short <b>and</b> clear")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    count = forms.IntegerField(min_value=1, initial=3)
    when = forms.DateTimeField(required=False)
    email = forms.EmailField(label="E-mail & co")
    hidden = forms.CharField(widget=forms.HiddenInput, initial="h<i>")
    agree = forms.BooleanField(required=False)
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    upload = forms.FileField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput, required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"title": "x" * 30, "count": "0", "email": "nope", "kind": "z"},  # every kind of error
        {"title": "<script>", "body": "a\nb <i>", "count": "2", "email": "a@b.c", "kind": "a"},
    ],
)
def test_whole_forms_render_as_with_djangos_templates(data):
    ours = Rich(data=data, renderer=FastSelectRenderer())
    theirs = Rich(data=data, renderer=DjangoTemplates())
    if data is not None:
        ours.is_valid(), theirs.is_valid()
    assert squash(ours.as_div()) == squash(theirs.as_div())
    for name in Rich.base_fields:
        assert squash(ours[name].as_field_group()) == squash(theirs[name].as_field_group()), name
        assert squash(ours[name].label_tag()) == squash(theirs[name].label_tag()), name
    assert squash(ours.non_field_errors()) == squash(theirs.non_field_errors())


def loose(html: str) -> str:
    """Whitespace around tags ignored."""
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", str(html))


class Groups(forms.Form):
    cols = forms.MultipleChoiceField(
        choices=[("a", "A & <b>"), ("b", 'B "q"'), (3, "Three")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    kind = forms.ChoiceField(
        choices=[("reply", "Reply"), ("note", "Internal <note>")],
        widget=forms.RadioSelect,
        initial="reply",
    )
    grouped = forms.ChoiceField(
        choices=[("G <1>", [("1", "One"), ("2", "Two")]), ("3", "Three")],
        widget=forms.RadioSelect(attrs={"class": "x y", "data-q": 'a"b'}),
        required=False,
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"initial": {"cols": ["a", 3], "kind": "note"}},
        {"data": {"cols": ["b"], "kind": "unknown"}},
        {"auto_id": False},
        {"auto_id": "v-%s"},
    ],
)
def test_checkbox_and_radio_groups_are_djangos_markup_exactly(kwargs):
    """Newlines included: these groups sit inside the pages' own markup."""
    django_form = Groups(renderer=DjangoTemplates(), **kwargs)
    fast_form = Groups(renderer=FastSelectRenderer(), **kwargs)
    if "data" in kwargs:
        assert django_form.is_valid() == fast_form.is_valid()
    for name in Groups.base_fields:
        assert str(fast_form[name]) == str(django_form[name])
        # (the field group around it is built in Python with its own line breaks)
        assert loose(fast_form[name].as_field_group()) == loose(django_form[name].as_field_group())
        for fast, slow in zip(fast_form[name], django_form[name], strict=True):
            assert str(fast) == str(slow)  # {{ radio }}: in its label
            assert fast.tag() == slow.tag()  # {{ radio.tag }}: the input alone
