"""Priority and queue order: the pure core behind SLA.md "Priority and queue order".

No Django here (DESIGN.md "Where logic lives"): values in, values out, so the rules can be tested
alone and reused by the desk queue, the API and the nightly re-scoring job alike.

Three parts:
- `PriorityMatrix`: impact x urgency -> priority level (1 = highest), stored as data so an
  administrator can edit it; validated so an edit can never make a worse ticket rank higher.
- `score`: the weighted queue score of normalized factors, returned with each factor's
  contribution so the ticket page can explain why a ticket sits where it does.
- `ahp_weights`: weights derived from pairwise comparisons (analytic hierarchy process), with
  the consistency ratio that tells an administrator whether the judgments contradict each other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import timedelta
from decimal import Decimal

__all__ = [
    "FACTORS",
    "RANDOM_INDEX",
    "AhpError",
    "AhpResult",
    "FactorScore",
    "MatrixError",
    "Norms",
    "PriorityMatrix",
    "ScoreBreakdown",
    "ScoreInput",
    "ScoringError",
    "Weights",
    "WeightsError",
    "ahp_weights",
    "normalized_factors",
    "queue_key",
    "reciprocal_matrix",
    "score",
    "weights_from_ahp",
]


class ScoringError(ValueError):
    """Base class, so a form or API handler can turn any rule violation into a 400."""


class MatrixError(ScoringError):
    """The priority matrix is incomplete, non-monotone or looked up out of range."""


class WeightsError(ScoringError):
    """Weights are negative, non-finite, all zero, or name an unknown factor."""


class AhpError(ScoringError):
    """The pairwise comparison matrix is not a positive reciprocal matrix, or is inconsistent."""


# --------------------------------------------------------------------------------------------
# Priority matrix
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriorityMatrix:
    """Impact x urgency -> priority level; 1 is the highest level on every axis.

    `rows[i - 1][u - 1]` is the level for impact `i`, urgency `u`. Frozen and built from tuples so
    a matrix read from settings can be shared and cached without defensive copies.
    """

    rows: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if not self.rows or not self.rows[0]:
            raise MatrixError("the matrix has no cells")
        if any(len(row) != len(self.rows[0]) for row in self.rows):
            raise MatrixError("every impact row must have the same number of urgency cells")
        _validate_cells(self.as_cells(), len(self.rows), len(self.rows[0]))

    @classmethod
    def default(cls, size: int = 3) -> PriorityMatrix:
        """The ITIL textbook matrix P = I + U - 1 (3x3 gives levels 1..5)."""
        if size < 1:
            raise MatrixError(f"matrix size must be at least 1, got {size}")
        return cls(tuple(tuple(i + u - 1 for u in range(1, size + 1)) for i in range(1, size + 1)))

    @classmethod
    def from_cells(cls, cells: Mapping[tuple[int, int], int]) -> PriorityMatrix:
        """Build from `{(impact, urgency): level}`, the shape an edit form or a JSON field holds.

        The dimensions are the largest impact and urgency present; every cell below them must be
        filled, so a missing cell is reported instead of silently defaulting.
        """
        if not cells:
            raise MatrixError("the matrix has no cells")
        for key in cells:
            if (
                not isinstance(key, tuple)
                or len(key) != 2
                or not all(_is_int(k) and k >= 1 for k in key)
            ):
                raise MatrixError(
                    f"cell key {key!r} must be (impact, urgency), both integers from 1"
                )
        n_impact = max(i for i, _ in cells)
        n_urgency = max(u for _, u in cells)
        for i in range(1, n_impact + 1):
            for u in range(1, n_urgency + 1):
                if (i, u) not in cells:
                    raise MatrixError(f"cell (impact={i}, urgency={u}) is missing")
        _validate_cells(cells, n_impact, n_urgency)
        return cls(
            tuple(
                tuple(cells[(i, u)] for u in range(1, n_urgency + 1))
                for i in range(1, n_impact + 1)
            )
        )

    @property
    def impact_levels(self) -> int:
        return len(self.rows)

    @property
    def urgency_levels(self) -> int:
        return len(self.rows[0])

    @property
    def lowest_level(self) -> int:
        """The largest level number in use: what `Norms.priority_levels` should be set to."""
        return max(max(row) for row in self.rows)

    def lookup(self, impact: int, urgency: int) -> int:
        if not (_is_int(impact) and 1 <= impact <= self.impact_levels):
            raise MatrixError(f"impact {impact!r} is outside 1..{self.impact_levels}")
        if not (_is_int(urgency) and 1 <= urgency <= self.urgency_levels):
            raise MatrixError(f"urgency {urgency!r} is outside 1..{self.urgency_levels}")
        return self.rows[impact - 1][urgency - 1]

    def as_cells(self) -> dict[tuple[int, int], int]:
        """The inverse of `from_cells`, for storing the matrix as data."""
        return {
            (i, u): level
            for i, row in enumerate(self.rows, start=1)
            for u, level in enumerate(row, start=1)
        }


def _is_int(value: object) -> bool:
    # bool is an int subclass; True as an impact is a bug, not level 1.
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_cells(cells: Mapping[tuple[int, int], int], n_impact: int, n_urgency: int) -> None:
    """Levels are positive integers, and a higher impact or urgency never gives a lower priority.

    Checking neighbours suffices: monotone along every row and column step is monotone overall.
    """
    for (i, u), level in sorted(cells.items()):
        if not (_is_int(level) and level >= 1):
            raise MatrixError(
                f"cell (impact={i}, urgency={u}) has level {level!r}; levels are integers from 1"
            )
    for i in range(1, n_impact + 1):
        for u in range(1, n_urgency + 1):
            level = cells[(i, u)]
            if i > 1 and cells[(i - 1, u)] > level:
                raise MatrixError(
                    f"cell (impact={i - 1}, urgency={u}) has priority {cells[(i - 1, u)]}, lower "
                    f"than {level} at (impact={i}, urgency={u}) although its impact is higher"
                )
            if u > 1 and cells[(i, u - 1)] > level:
                raise MatrixError(
                    f"cell (impact={i}, urgency={u - 1}) has priority {cells[(i, u - 1)]}, lower "
                    f"than {level} at (impact={i}, urgency={u}) although its urgency is higher"
                )


# --------------------------------------------------------------------------------------------
# Weighted queue score
# --------------------------------------------------------------------------------------------

FACTORS: tuple[str, ...] = (
    "priority",
    "time_to_breach",
    "tier",
    "penalty",
    "affected_users",
    "age",
)
"""Factor names, in display order; also the field names of `Weights`."""


@dataclass(frozen=True, slots=True)
class ScoreInput:
    """Raw facts about one ticket; `score` normalizes them.

    Times are business-time `timedelta`s from the SLA clock. `sla_remaining` is negative once
    breached; both SLA fields are None for a ticket without an SLA.
    """

    priority: int
    sla_remaining: timedelta | None = None
    sla_target: timedelta | None = None
    tier: int = 0
    penalty: float | Decimal = 0.0
    affected_users: int = 1
    age: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if not (_is_int(self.priority) and self.priority >= 1):
            raise ScoringError(f"priority level {self.priority!r} must be an integer from 1")
        if (self.sla_remaining is None) != (self.sla_target is None):
            raise ScoringError("sla_remaining and sla_target must both be set or both be None")
        if self.sla_target is not None and self.sla_target <= timedelta(0):
            raise ScoringError(f"sla_target {self.sla_target} must be positive")
        if not (_is_int(self.tier) and self.tier >= 0):
            raise ScoringError(f"tier {self.tier!r} must be a non-negative integer")
        if not (math.isfinite(self.penalty) and self.penalty >= 0):
            raise ScoringError(f"penalty {self.penalty!r} must be a non-negative amount")
        if not (_is_int(self.affected_users) and self.affected_users >= 0):
            raise ScoringError(f"affected_users {self.affected_users!r} must be a count")
        if self.age < timedelta(0):
            raise ScoringError(f"age {self.age} must not be negative")

    @property
    def breached(self) -> bool:
        return self.sla_remaining is not None and self.sla_remaining <= timedelta(0)


@dataclass(frozen=True, slots=True)
class Norms:
    """The scales that map raw values onto [0, 1]; product settings, not code constants.

    Values beyond a cap count as the cap, so one huge contract or an old ticket cannot swamp the
    other factors.
    """

    priority_levels: int = 5
    top_tier: int = 1
    penalty_cap: float = 10_000.0
    users_cap: int = 1_000
    age_horizon: timedelta = timedelta(days=14)

    def __post_init__(self) -> None:
        if not (_is_int(self.priority_levels) and self.priority_levels >= 1):
            raise ScoringError(f"priority_levels {self.priority_levels!r} must be at least 1")
        if not (_is_int(self.top_tier) and self.top_tier >= 1):
            raise ScoringError(f"top_tier {self.top_tier!r} must be at least 1")
        if not (math.isfinite(self.penalty_cap) and self.penalty_cap > 0):
            raise ScoringError(f"penalty_cap {self.penalty_cap!r} must be positive")
        if not (_is_int(self.users_cap) and self.users_cap >= 1):
            raise ScoringError(f"users_cap {self.users_cap!r} must be at least 1")
        if self.age_horizon <= timedelta(0):
            raise ScoringError(f"age_horizon {self.age_horizon} must be positive")


@dataclass(frozen=True, slots=True)
class Weights:
    """Relative importance of each factor; stored normalized to sum 1.

    Normalizing on construction makes any scale an administrator types (percentages, 1-10
    ratings) mean the same thing and keeps the total score within 0..100.
    """

    priority: float
    time_to_breach: float
    tier: float
    penalty: float
    affected_users: float
    age: float

    def __post_init__(self) -> None:
        raw = {f.name: getattr(self, f.name) for f in fields(self)}
        for name, value in raw.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise WeightsError(f"weight for {name} must be a number, got {value!r}")
            if not math.isfinite(value) or value < 0:
                raise WeightsError(f"weight for {name} must be finite and >= 0, got {value!r}")
        total = math.fsum(raw.values())
        if total <= 0:
            raise WeightsError("at least one weight must be positive")
        for name, value in raw.items():
            object.__setattr__(self, name, value / total)

    @classmethod
    def default(cls) -> Weights:
        """Priority leads, the SLA clock next; the rest break ties and prevent starvation."""
        return cls(priority=35, time_to_breach=25, tier=10, penalty=10, affected_users=10, age=10)

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> Weights:
        """From `{factor: weight}`; factors left out weigh 0, unknown names are an error."""
        unknown = sorted(set(values) - set(FACTORS))
        if unknown:
            raise WeightsError(f"unknown factor(s): {', '.join(unknown)}")
        return cls(**{name: values.get(name, 0.0) for name in FACTORS})

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in FACTORS}


@dataclass(frozen=True, slots=True)
class FactorScore:
    """One line of the "why is this ticket here" explanation."""

    name: str
    value: float  # normalized, 0..1, 1 = most urgent
    weight: float  # 0..1
    contribution: float  # weight x value x 100, in score points


@dataclass(frozen=True, slots=True)
class ScoreBreakdown:
    total: float  # 0..100, the sum of the contributions
    factors: tuple[FactorScore, ...]  # in FACTORS order
    breached: bool

    def contribution(self, name: str) -> float:
        for factor in self.factors:
            if factor.name == name:
                return factor.contribution
        raise KeyError(name)

    @property
    def sort_key(self) -> tuple[int, float]:
        return queue_key(self.breached, self.total)


def _clip01(x: float) -> float:
    return min(1.0, max(0.0, x))


def normalized_factors(inp: ScoreInput, norms: Norms) -> dict[str, float]:
    """Each factor on [0, 1], 1 = work on this first; exposed for tests and explanations."""
    levels = norms.priority_levels
    # A level beyond the scale (a ticket prioritized under an older, larger matrix) counts as
    # the lowest rather than failing the whole queue.
    priority = 1.0 if levels == 1 else _clip01((levels - inp.priority) / (levels - 1))

    if inp.sla_remaining is None or inp.sla_target is None:
        time_to_breach = 0.0
    else:
        time_to_breach = 1.0 - _clip01(inp.sla_remaining / inp.sla_target)

    return {
        "priority": priority,
        "time_to_breach": time_to_breach,
        "tier": _clip01(inp.tier / norms.top_tier),
        "penalty": _clip01(float(inp.penalty) / norms.penalty_cap),
        # Log scale: going from 1 to 10 users matters about as much as 100 to 1000.
        "affected_users": _clip01(math.log1p(inp.affected_users) / math.log1p(norms.users_cap)),
        "age": _clip01(inp.age / norms.age_horizon),
    }


def score(inp: ScoreInput, weights: Weights, norms: Norms | None = None) -> ScoreBreakdown:
    """Weighted sum of normalized factors on 0..100, with each factor's contribution."""
    values = normalized_factors(inp, norms or Norms())
    factors = tuple(
        FactorScore(
            name=name,
            value=values[name],
            weight=getattr(weights, name),
            contribution=getattr(weights, name) * values[name] * 100.0,
        )
        for name in FACTORS
    )
    # Weights sum to 1 only up to rounding; clamp so the documented range holds exactly.
    total = min(100.0, math.fsum(f.contribution for f in factors))
    return ScoreBreakdown(total=total, factors=factors, breached=inp.breached)


def queue_key(breached: bool, score: float) -> tuple[int, float]:
    """Ascending sort key for the queue: breached tickets first, then higher score first."""
    return (0 if breached else 1, -score)


# --------------------------------------------------------------------------------------------
# Analytic hierarchy process
# --------------------------------------------------------------------------------------------

RANDOM_INDEX: tuple[float, ...] = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
"""Saaty's random consistency index for n = 1..10 (index n - 1)."""

_AHP_MIN, _AHP_MAX = 2, len(RANDOM_INDEX)


@dataclass(frozen=True, slots=True)
class AhpResult:
    weights: tuple[float, ...]  # principal eigenvector, sums to 1
    lambda_max: float
    consistency_index: float  # (lambda_max - n) / (n - 1)
    random_index: float
    consistency_ratio: float  # CI / RI; 0 when n <= 2

    @property
    def acceptable(self) -> bool:
        """Saaty's rule: judgments with CR >= 0.1 contradict each other too much to use."""
        return self.consistency_ratio < 0.1


def reciprocal_matrix(size: int, judgments: Mapping[tuple[int, int], float]) -> list[list[float]]:
    """Fill a full matrix from upper-triangle judgments `{(i, j): a_ij}` with 0-based i < j.

    A form asks each comparison once; the reciprocal half follows, so it cannot be inconsistent
    with itself.
    """
    matrix = [[1.0] * size for _ in range(size)]
    for i in range(size):
        for j in range(i + 1, size):
            if (i, j) not in judgments:
                raise AhpError(f"judgment ({i}, {j}) is missing")
            a = float(judgments[(i, j)])
            if not (math.isfinite(a) and a > 0):
                raise AhpError(f"judgment ({i}, {j}) = {a!r} must be positive")
            matrix[i][j], matrix[j][i] = a, 1.0 / a
    extra = sorted(k for k in judgments if not (0 <= k[0] < k[1] < size))
    if extra:
        raise AhpError(f"judgment {extra[0]} is outside the upper triangle of a {size}x{size}")
    return matrix


def _validate_pairwise(matrix: Sequence[Sequence[float]], tolerance: float) -> int:
    n = len(matrix)
    if not _AHP_MIN <= n <= _AHP_MAX:
        raise AhpError(f"comparison matrix size {n} is outside {_AHP_MIN}..{_AHP_MAX}")
    for i, row in enumerate(matrix):
        if len(row) != n:
            raise AhpError(f"row {i} has {len(row)} cells; the matrix must be {n}x{n}")
        for j, a in enumerate(row):
            if isinstance(a, bool) or not isinstance(a, int | float):
                raise AhpError(f"cell ({i}, {j}) = {a!r} is not a number")
            if not (math.isfinite(a) and a > 0):
                raise AhpError(f"cell ({i}, {j}) = {a!r} must be positive")
    for i in range(n):
        if abs(matrix[i][i] - 1.0) > tolerance:
            raise AhpError(f"diagonal cell ({i}, {i}) = {matrix[i][i]!r} must be 1")
        for j in range(i + 1, n):
            # Relative test on the product: 1/3 typed as 0.333 passes, 3 against 3 does not.
            if abs(matrix[i][j] * matrix[j][i] - 1.0) > tolerance:
                raise AhpError(
                    f"cell ({j}, {i}) = {matrix[j][i]!r} is not the reciprocal of "
                    f"cell ({i}, {j}) = {matrix[i][j]!r}"
                )
    return n


def ahp_weights(
    matrix: Sequence[Sequence[float]],
    *,
    tolerance: float = 1e-2,
    max_iterations: int = 10_000,
) -> AhpResult:
    """Principal eigenvector of a positive reciprocal matrix by power iteration, with Saaty's CR.

    Power iteration is enough: a positive matrix has a simple dominant eigenvalue (Perron), and
    for near-consistent judgments the others are close to 0, so it converges in a few steps.
    """
    n = _validate_pairwise(matrix, tolerance)
    a = [[float(x) for x in row] for row in matrix]
    w = [1.0 / n] * n
    for _ in range(max_iterations):
        aw = [math.fsum(a[i][j] * w[j] for j in range(n)) for i in range(n)]
        s = math.fsum(aw)
        new = [x / s for x in aw]
        converged = max(abs(x - y) for x, y in zip(new, w, strict=True)) < 1e-13
        w = new
        if converged:
            break
    else:  # pragma: no cover - unreachable for positive matrices of size <= 10
        raise AhpError("power iteration did not converge")

    # With w summing to 1, sum(A w) is the eigenvalue at the fixed point.
    lambda_max = math.fsum(math.fsum(a[i][j] * w[j] for j in range(n)) for i in range(n))
    # lambda_max >= n for reciprocal matrices; anything below is rounding or the tolerance.
    ci = max(0.0, (lambda_max - n) / (n - 1))
    ri = RANDOM_INDEX[n - 1]
    cr = 0.0 if n <= 2 else ci / ri
    return AhpResult(
        weights=tuple(w),
        lambda_max=lambda_max,
        consistency_index=ci,
        random_index=ri,
        consistency_ratio=cr,
    )


def weights_from_ahp(
    result: AhpResult,
    factors: Sequence[str] = FACTORS,
    *,
    require_acceptable: bool = True,
) -> Weights:
    """Map an AHP result over the named factors onto `Weights`; factors not compared weigh 0.

    Refuses an inconsistent result by default because SLA.md requires CR < 0.1.
    """
    if len(factors) != len(result.weights):
        raise WeightsError(f"{len(factors)} factor names for {len(result.weights)} AHP weights")
    if len(set(factors)) != len(factors):
        raise WeightsError("factor names repeat")
    if require_acceptable and not result.acceptable:
        raise AhpError(
            f"consistency ratio {result.consistency_ratio:.3f} is not below 0.1; "
            "revise the comparisons"
        )
    return Weights.from_mapping(dict(zip(factors, result.weights, strict=True)))
