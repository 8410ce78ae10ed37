"""The memoized reference lists render and validate as Django's model choice fields do."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from okno.accounts.models import Team
from okno.desk import reference
from okno.desk.reference import MemoChoiceField, MemoSelect
from okno.ops.form_renderer import FastSelectRenderer


def teams_for_test():
    return reference.teams()


class Memo(forms.Form):
    team = MemoChoiceField(
        queryset=Team.objects.filter(is_active=True),
        required=False,
        empty_label="No <team>",
        rows=teams_for_test,
    )
    must = MemoChoiceField(queryset=Team.objects.filter(is_active=True), rows=teams_for_test)


class Plain(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(is_active=True), required=False, empty_label="No <team>"
    )
    must = forms.ModelChoiceField(queryset=Team.objects.filter(is_active=True))


@pytest.fixture
def teams(db, l1, l2):
    Team.objects.create(name='<script>alert("x")</script> & co', line=1)
    Team.objects.create(name="Retired", line=1, is_active=False)
    return Team.objects.filter(is_active=True)


def squash(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


# Exactly as the form renderer in use (FastSelectRenderer) renders a Select; as Django's own
# templates do, but for their whitespace between tags.
@pytest.mark.parametrize(
    ("renderer", "same"), [(DjangoTemplates, squash), (FastSelectRenderer, str)]
)
def test_memo_select_renders_as_djangos_select(teams, l1, renderer, same):
    assert isinstance(Memo.base_fields["team"].widget, MemoSelect)
    cases = [
        {"initial": {}},
        {"initial": {"team": l1.pk, "must": l1.pk}},
        {"data": {"team": str(l1.pk), "must": ""}},  # bound, with an error on "must"
        {"data": {"team": "999999", "must": str(teams.last().pk)}},  # an invalid choice
    ]
    for kwargs in cases:
        memo, plain = Memo(renderer=renderer(), **kwargs), Plain(renderer=renderer(), **kwargs)
        if "data" in kwargs:
            assert memo.is_valid() == plain.is_valid()
            assert memo.errors == plain.errors
        for name in ("team", "must"):
            assert same(memo[name]) == same(plain[name]), (kwargs, name)
            assert same(memo[name].as_field_group()) == same(plain[name].as_field_group())
    html = str(Memo()["team"])
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html
    assert "Retired" not in html


@pytest.mark.django_db(transaction=True)  # the memo at work, as outside a test transaction
def test_memo_select_follows_a_reload_of_its_list(teams, l1):
    before = str(Memo()["team"])
    assert "Service Desk</option>" in before
    rows = reference.teams()
    assert reference.teams() is rows  # the memo hands out the same list
    l1.name = "Front Desk"
    l1.save()  # bumps the reference generation: the list reloads, so do the options
    assert reference.teams() is not rows
    after = str(Memo()["team"])
    assert "Front Desk</option>" in after and "Service Desk</option>" not in after


def test_memo_field_validates_against_the_database_not_the_memo(teams, l1):
    reference.teams()  # memoized
    Team.objects.filter(pk=l1.pk).update(is_active=False)  # no signal: the memo is stale
    form = Memo(data={"team": str(l1.pk), "must": str(l1.pk)})
    assert not form.is_valid()
    assert "must" in form.errors and "team" in form.errors
