from hypothesis import given
from hypothesis import strategies as st

from okno.kb.diff import diff_versions, source_lines


def test_changed_paragraph_shows_as_removed_and_added():
    lines = diff_versions("T", "<p>one</p><p>two</p>", "T", "<p>one</p><p>three</p>")
    ops = [(line.op, line.text) for line in lines if line.op in "+-"]
    assert ops == [("-", "<p>two</p>"), ("+", "<p>three</p>")]


def test_title_change_is_part_of_the_diff():
    lines = diff_versions("Old", "<p>x</p>", "New", "<p>x</p>")
    assert ("-", "# Old") in [(line.op, line.text) for line in lines]


@given(st.text(max_size=200))
def test_same_text_has_no_differences(text):
    assert diff_versions("t", text, "t", text) == []


@given(st.lists(st.text(alphabet="abc xyz", min_size=1, max_size=10), max_size=8))
def test_source_lines_keep_the_text(parts):
    html = "".join(f"<p>{p}</p>" for p in parts)
    assert "".join(source_lines(html)).replace("<p>", "").replace("</p>", "").replace(
        " ", ""
    ) == "".join(parts).replace(" ", "")
