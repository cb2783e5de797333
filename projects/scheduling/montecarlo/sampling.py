"""Drawing the uncertain inputs: three-point durations and costs, correlation, risk events.

All draws come from one ``numpy.random.Generator(PCG64(seed))`` in a fixed order per chunk
(durations by distribution, correlation scores, cost items, risk events), so a seed and an
iteration count give the same result every time.

* triangular: ``Generator.triangular(low, likely, high)``;
* PERT (beta): ``low + (high - low) * Beta(alpha, beta)`` with ``alpha = 1 + 4 (likely - low) /
  (high - low)`` and ``beta = 1 + 4 (high - likely) / (high - low)`` (mean ``(low + 4 likely +
  high) / 6``);
* uniform: ``Generator.uniform(low, high)``.

Correlation (Iman and Conover, 1982): the drawn columns of a group keep their values but are
reordered so that their ranks follow equicorrelated normal scores ``sqrt(r) Z0 + sqrt(1 - r) Zj``.
The normal correlation ``r = 2 sin(pi rho / 6)`` turns into the requested *rank* correlation
``rho`` (Pearson's identity for the bivariate normal); ``rho = 1`` gives identical ranks.
A task in several groups follows the first group that names it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

DISTRIBUTIONS = ("triangular", "pert", "uniform")


def draw_three_point(
    rng: np.random.Generator, n: int, low: np.ndarray, likely: np.ndarray, high: np.ndarray, dist: Sequence[str]
) -> np.ndarray:
    """(n x k) floats; column j drawn from ``dist[j]`` over ``low[j], likely[j], high[j]``."""
    k = len(dist)
    out = np.empty((n, k), dtype=np.float64)
    kinds = np.array(dist, dtype=object)
    degenerate = high <= low
    for kind in DISTRIBUTIONS:
        cols = np.flatnonzero((kinds == kind) & ~degenerate) if k else np.array([], dtype=np.int64)
        if not len(cols):
            continue
        a, m, b = low[cols], likely[cols], high[cols]
        if kind == "triangular":
            out[:, cols] = rng.triangular(a, m, b, size=(n, len(cols)))
        elif kind == "uniform":
            out[:, cols] = rng.uniform(a, b, size=(n, len(cols)))
        else:
            alpha = 1 + 4 * (m - a) / (b - a)
            beta = 1 + 4 * (b - m) / (b - a)
            out[:, cols] = a + (b - a) * rng.beta(alpha, beta, size=(n, len(cols)))
    cols = np.flatnonzero(degenerate)
    if len(cols):
        out[:, cols] = likely[cols]
    return out


def correlate(rng: np.random.Generator, values: np.ndarray, groups: Sequence[tuple[Sequence[int], float]]) -> None:
    """Reorder columns of ``values`` in place so each group has the requested rank correlation."""
    n = values.shape[0]
    taken: set[int] = set()
    for columns, rho in groups:
        cols = [c for c in columns if c not in taken]
        taken.update(cols)
        if len(cols) < 2 or rho <= 0:
            continue
        r = min(1.0, 2 * math.sin(math.pi * rho / 6))
        common = rng.standard_normal(n)
        own = rng.standard_normal((n, len(cols)))
        scores = math.sqrt(r) * common[:, None] + math.sqrt(1 - r) * own
        ranks = np.argsort(np.argsort(scores, axis=0, kind="stable"), axis=0, kind="stable")
        for j, col in enumerate(cols):
            ordered = np.sort(values[:, col], kind="stable")
            values[:, col] = ordered[ranks[:, j]]
