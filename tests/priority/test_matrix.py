"""The impact x urgency matrix: defaults, validation, and that edits can't invert priorities."""

import dataclasses
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from okno.priority.scoring import MatrixError, PriorityMatrix, ScoringError


def test_default_3x3_is_i_plus_u_minus_1():
    m = PriorityMatrix.default()
    assert m.rows == (
        (1, 2, 3),
        (2, 3, 4),
        (3, 4, 5),
    )
    assert (m.impact_levels, m.urgency_levels, m.lowest_level) == (3, 3, 5)
    assert m.lookup(1, 1) == 1
    assert m.lookup(2, 3) == 4
    assert m.lookup(3, 3) == 5


def test_default_4x4():
    m = PriorityMatrix.default(4)
    assert m.rows == (
        (1, 2, 3, 4),
        (2, 3, 4, 5),
        (3, 4, 5, 6),
        (4, 5, 6, 7),
    )
    assert m.lowest_level == 7


@pytest.mark.parametrize("size", range(1, 8))
def test_default_matches_formula_at_every_cell(size):
    m = PriorityMatrix.default(size)
    for i, u in itertools.product(range(1, size + 1), repeat=2):
        assert m.lookup(i, u) == i + u - 1


def test_default_rejects_empty_size():
    with pytest.raises(MatrixError):
        PriorityMatrix.default(0)


def test_from_cells_round_trips_and_allows_rectangles():
    cells = {(i, u): max(i, u) + (i == 4) for i in range(1, 5) for u in range(1, 4)}
    m = PriorityMatrix.from_cells(cells)
    assert (m.impact_levels, m.urgency_levels) == (4, 3)
    assert m.as_cells() == cells
    assert PriorityMatrix.from_cells(PriorityMatrix.default().as_cells()) == (
        PriorityMatrix.default()
    )


def test_missing_cell_is_named():
    cells = PriorityMatrix.default().as_cells()
    del cells[(2, 3)]
    with pytest.raises(MatrixError, match=r"\(impact=2, urgency=3\) is missing"):
        PriorityMatrix.from_cells(cells)


def test_lower_priority_for_higher_impact_is_rejected_naming_the_cell():
    cells = PriorityMatrix.default().as_cells()
    cells[(2, 2)] = 1  # impact 1, urgency 2 (level 2) now ranks below impact 2, urgency 2
    with pytest.raises(MatrixError, match=r"\(impact=1, urgency=2\).*impact is higher"):
        PriorityMatrix.from_cells(cells)


def test_lower_priority_for_higher_urgency_is_rejected_naming_the_cell():
    cells = PriorityMatrix.default().as_cells()
    cells[(3, 1)] = 5  # urgency 1 ranked below urgency 2 (level 4) for impact 3
    with pytest.raises(MatrixError, match=r"\(impact=3, urgency=1\).*urgency is higher"):
        PriorityMatrix.from_cells(cells)


@pytest.mark.parametrize("bad", [0, -1, True, 1.0, "1", None])
def test_levels_must_be_positive_integers(bad):
    cells = PriorityMatrix.default(2).as_cells()
    cells[(1, 1)] = bad
    with pytest.raises(MatrixError, match=r"\(impact=1, urgency=1\)"):
        PriorityMatrix.from_cells(cells)


@pytest.mark.parametrize("key", [(0, 1), (1,), (1, 2, 3), "11", (1, "2"), (1.5, 1), (3, -1)])
def test_bad_keys_are_rejected(key):
    cells = {**PriorityMatrix.default(2).as_cells(), key: 3}
    with pytest.raises(MatrixError, match="must be"):
        PriorityMatrix.from_cells(cells)


def test_empty_and_ragged_matrices_are_rejected():
    with pytest.raises(MatrixError):
        PriorityMatrix.from_cells({})
    with pytest.raises(MatrixError):
        PriorityMatrix(())
    with pytest.raises(MatrixError):
        PriorityMatrix(((1, 2), (2,)))


@pytest.mark.parametrize(("impact", "urgency"), [(0, 1), (4, 1), (1, 0), (1, 4), (True, 1)])
def test_lookup_out_of_range(impact, urgency):
    with pytest.raises(MatrixError, match="outside"):
        PriorityMatrix.default().lookup(impact, urgency)


def test_matrix_is_immutable_and_hashable():
    m = PriorityMatrix.default()
    with pytest.raises(dataclasses.FrozenInstanceError):
        m.rows = ()  # type: ignore[misc]
    assert hash(m) == hash(PriorityMatrix.default())
    assert issubclass(MatrixError, ScoringError)
    assert issubclass(MatrixError, ValueError)


def _is_monotone(cells, n_i, n_u):
    return all(
        cells[(i, u)] <= cells[(i2, u2)]
        for i, u in itertools.product(range(1, n_i + 1), range(1, n_u + 1))
        for i2, u2 in itertools.product(range(i, n_i + 1), range(u, n_u + 1))
    )


@given(
    st.integers(1, 4).flatmap(
        lambda n_i: st.integers(1, 4).flatmap(
            lambda n_u: st.lists(st.integers(1, 4), min_size=n_i * n_u, max_size=n_i * n_u).map(
                lambda levels: (
                    n_i,
                    n_u,
                    dict(
                        zip(
                            itertools.product(range(1, n_i + 1), range(1, n_u + 1)),
                            levels,
                            strict=True,
                        )
                    ),
                )
            )
        )
    )
)
def test_accepted_exactly_when_monotone_against_brute_force(case):
    n_i, n_u, cells = case
    if _is_monotone(cells, n_i, n_u):
        m = PriorityMatrix.from_cells(cells)
        assert m.as_cells() == cells
    else:
        with pytest.raises(MatrixError, match="although its"):
            PriorityMatrix.from_cells(cells)
