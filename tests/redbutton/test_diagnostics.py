"""The pure diagnostics reader: any JSON in, never an exception out."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from okno.redbutton import diagnostics as diag
from tests.redbutton.conftest import sample_diagnostics

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=40,
)
# Dicts shaped like a report, with garbage in the known places.
report_like = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(
        (
            "system",
            "host",
            "network",
            "cpu",
            "memory",
            "disks",
            "processes",
            "logs",
            "reachability",
            "errors",
            "uptime_seconds",
            "collected_at",
        ),
        json_values,
    ),
)


@given(st.one_of(json_values, report_like), st.text(max_size=50))
@settings(max_examples=60, deadline=None)
def test_summary_and_panel_accept_any_json(value, comment):
    text = diag.summarize(value, comment)
    assert diag.LABELS["attached"] in text
    panel = diag.panel(value)
    assert all(0 <= u.percent <= 100 for u in panel.usage)
    assert len(panel.log_lines) <= diag.MAX_LOG_LINES
    json.loads(diag.dumps(value))  # NaN/Infinity never reach the stored file


def test_summary_reads_like_a_first_look_by_an_agent():
    text = diag.summarize(sample_diagnostics(), "Outlook hangs")
    assert text.startswith("Outlook hangs\n")
    assert "- Host: rita-pc" in text
    assert "- IP addresses: 10.1.2.3/24" in text
    assert "127.0.0.1" not in text and "00:00:00:00:00:00" not in text
    assert "- Memory: 94 % used, 512.0 MiB free of 8.0 GiB  (!)" in text
    assert "- Unreachable: mail.acme.test:993 (timed out after 3 s)" in text
    assert "- Reachable: desk.acme.test:443" in text
    assert "- Uptime: 1d 2h 3m" in text
    assert "- Top processes: outlook" in text


def test_translated_labels_replace_the_english_words():
    text = diag.summarize(sample_diagnostics(), labels={"host": "Хост", "heading": "Диагностика:"})
    assert "- Хост: rita-pc" in text and text.startswith("Диагностика:")


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("6/h", diag.Rate(6, 3600)),
        ("10/30min", diag.Rate(10, 1800)),
        (" 3 / 10 m ", diag.Rate(3, 600)),
        ("100/day", diag.Rate(100, 86400)),
        ("2/s", diag.Rate(2, 1)),
        ("", diag.Rate(0, 0)),
        ("off", diag.Rate(0, 0)),
    ],
)
def test_parse_rate(text, rate):
    assert diag.parse_rate(text) == rate


@pytest.mark.parametrize("bad", ["6", "six/h", "6/fortnight", "/h", "6/h/2"])
def test_parse_rate_rejects_typos_loudly(bad):
    with pytest.raises(ValueError):
        diag.parse_rate(bad)


@given(
    st.integers(1, 10_000),
    st.integers(1, 500),
    st.sampled_from(["s", "m", "min", "h", "hour", "d"]),
)
def test_parse_rate_roundtrip(count, multiplier, unit):
    rate = diag.parse_rate(f"{count}/{multiplier}{unit}")
    assert rate.count == count
    assert rate.seconds == multiplier * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit[0]]
    assert rate.enabled


@given(json_values)
@settings(max_examples=40, deadline=None)
def test_depth_is_bounded_and_iterative(value):
    assert diag.depth(value) >= 0


def test_depth_of_a_deep_structure_stops_counting_early():
    deep: list = []
    for _ in range(10_000):
        deep = [deep]
    assert diag.depth(deep) == diag.MAX_DEPTH + 1


@given(st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(2**70), 2**70))
def test_size_and_duration_never_raise(value):
    diag.size(value)
    diag.duration(value)
