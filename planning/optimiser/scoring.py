"""Project scores from criterion values: each criterion normalised to 0..100, then weighted.

Normalisation is min-max over the projects scored together: the best value gets 100 and the
worst 0, where "best" is the highest for a higher-is-better criterion (benefits, alignment,
urgency) and the lowest for a lower-is-better one (cost, risk exposure). When every project has
the same value the criterion does not tell them apart and each gets 100 (the ranking is
unchanged by any constant).

Missing values (None or absent) are handled per `missing`:
- "worst" (the default): the project gets 0 on that criterion, so a gap never helps it;
- "reweight": the criterion is left out of that project's score and its other criteria's
  weights are scaled up to sum to 1 again.
Either way each project's `missing` lists the criteria it lacked, for the page to show.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from planning.optimiser.weights import direct_weights

MISSING_WORST = "worst"
MISSING_REWEIGHT = "reweight"
HUNDRED = Decimal(100)
SCORE_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Criterion:
    """A scoring criterion: its weight (normalised with the others) and direction."""

    key: str
    weight: Decimal
    higher_is_better: bool = True


@dataclass(frozen=True)
class ProjectScore:
    """`normalised` per criterion (0..100, None where missing), the weighted `score` (0..100,
    two places) and the criteria the project had no value for."""

    normalised: dict[str, Decimal | None]
    score: Decimal
    missing: tuple[str, ...]


def normalise(values: Mapping[str, Decimal | None], *, higher_is_better: bool) -> dict[str, Decimal | None]:
    """Min-max to 0..100 over the present values; None stays None."""
    present = [Decimal(v) for v in values.values() if v is not None]
    if not present:
        return dict.fromkeys(values)
    low, high = min(present), max(present)
    result: dict[str, Decimal | None] = {}
    for key, value in values.items():
        if value is None:
            result[key] = None
        elif high == low:
            result[key] = HUNDRED
        else:
            share = (Decimal(value) - low) / (high - low)
            result[key] = (share if higher_is_better else 1 - share) * HUNDRED
    return result


def score_projects(
    values: Mapping[str, Mapping[str, Decimal | None]],
    criteria: Sequence[Criterion] | Mapping[str, Decimal],
    *,
    higher_is_better: Mapping[str, bool] | None = None,
    missing: str = MISSING_WORST,
) -> dict[str, ProjectScore]:
    """Scores per project key; `values[project][criterion]` is the raw value (None: missing).

    `criteria` is a list of `Criterion`, or a mapping criterion -> weight with the directions in
    `higher_is_better` (criterion -> bool; absent: higher is better). Raises ValueError for an
    unknown `missing` policy, a value for an unknown criterion, or a weight that is negative
    (naming the criterion) or all weights zero.
    """
    if isinstance(criteria, Mapping):
        directions = higher_is_better or {}
        criteria = [Criterion(key, weight, directions.get(key, True)) for key, weight in criteria.items()]
    if missing not in (MISSING_WORST, MISSING_REWEIGHT):
        raise ValueError(f"missing: must be {MISSING_WORST!r} or {MISSING_REWEIGHT!r}, got {missing!r}")
    known = {c.key for c in criteria}
    for project, row in values.items():
        for criterion in row:
            if criterion not in known:
                raise ValueError(f"project {project!r}: unknown criterion {criterion!r}")
    weights = direct_weights({c.key: c.weight for c in criteria})
    columns = {
        c.key: normalise({p: row.get(c.key) for p, row in values.items()}, higher_is_better=c.higher_is_better)
        for c in criteria
    }
    scores: dict[str, ProjectScore] = {}
    for project in values:
        normalised = {c.key: columns[c.key][project] for c in criteria}
        lacking = tuple(k for k, v in normalised.items() if v is None)
        if missing == MISSING_REWEIGHT:
            present_weight = sum((weights[k] for k, v in normalised.items() if v is not None), Decimal(0))
            total = (
                sum((weights[k] * v for k, v in normalised.items() if v is not None), Decimal(0)) / present_weight
                if present_weight
                else Decimal(0)
            )
        else:
            total = sum((weights[k] * (v or 0) for k, v in normalised.items()), Decimal(0))
        scores[project] = ProjectScore(
            normalised=normalised,
            score=total.quantize(SCORE_PLACES, ROUND_HALF_EVEN),
            missing=lacking,
        )
    return scores
