"""The light Russian/Ukrainian/English stemmer used for prefix search."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okno.search.stemming import MIN_STEM, normalize, query_stems, stem, words


@pytest.mark.parametrize(
    ("forms", "expected"),
    [
        (["принтер", "принтера", "принтеру", "принтером", "принтеры", "принтерах"], "принтер"),
        (["принтері", "принтерів", "принтерами"], "принтер"),
        (["ошибка", "ошибки", "ошибку", "ошибкой"], "ошибк"),
        (["помилка", "помилки", "помилку", "помилкою"], "помилк"),
        (["printer", "printers"], "printer"),
        (["Ёжики", "ежики"], "ежик"),
    ],
)
def test_word_forms_share_a_stem(forms, expected):
    assert {stem(form) for form in forms} == {expected}


def test_short_words_and_codes_are_kept():
    assert stem("вход") == "вход"
    assert stem("hp") == "hp"
    assert stem("er404") == "er404"
    assert stem("1234") == "1234"


def test_words_split_and_deduplicate():
    assert words("Принтер, принтер! rita@acme.test #42") == [
        "принтер",
        "rita",
        "acme",
        "test",
        "42",
    ]
    assert query_stems("Не печатает принтера") == ["не", "печата", "принтер"]
    assert words('*** ( ) "') == []


@given(st.text(max_size=40))
def test_stem_is_a_prefix_of_the_normalized_word(word):
    result = stem(word)
    assert normalize(word).startswith(result)
    assert len(result) >= min(len(normalize(word)), MIN_STEM)


@given(st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ", min_size=1, max_size=20))
def test_stem_never_grows_and_is_stable(word):
    once = stem(word)
    assert len(once) <= len(word)
    assert len(stem(once)) <= len(once)


@given(st.text(max_size=200))
def test_query_words_are_plain_word_characters(text):
    for token in words(text):
        assert token and all(ch.isalnum() or ch == "_" for ch in token)
