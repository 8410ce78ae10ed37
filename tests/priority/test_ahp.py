"""Analytic hierarchy process: textbook results, worked by hand, and agreement with references."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okno.priority.scoring import (
    FACTORS,
    RANDOM_INDEX,
    AhpError,
    WeightsError,
    ahp_weights,
    reciprocal_matrix,
    weights_from_ahp,
)

SAATY_SCALE = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1 / 2, 1 / 3, 1 / 4, 1 / 5, 1 / 6, 1 / 7, 1 / 8, 1 / 9]


def consistent(w):
    """a_ij = w_i / w_j: perfectly consistent judgments derived from known weights."""
    return [[wi / wj for wj in w] for wi in w]


def geometric_mean_weights(matrix):
    """The row geometric-mean approximation, the usual hand-calculation reference."""
    g = [math.prod(row) ** (1 / len(row)) for row in matrix]
    return [x / sum(g) for x in g]


def test_random_index_is_saatys_table():
    assert RANDOM_INDEX == (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)


@given(
    st.lists(st.floats(0.05, 20), min_size=2, max_size=10).map(lambda w: [x / sum(w) for x in w])
)
def test_consistent_matrix_gives_back_its_weights(w):
    r = ahp_weights(consistent(w))
    assert r.weights == pytest.approx(w, abs=1e-9)
    assert r.lambda_max == pytest.approx(len(w), abs=1e-9)
    assert r.consistency_index == pytest.approx(0, abs=1e-9)
    assert r.consistency_ratio == pytest.approx(0, abs=1e-8)
    assert r.random_index == RANDOM_INDEX[len(w) - 1]
    assert r.acceptable


@pytest.mark.parametrize("a", [1, 2, 5, 9, 1 / 3])
def test_2x2_is_always_consistent(a):
    r = ahp_weights([[1, a], [1 / a, 1]])
    assert r.weights == pytest.approx((a / (1 + a), 1 / (1 + a)))
    assert r.lambda_max == pytest.approx(2)
    assert r.consistency_ratio == 0.0
    assert r.acceptable


def lambda_max_3x3(a12, a13, a23):
    """Closed form for any 3x3 reciprocal matrix: lambda = 1 + t + 1/t, t = (a13/(a12 a23))^(1/3).

    Follows from det(A - lambda I) = 0: (1 - lambda)^3 - 3(1 - lambda) + t^3 + 1/t^3 = 0 ... with
    x = lambda - 1 this is x^3 - 3x - (t^3 + t^-3) = 0, whose real root is x = t + 1/t.
    """
    t = (a13 / (a12 * a23)) ** (1 / 3)
    return 1 + t + 1 / t


def test_saaty_classic_3x3():
    # The standard worked example: weights 0.637 / 0.258 / 0.105, lambda 3.039, CR 0.033.
    m = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]
    r = ahp_weights(m)
    lam = lambda_max_3x3(3, 5, 3)  # t = (5/9)^(1/3)
    ci = (lam - 3) / 2
    assert r.lambda_max == pytest.approx(lam)
    assert r.consistency_index == pytest.approx(ci)
    assert r.consistency_ratio == pytest.approx(ci / 0.58)
    assert [round(x, 3) for x in r.weights] == [0.637, 0.258, 0.105]
    assert round(r.lambda_max, 3) == 3.039
    assert round(r.consistency_ratio, 3) == 0.033
    assert r.acceptable


def test_intransitive_judgments_are_rejected():
    # A beats B 9:1, B beats C 9:1, C beats A 9:1: the weights are a three-way tie and
    # lambda = 1 + 9 + 1/9, so CR = (10.111 - 3) / 2 / 0.58 = 6.13.
    m = [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]
    r = ahp_weights(m)
    assert r.weights == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert r.lambda_max == pytest.approx(1 + 9 + 1 / 9)
    assert r.consistency_ratio == pytest.approx((1 + 9 + 1 / 9 - 3) / 2 / 0.58)
    assert not r.acceptable


@pytest.mark.parametrize(
    ("first_row", "expected_cr"),
    [
        # Circulant reciprocal matrices: the eigenvector is uniform and lambda is the row sum.
        ((1, 3, 1, 1 / 3), (1 + 3 + 1 + 1 / 3 - 4) / 3 / 0.90),  # 0.494
        ((1, 2, 1, 1 / 2), (1 + 2 + 1 + 1 / 2 - 4) / 3 / 0.90),  # 0.185
        ((1, 2, 3, 1 / 3, 1 / 2), (1 + 2 + 3 + 1 / 3 + 1 / 2 - 5) / 4 / 1.12),  # 0.409
    ],
)
def test_circulant_examples_by_hand(first_row, expected_cr):
    n = len(first_row)
    m = [[first_row[(j - i) % n] for j in range(n)] for i in range(n)]
    r = ahp_weights(m)
    assert r.weights == pytest.approx([1 / n] * n)
    assert r.lambda_max == pytest.approx(sum(first_row))
    assert r.consistency_ratio == pytest.approx(expected_cr)
    assert not r.acceptable


saaty = st.sampled_from(SAATY_SCALE)


@given(saaty, saaty, saaty)
def test_3x3_matches_closed_form_and_geometric_mean_exactly(a12, a13, a23):
    # For n = 3 the row geometric mean is the principal eigenvector (Crawford & Williams 1985).
    m = reciprocal_matrix(3, {(0, 1): a12, (0, 2): a13, (1, 2): a23})
    r = ahp_weights(m)
    assert r.lambda_max == pytest.approx(lambda_max_3x3(a12, a13, a23), rel=1e-9)
    assert r.weights == pytest.approx(geometric_mean_weights(m), abs=1e-9)


@st.composite
def random_reciprocal(draw):
    n = draw(st.integers(2, 10))
    judgments = {(i, j): draw(saaty) for i in range(n) for j in range(i + 1, n)}
    return reciprocal_matrix(n, judgments)


@given(random_reciprocal())
def test_any_reciprocal_matrix_yields_an_eigenpair(m):
    n = len(m)
    r = ahp_weights(m)
    assert math.fsum(r.weights) == pytest.approx(1.0)
    assert all(w > 0 for w in r.weights)
    assert r.lambda_max >= n - 1e-9  # Saaty: lambda_max >= n, equality iff consistent
    for i in range(n):
        aw_i = math.fsum(m[i][j] * r.weights[j] for j in range(n))
        assert aw_i == pytest.approx(r.lambda_max * r.weights[i], rel=1e-8)
    assert r.acceptable == (r.consistency_ratio < 0.1)


@given(
    st.lists(st.floats(0.05, 20), min_size=3, max_size=10),
    st.data(),
)
def test_near_consistent_matrix_agrees_with_geometric_mean(w, data):
    n = len(w)
    noise = st.floats(0.9, 1.1)
    judgments = {(i, j): w[i] / w[j] * data.draw(noise) for i in range(n) for j in range(i + 1, n)}
    m = reciprocal_matrix(n, judgments)
    r = ahp_weights(m)
    assert r.weights == pytest.approx(geometric_mean_weights(m), abs=2e-3)
    assert r.weights == pytest.approx([x / sum(w) for x in w], abs=0.05)
    assert r.acceptable  # 10 % noise is well inside Saaty's threshold


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 11])
def test_size_outside_2_to_10(n):
    with pytest.raises(AhpError, match=f"size {n}"):
        ahp_weights(consistent([1.0] * n))


def test_not_square():
    with pytest.raises(AhpError, match="row 1"):
        ahp_weights([[1, 2], [0.5]])


@pytest.mark.parametrize("bad", [0, -2, math.nan, math.inf, "3", True])
def test_non_positive_cells_are_named(bad):
    m = consistent([1, 2, 3])
    m[2][0] = bad
    with pytest.raises(AhpError, match=r"cell \(2, 0\)"):
        ahp_weights(m)


def test_diagonal_must_be_one():
    m = consistent([1, 2, 3])
    m[1][1] = 2
    with pytest.raises(AhpError, match=r"diagonal cell \(1, 1\)"):
        ahp_weights(m)


def test_non_reciprocal_cell_is_named():
    m = consistent([1, 2, 4])
    m[2][1] = 3  # should be 2, the reciprocal of cell (1, 2) = 0.5
    with pytest.raises(
        AhpError, match=r"cell \(2, 1\) = 3 is not the reciprocal of cell \(1, 2\) = 0\.5"
    ):
        ahp_weights(m)


def test_rounded_reciprocals_are_tolerated():
    m = [[1, 3, 7], [0.333, 1, 3], [0.143, 0.333, 1]]
    exact = reciprocal_matrix(3, {(0, 1): 3, (0, 2): 7, (1, 2): 3})
    assert ahp_weights(m).weights == pytest.approx(ahp_weights(exact).weights, abs=1e-3)
    with pytest.raises(AhpError):
        ahp_weights(m, tolerance=1e-6)


def test_reciprocal_matrix_validation():
    assert reciprocal_matrix(2, {(0, 1): 4}) == [[1.0, 4.0], [0.25, 1.0]]
    with pytest.raises(AhpError, match=r"\(0, 2\) is missing"):
        reciprocal_matrix(3, {(0, 1): 2, (1, 2): 2})
    with pytest.raises(AhpError, match="upper triangle"):
        reciprocal_matrix(2, {(0, 1): 2, (1, 0): 0.5})
    with pytest.raises(AhpError, match="positive"):
        reciprocal_matrix(2, {(0, 1): 0})


# --- into Weights -----------------------------------------------------------------------------


def test_weights_from_ahp_over_all_factors():
    w = [0.3, 0.25, 0.15, 0.1, 0.1, 0.1]
    weights = weights_from_ahp(ahp_weights(consistent(w)))
    assert weights.as_dict() == pytest.approx(dict(zip(FACTORS, w, strict=True)))


def test_weights_from_ahp_over_some_factors_leaves_the_rest_at_zero():
    r = ahp_weights([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    weights = weights_from_ahp(r, ["time_to_breach", "priority", "age"])
    assert weights.time_to_breach == pytest.approx(r.weights[0])
    assert weights.priority == pytest.approx(r.weights[1])
    assert weights.age == pytest.approx(r.weights[2])
    assert weights.tier == weights.penalty == weights.affected_users == 0.0


def test_weights_from_ahp_refuses_inconsistent_judgments_unless_asked():
    r = ahp_weights([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    with pytest.raises(AhpError, match=r"consistency ratio 6\.130"):
        weights_from_ahp(r, ["priority", "tier", "age"])
    weights = weights_from_ahp(r, ["priority", "tier", "age"], require_acceptable=False)
    assert weights.priority == pytest.approx(1 / 3)


def test_weights_from_ahp_checks_names():
    r = ahp_weights(consistent([1, 2]))
    with pytest.raises(WeightsError, match="2 AHP weights"):
        weights_from_ahp(r, ["priority"])
    with pytest.raises(WeightsError, match="repeat"):
        weights_from_ahp(r, ["priority", "priority"])
    with pytest.raises(WeightsError, match="mood"):
        weights_from_ahp(r, ["priority", "mood"])
