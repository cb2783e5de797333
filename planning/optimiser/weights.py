"""Criterion weights: AHP pairwise comparison (Saaty) or direct weights, normalised to sum to 1.

Pairwise judgements use Saaty's 1-9 scale: `judgements[(a, b)] = 5` reads "a is strongly more
important than b" (so b over a is 1/5). The weights are the principal eigenvector of the
reciprocal matrix (numpy), normalised; the consistency ratio is CI / RI with
CI = (lambda_max - n) / (n - 1) and RI Saaty's random index for n criteria. A ratio above 0.10
means the judgements contradict each other too much to trust (Saaty's rule).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

RANDOM_INDEX = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41, 9: 1.45, 10: 1.49}
"""Saaty's random consistency index by matrix size (The Analytic Hierarchy Process, 1980)."""
MAX_CRITERIA = max(RANDOM_INDEX)
CONSISTENCY_LIMIT = 0.10
SCALE = frozenset([Fraction(k) for k in range(1, 10)] + [Fraction(1, k) for k in range(2, 10)])
WEIGHT_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class AhpResult:
    """Weights per criterion (Decimal, 6 places, summing to 1 within rounding), lambda_max, the
    consistency index and ratio, and whether the ratio is within Saaty's 0.10."""

    weights: dict[str, Decimal]
    lambda_max: float
    consistency_index: float
    consistency_ratio: float

    @property
    def consistent(self) -> bool:
        return self.consistency_ratio <= CONSISTENCY_LIMIT


def _on_scale(value, pair: tuple[str, str]) -> Fraction:
    """The scale value `value` stands for; a float or Decimal counts as the nearest scale value
    when within 0.0001 of it (1/3 stored to four places is 0.3333)."""
    try:
        judged = Fraction(value)
    except (TypeError, ValueError, ZeroDivisionError) as error:
        raise ValueError(f"judgement {pair[0]!r} vs {pair[1]!r}: {value!r} is not a number") from error
    if isinstance(value, float | Decimal):
        nearest = min(SCALE, key=lambda step: abs(step - judged))
        if abs(nearest - judged) <= Fraction(1, 10_000):
            judged = nearest
    if judged not in SCALE:
        raise ValueError(f"judgement {pair[0]!r} vs {pair[1]!r}: {value} is not on Saaty's scale (1..9 or 1/2..1/9)")
    return judged


def pairwise_weights(criteria: Sequence[str], judgements: Mapping[tuple[str, str], object]) -> AhpResult:
    """AHP weights from one judgement per pair of criteria (either order; both orders must be
    reciprocal). Raises ValueError naming the pair for a missing, off-scale or contradictory
    judgement, and for unknown or repeated criteria."""
    criteria = list(criteria)
    n = len(criteria)
    if n == 0:
        raise ValueError("criteria: at least one criterion is needed")
    if len(set(criteria)) != n:
        raise ValueError("criteria: a criterion appears twice")
    if n > MAX_CRITERIA:
        raise ValueError(f"criteria: pairwise comparison takes at most {MAX_CRITERIA} criteria, got {n}")
    position = {c: k for k, c in enumerate(criteria)}
    matrix = [[Fraction(1)] * n for _ in range(n)]
    seen: dict[tuple[int, int], Fraction] = {}
    for (a, b), value in judgements.items():
        for name in (a, b):
            if name not in position:
                raise ValueError(f"judgement {a!r} vs {b!r}: unknown criterion {name!r}")
        if a == b:
            raise ValueError(f"judgement {a!r} vs {b!r}: a criterion is not compared with itself")
        judged = _on_scale(value, (a, b))
        i, j = position[a], position[b]
        if (i, j) in seen and seen[(i, j)] != judged:
            raise ValueError(
                f"judgement {a!r} vs {b!r}: given as {judged} and as 1/{1 / seen[(i, j)]} the other way round"
            )
        seen[(i, j)], seen[(j, i)] = judged, 1 / judged
        matrix[i][j], matrix[j][i] = judged, 1 / judged
    for i in range(n):
        for j in range(i + 1, n):
            if (i, j) not in seen:
                raise ValueError(f"judgement {criteria[i]!r} vs {criteria[j]!r}: missing")
    return _principal(criteria, np.array([[float(v) for v in row] for row in matrix]))


def ahp_weights(criteria: Sequence, judgements: Mapping[tuple, object]) -> tuple[dict, Decimal]:
    """`pairwise_weights` as (weights, consistency ratio to four places), for callers that need
    only those two."""
    result = pairwise_weights(criteria, judgements)
    return result.weights, Decimal(str(round(result.consistency_ratio, 4)))


def _principal(criteria: list[str], matrix: np.ndarray) -> AhpResult:
    n = len(criteria)
    eigenvalues, eigenvectors = np.linalg.eig(matrix)
    k = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, k].real)
    vector = vector / vector.sum()
    lambda_max = float(eigenvalues[k].real)
    index = (lambda_max - n) / (n - 1) if n > 2 else 0.0  # 1x1 and 2x2 reciprocal matrices are consistent
    ratio = index / RANDOM_INDEX[n] if RANDOM_INDEX[n] else 0.0
    weights = {c: Decimal(str(float(w))).quantize(WEIGHT_PLACES) for c, w in zip(criteria, vector, strict=True)}
    return AhpResult(weights=weights, lambda_max=lambda_max, consistency_index=index, consistency_ratio=ratio)


def direct_weights(weights: Mapping[str, Decimal | int]) -> dict[str, Decimal]:
    """Weights given directly (any non-negative numbers, e.g. points out of 100) normalised to
    sum to 1, 6 places. Raises ValueError naming the criterion for a negative weight, or when
    every weight is zero."""
    for criterion, weight in weights.items():
        if not isinstance(weight, Decimal | int) or not Decimal(weight).is_finite() or weight < 0:
            raise ValueError(f"weight {criterion!r}: must be a finite number >= 0, got {weight!r}")
    total = sum((Decimal(w) for w in weights.values()), Decimal(0))
    if total == 0:
        raise ValueError("weights: at least one weight must be above 0")
    return {criterion: (Decimal(w) / total).quantize(WEIGHT_PLACES) for criterion, w in weights.items()}
