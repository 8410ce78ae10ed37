"""The weighted queue score: normalization, explanation, and the properties the queue relies on."""

import dataclasses
import math
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okno.priority.scoring import (
    FACTORS,
    Norms,
    ScoreInput,
    ScoringError,
    Weights,
    WeightsError,
    normalized_factors,
    queue_key,
    score,
)

HOUR = timedelta(hours=1)
ONLY = {name: Weights.from_mapping({name: 1}) for name in FACTORS}


def value(inp, name, norms=None):
    return normalized_factors(inp, norms or Norms())[name]


# --- normalization, by example ---------------------------------------------------------------


@pytest.mark.parametrize(("level", "expected"), [(1, 1.0), (2, 0.75), (3, 0.5), (5, 0.0), (9, 0.0)])
def test_priority_is_linear_from_highest_to_lowest_level(level, expected):
    assert value(ScoreInput(priority=level), "priority") == expected


def test_single_level_scale_counts_as_highest():
    assert value(ScoreInput(priority=1), "priority", Norms(priority_levels=1)) == 1.0


@pytest.mark.parametrize(
    ("remaining", "expected"),
    [(8 * HOUR, 0.0), (6 * HOUR, 0.25), (4 * HOUR, 0.5), (timedelta(0), 1.0), (-HOUR, 1.0)],
)
def test_time_to_breach_is_the_fraction_of_target_used(remaining, expected):
    inp = ScoreInput(priority=3, sla_remaining=remaining, sla_target=8 * HOUR)
    assert value(inp, "time_to_breach") == expected
    assert inp.breached == (remaining <= timedelta(0))


def test_more_time_left_than_target_counts_as_untouched():
    inp = ScoreInput(priority=3, sla_remaining=9 * HOUR, sla_target=8 * HOUR)
    assert value(inp, "time_to_breach") == 0.0


def test_no_sla_contributes_nothing_and_is_never_breached():
    inp = ScoreInput(priority=3)
    assert value(inp, "time_to_breach") == 0.0
    assert not inp.breached


def test_tier_vip_flag_and_tier_fraction():
    assert value(ScoreInput(priority=1, tier=1), "tier") == 1.0
    assert value(ScoreInput(priority=1, tier=0), "tier") == 0.0
    assert value(ScoreInput(priority=1, tier=1), "tier", Norms(top_tier=4)) == 0.25
    assert value(ScoreInput(priority=1, tier=9), "tier", Norms(top_tier=4)) == 1.0


def test_penalty_is_clipped_at_the_cap_and_accepts_decimal():
    norms = Norms(penalty_cap=1000)
    assert value(ScoreInput(priority=1, penalty=250), "penalty", norms) == 0.25
    assert value(ScoreInput(priority=1, penalty=Decimal("500.00")), "penalty", norms) == 0.5
    assert value(ScoreInput(priority=1, penalty=10**6), "penalty", norms) == 1.0


def test_affected_users_are_log_scaled_against_the_cap():
    norms = Norms(users_cap=1000)
    assert value(ScoreInput(priority=1, affected_users=0), "affected_users", norms) == 0.0
    assert value(ScoreInput(priority=1, affected_users=1000), "affected_users", norms) == 1.0
    assert value(ScoreInput(priority=1, affected_users=50_000), "affected_users", norms) == 1.0
    ten = value(ScoreInput(priority=1, affected_users=10), "affected_users", norms)
    assert ten == pytest.approx(math.log(11) / math.log(1001))
    assert 0.3 < ten < 0.4  # ten users already weigh a third of a thousand


def test_age_reaches_one_at_the_horizon():
    norms = Norms(age_horizon=timedelta(days=10))
    assert value(ScoreInput(priority=1, age=timedelta(days=5)), "age", norms) == 0.5
    assert value(ScoreInput(priority=1, age=timedelta(days=30)), "age", norms) == 1.0


# --- the breakdown ----------------------------------------------------------------------------


def test_breakdown_explains_each_factor():
    inp = ScoreInput(
        priority=1,
        sla_remaining=2 * HOUR,
        sla_target=8 * HOUR,
        tier=1,
        penalty=5000,
        affected_users=0,
        age=timedelta(days=7),
    )
    w = Weights(priority=4, time_to_breach=2, tier=1, penalty=1, affected_users=1, age=1)
    b = score(inp, w, Norms(penalty_cap=10_000, age_horizon=timedelta(days=14)))
    assert [f.name for f in b.factors] == list(FACTORS)
    assert {f.name: f.value for f in b.factors} == {
        "priority": 1.0,
        "time_to_breach": 0.75,
        "tier": 1.0,
        "penalty": 0.5,
        "affected_users": 0.0,
        "age": 0.5,
    }
    assert b.contribution("priority") == pytest.approx(40.0)
    assert b.contribution("time_to_breach") == pytest.approx(15.0)
    assert b.contribution("tier") == pytest.approx(10.0)
    assert b.contribution("penalty") == pytest.approx(5.0)
    assert b.contribution("affected_users") == 0.0
    assert b.contribution("age") == pytest.approx(5.0)
    assert b.total == pytest.approx(75.0)
    assert not b.breached
    with pytest.raises(KeyError):
        b.contribution("mood")


def test_everything_maxed_scores_100_and_nothing_scores_0():
    top = ScoreInput(
        priority=1,
        sla_remaining=-HOUR,
        sla_target=HOUR,
        tier=1,
        penalty=10**9,
        affected_users=10**9,
        age=timedelta(days=999),
    )
    assert score(top, Weights.default()).total == pytest.approx(100.0)
    bottom = ScoreInput(priority=5, affected_users=0)
    assert score(bottom, Weights.default()).total == 0.0


def test_queue_key_puts_breached_first_then_higher_score():
    tickets = [("calm", False, 90.0), ("late-low", True, 5.0), ("late-high", True, 50.0)]
    tickets += [("quiet", False, 10.0)]
    ordered = sorted(tickets, key=lambda t: queue_key(t[1], t[2]))
    assert [t[0] for t in ordered] == ["late-high", "late-low", "calm", "quiet"]
    b = score(ScoreInput(priority=1, sla_remaining=-HOUR, sla_target=HOUR), Weights.default())
    assert b.breached
    assert b.sort_key == queue_key(True, b.total)


# --- validation -------------------------------------------------------------------------------


def test_weights_are_normalized_on_construction():
    w = Weights(priority=30, time_to_breach=30, tier=20, penalty=10, affected_users=10, age=0)
    assert w.as_dict() == pytest.approx(
        {
            "priority": 0.3,
            "time_to_breach": 0.3,
            "tier": 0.2,
            "penalty": 0.1,
            "affected_users": 0.1,
            "age": 0.0,
        }
    )
    assert math.fsum(Weights.default().as_dict().values()) == pytest.approx(1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        w.age = 1.0  # type: ignore[misc]


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, "1", True, None])
def test_weights_reject_bad_values_naming_the_factor(bad):
    with pytest.raises(WeightsError, match="tier"):
        Weights.from_mapping({"priority": 1, "tier": bad})


def test_weights_reject_all_zero_and_unknown_factors():
    with pytest.raises(WeightsError, match="positive"):
        Weights.from_mapping({})
    with pytest.raises(WeightsError, match="mood"):
        Weights.from_mapping({"priority": 1, "mood": 2})
    assert issubclass(WeightsError, ValueError)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"priority": 0},
        {"priority": True},
        {"sla_remaining": HOUR},
        {"sla_target": HOUR},
        {"sla_remaining": HOUR, "sla_target": timedelta(0)},
        {"tier": -1},
        {"penalty": -0.01},
        {"penalty": math.nan},
        {"affected_users": -1},
        {"age": -HOUR},
    ],
)
def test_score_input_rejects_impossible_values(kwargs):
    with pytest.raises(ScoringError):
        ScoreInput(**{"priority": 1, **kwargs})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"priority_levels": 0},
        {"top_tier": 0},
        {"penalty_cap": 0},
        {"penalty_cap": math.inf},
        {"users_cap": 0},
        {"age_horizon": timedelta(0)},
    ],
)
def test_norms_reject_empty_scales(kwargs):
    with pytest.raises(ScoringError):
        Norms(**kwargs)


# --- properties -------------------------------------------------------------------------------

durations = st.integers(-30 * 86400, 30 * 86400).map(lambda s: timedelta(seconds=s))
positive_durations = st.integers(60, 30 * 86400).map(lambda s: timedelta(seconds=s))
amounts = st.floats(0, 1e7, allow_nan=False)


@st.composite
def score_inputs(draw):
    has_sla = draw(st.booleans())
    return ScoreInput(
        priority=draw(st.integers(1, 8)),
        sla_remaining=draw(durations) if has_sla else None,
        sla_target=draw(positive_durations) if has_sla else None,
        tier=draw(st.integers(0, 5)),
        penalty=draw(amounts),
        affected_users=draw(st.integers(0, 10**5)),
        age=draw(st.integers(0, 60 * 86400).map(lambda s: timedelta(seconds=s))),
    )


norms_st = st.builds(
    Norms,
    priority_levels=st.integers(1, 7),
    top_tier=st.integers(1, 4),
    penalty_cap=st.floats(1, 1e6),
    users_cap=st.integers(1, 10**4),
    age_horizon=positive_durations,
)
weights_st = (
    st.lists(st.floats(0, 100), min_size=6, max_size=6).filter(any).map(lambda ws: Weights(*ws))
)


def more_urgent(inp, draw_data):
    """Every way of making one input more urgent, as (factor, changed input) pairs."""
    d = draw_data.draw
    yield "priority", dataclasses.replace(inp, priority=d(st.integers(1, inp.priority)))
    if inp.sla_remaining is not None:
        less = inp.sla_remaining - timedelta(seconds=d(st.integers(0, 10**6)))
        yield "time_to_breach", dataclasses.replace(inp, sla_remaining=less)
    else:
        yield (
            "time_to_breach",
            dataclasses.replace(inp, sla_remaining=d(durations), sla_target=d(positive_durations)),
        )
    yield "tier", dataclasses.replace(inp, tier=inp.tier + d(st.integers(0, 5)))
    yield "penalty", dataclasses.replace(inp, penalty=inp.penalty + d(amounts))
    users = inp.affected_users + d(st.integers(0, 10**5))
    yield "affected_users", dataclasses.replace(inp, affected_users=users)
    yield "age", dataclasses.replace(inp, age=inp.age + d(positive_durations))


@given(score_inputs(), weights_st, norms_st, st.data())
def test_each_factor_is_monotone(inp, weights, norms, data):
    before = score(inp, weights, norms)
    for name, changed in more_urgent(inp, data):
        after = score(changed, weights, norms)
        assert after.total >= before.total, name
        assert after.contribution(name) >= before.contribution(name), name


@given(score_inputs(), weights_st, norms_st)
def test_total_is_the_sum_of_contributions_within_0_and_100(inp, weights, norms):
    b = score(inp, weights, norms)
    assert 0.0 <= b.total <= 100.0
    assert b.total == pytest.approx(math.fsum(f.contribution for f in b.factors), abs=1e-9)
    for f in b.factors:
        assert 0.0 <= f.value <= 1.0
        assert f.contribution == f.weight * f.value * 100.0
    assert math.fsum(f.weight for f in b.factors) == pytest.approx(1.0)


@given(score_inputs(), weights_st, norms_st, st.floats(1e-3, 1e3))
def test_weights_are_scale_invariant(inp, weights, norms, k):
    scaled = Weights(*(k * v for v in weights.as_dict().values()))
    assert score(inp, scaled, norms).total == pytest.approx(
        score(inp, weights, norms).total, rel=1e-9, abs=1e-9
    )


@given(score_inputs(), norms_st)
def test_a_single_weighted_factor_scores_its_normalized_value(inp, norms):
    values = normalized_factors(inp, norms)
    for name, weights in ONLY.items():
        assert score(inp, weights, norms).total == pytest.approx(100.0 * values[name])
