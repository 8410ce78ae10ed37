"""Macro substitution is a whitelist, never a template engine (pure, property-tested)."""

from hypothesis import given
from hypothesis import strategies as st

from okno.desk import macros

VALUES = {
    "requester.first_name": "Rita",
    "ticket.number": "42",
    "agent.first_name": "Alice",
}


def test_known_variables_are_replaced_with_or_without_spaces():
    text = "Hi {{ requester.first_name }}, #{{ticket.number}} is fixed. — {{  agent.first_name }}"
    assert macros.render(text, VALUES) == "Hi Rita, #42 is fixed. — Alice"


def test_unknown_names_and_template_syntax_stay_literal():
    text = "{{ requester.password }} {% load static %} {{ ticket.number|upper }} {{ settings.SECRET_KEY }}"
    assert macros.render(text, VALUES) == text
    assert macros.unknown_variables(text) == ["requester.password"]


def test_values_are_not_rescanned():
    values = {"requester.first_name": "{{ ticket.number }}", "ticket.number": "42"}
    assert macros.render("{{ requester.first_name }}", values) == "{{ ticket.number }}"


def test_language_variant_choice():
    variants = {"": "any", "ru": "ru", "en": "en"}
    assert macros.pick_variant(variants, "ru") == "ru"
    assert macros.pick_variant(variants, "en-us") == "en"
    assert macros.pick_variant(variants, "uk") == ""
    assert macros.pick_variant({"en": "en"}, "uk", fallback="en") == "en"
    assert macros.pick_variant({"ru": "ru"}, "uk") is None


@given(st.text(max_size=200))
def test_text_without_variables_is_unchanged(text):
    if "{{" not in text:
        assert macros.render(text, VALUES) == text


@given(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=40))
def test_any_value_is_inserted_verbatim(value):
    assert macros.render("<{{ agent.first_name }}>", {"agent.first_name": value}) == f"<{value}>"
