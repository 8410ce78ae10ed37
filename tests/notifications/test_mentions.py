"""@mentions parsing is pure; properties checked with hypothesis."""

from hypothesis import given, settings
from hypothesis import strategies as st

from okno.notifications.mentions import normalize_name, parse_mentions

handle = st.from_regex(r"[a-z0-9_]{1,12}(\.[a-z0-9_]{1,8})?", fullmatch=True)
name = st.from_regex(r"[A-Za-zА-Яа-я]{1,10}( [A-Za-zА-Яа-я]{1,10}){0,2}", fullmatch=True)
filler = st.text(alphabet=st.characters(blacklist_characters='@"“”«»'), max_size=30)


def test_examples():
    found = parse_mentions('Ask @alice and @"Sam  Specialist"; mail bob@example.com; @leo.lead.')
    assert found.handles == {"alice", "leo.lead"}
    assert found.names == {"sam specialist"}
    assert parse_mentions("@“Рита Р” and «x»").names == {"рита р"}
    assert not parse_mentions("no mentions, just a@b.c and @ alone")


@settings(deadline=None)
@given(handle, filler, filler)
def test_a_handle_between_any_words_is_found(h, before, after):
    found = parse_mentions(f"{before} @{h} {after}")
    assert h.lower() in found.handles


@settings(deadline=None)
@given(name, filler)
def test_a_quoted_name_is_found_normalized(n, rest):
    found = parse_mentions(f'{rest} @"{n}" {rest}')
    assert normalize_name(n) in found.names


@settings(deadline=None)
@given(handle, st.from_regex(r"[a-z]{1,8}\.[a-z]{2,4}", fullmatch=True))
def test_email_addresses_are_not_mentions(local, domain):
    assert not parse_mentions(f"write to {local}@{domain} please").handles


@settings(deadline=None)
@given(st.text(max_size=200))
def test_never_crashes_and_handles_are_lowercase(text):
    found = parse_mentions(text)
    assert all(h == h.lower() for h in found.handles)
