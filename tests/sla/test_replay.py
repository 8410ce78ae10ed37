"""The pure replay (no database): examples and hypothesis properties."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from okno.sla import replay as rp
from okno.sla.businesstime import Calendar

WEEK = {day: [["08:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
CAL = Calendar("UTC", WEEK)
MON = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TARGETS = rp.Targets(
    {
        ("first_response", None): rp.Target("first_response", seconds=4 * 3600),
        ("next_response", None): rp.Target("next_response", seconds=8 * 3600),
        ("resolution", None): rp.Target(
            "resolution", seconds=16 * 3600, pause_categories=frozenset({"waiting"})
        ),
        ("resolution", 1): rp.Target("resolution", seconds=2 * 3600),
    }
)


def h(hours: float) -> datetime:
    return MON + timedelta(hours=hours)


def created(at: datetime, priority: int = 3) -> rp.Event:
    return rp.Event(at, rp.CREATED, "new", priority)


def by_kind(results: list[rp.ClockResult]) -> dict[tuple[str, int], rp.ClockResult]:
    return {(r.kind, r.cycle): r for r in results}


def test_the_replay_module_has_no_django_import():
    tree = ast.parse(Path(rp.__file__).read_text())
    modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [m for m in modules if m.startswith("django")]


def test_a_clock_is_a_pure_function_of_its_inputs():
    events = [created(MON), rp.Event(h(1), rp.STATUS, "waiting"), rp.Event(h(3), rp.STATUS, "open")]
    first = rp.replay(events, TARGETS, [(None, CAL)], now=h(5))
    again = rp.replay(list(events), TARGETS, [(None, CAL)], now=h(5))
    assert first == again


def test_no_calendar_means_around_the_clock():
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    (first, _resolution) = rp.replay([created(saturday)], TARGETS, now=saturday)
    assert first.due_at == saturday + timedelta(hours=4)


def test_met_exactly_at_the_due_instant_is_a_breach():
    events = [created(MON), rp.Event(h(4), rp.FIRST_RESPONSE)]
    first = by_kind(rp.replay(events, TARGETS, [(None, CAL)], now=h(5)))["first_response", 1]
    assert (first.state, first.breached_at) == ("breached_met", h(4))


def test_a_running_clock_past_its_due_time_is_breached_at_the_due_instant():
    results = by_kind(rp.replay([created(MON)], TARGETS, [(None, CAL)], now=h(4.5)))
    first = results["first_response", 1]
    assert (first.state, first.breached_at) == ("breached_running", h(4))


def test_priority_raise_past_the_new_target_breaches_at_the_switch_not_before():
    events = [created(MON), rp.Event(h(3), rp.PRIORITY, priority=1)]
    resolution = by_kind(rp.replay(events, TARGETS, [(None, CAL)], now=h(3)))["resolution", 1]
    assert (resolution.state, resolution.breached_at) == ("breached_running", h(3))
    assert resolution.started_at == MON


def test_warnings_are_at_their_share_of_the_target():
    (first, _res) = rp.replay([created(MON)], TARGETS, [(None, CAL)], now=MON)
    assert first.warnings == ((75, h(3)),)


def test_merge_cancels_every_open_clock_but_keeps_met_ones():
    events = [created(MON), rp.Event(h(1), rp.FIRST_RESPONSE), rp.Event(h(2), rp.MERGED)]
    results = by_kind(rp.replay(events, TARGETS, [(None, CAL)], now=h(3)))
    assert results["first_response", 1].state == "met"
    assert results["resolution", 1].state == "cancelled"
    assert results["resolution", 1].due_at is None


moments = st.integers(min_value=0, max_value=10 * 24 * 60).map(lambda m: MON + timedelta(minutes=m))
categories = st.sampled_from(["new", "open", "waiting", "resolved"])


@st.composite
def logs(draw):
    times = sorted(draw(st.lists(moments, min_size=1, max_size=12)))
    events = [created(times[0], draw(st.sampled_from([1, 2, 3])))]
    for at in times[1:]:
        kind = draw(st.sampled_from([rp.STATUS, rp.PRIORITY, rp.FIRST_RESPONSE, rp.AGENT_REPLY]))
        if kind == rp.STATUS:
            events.append(rp.Event(at, kind, draw(categories)))
        elif kind == rp.PRIORITY:
            events.append(rp.Event(at, kind, priority=draw(st.sampled_from([1, 2, 3]))))
        else:
            events.append(rp.Event(at, kind))
    return events


@settings(max_examples=150, deadline=None)
@given(logs(), moments)
def test_property_used_time_never_exceeds_elapsed_working_time(events, extra):
    now = max(events[-1].at, extra)
    for result in rp.replay(events, TARGETS, [(None, CAL)], now=now):
        assert 0 <= result.used_seconds <= CAL.elapsed(result.started_at, result.measured_at)
        assert result.paused_seconds >= 0


@settings(max_examples=150, deadline=None)
@given(logs(), moments)
def test_property_breach_and_state_agree(events, extra):
    now = max(events[-1].at, extra)
    for result in rp.replay(events, TARGETS, [(None, CAL)], now=now):
        breached = result.state in ("breached_running", "breached_met")
        assert breached == (result.breached_at is not None) or result.state == "cancelled"
        if result.state == "met":
            assert result.due_at is None or result.met_at < result.due_at
        if result.state in ("running", "paused"):
            assert result.due_at is None or result.due_at > now


@settings(max_examples=100, deadline=None)
@given(logs(), moments)
def test_property_a_later_now_only_adds_breaches(events, extra):
    early = events[-1].at
    late = max(early, extra)
    before = by_kind(rp.replay(events, TARGETS, [(None, CAL)], now=early))
    after = by_kind(rp.replay(events, TARGETS, [(None, CAL)], now=late))
    assert before.keys() == after.keys()
    for key, result in before.items():
        assert after[key].due_at == result.due_at
        if result.breached_at is not None:
            assert after[key].breached_at == result.breached_at


@settings(max_examples=100, deadline=None)
@given(logs())
def test_property_a_calendar_switch_keeps_the_time_already_used(events):
    switch = events[-1].at
    other = Calendar("UTC", None)
    plain = by_kind(rp.replay(events, TARGETS, [(None, CAL)], now=switch))
    switched = by_kind(rp.replay(events, TARGETS, [(None, CAL), (switch, other)], now=switch))
    for key, result in plain.items():
        if result.is_open:
            assert switched[key].segment_used == result.used_seconds
