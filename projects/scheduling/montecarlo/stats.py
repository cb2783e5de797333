"""Rank statistics for the tornado: average ranks, Spearman correlation, decile means."""

from __future__ import annotations

import numpy as np

DRIVERS_TOP = 20
_BLOCK = 128  # columns ranked at once (bounds memory on wide inputs)


def average_ranks(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranks 1..n of each column of ``x`` (n x k), ties sharing their average rank; and the
    stable sort order of each column."""
    n = x.shape[0]
    order = np.argsort(x, axis=0, kind="stable")
    xs = np.take_along_axis(x, order, axis=0)
    pos = np.arange(n)[:, None]
    new = np.ones(xs.shape, dtype=bool)
    new[1:] = xs[1:] != xs[:-1]
    start = np.maximum.accumulate(np.where(new, pos, 0), axis=0)
    last = np.ones(xs.shape, dtype=bool)
    last[:-1] = new[1:]
    end = np.minimum.accumulate(np.where(last, pos, n - 1)[::-1], axis=0)[::-1]
    ranks = np.empty(xs.shape, dtype=np.float64)
    np.put_along_axis(ranks, order, (start + end) / 2 + 1, axis=0)
    return ranks, order


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman rank correlation of two 1-d samples (0 when either is constant)."""
    corr, _low, _high = rank_drivers(x[:, None], y)
    return float(corr[0])


def rank_drivers(inputs: np.ndarray, output: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column of ``inputs`` (n x k): Spearman correlation with ``output`` and the mean output
    over the iterations where the input is in its lowest and in its highest decile (by sort
    order, ties in iteration order)."""
    n, k = inputs.shape
    out_ranks, _ = average_ranks(output.reshape(-1, 1).astype(np.float64))
    ry = out_ranks[:, 0] - (n + 1) / 2
    sy = np.sqrt((ry * ry).sum())
    tail = max(1, n // 10)
    corr = np.zeros(k)
    low = np.zeros(k)
    high = np.zeros(k)
    for first in range(0, k, _BLOCK):
        block = inputs[:, first : first + _BLOCK]
        ranks, order = average_ranks(block)
        rx = ranks - (n + 1) / 2
        sx = np.sqrt((rx * rx).sum(axis=0))
        denom = sx * sy
        with np.errstate(invalid="ignore", divide="ignore"):
            c = (rx * ry[:, None]).sum(axis=0) / denom
        corr[first : first + block.shape[1]] = np.where(denom > 0, c, 0.0)
        low[first : first + block.shape[1]] = output[order[:tail]].mean(axis=0)
        high[first : first + block.shape[1]] = output[order[-tail:]].mean(axis=0)
    return corr, low, high
