"""Quantitative risk analysis runs (Monte Carlo): request, execute, store (CONTRACT — being built).

Signatures the pages, API and tasks call; the mc-app branch fills them in.
"""

from __future__ import annotations

import datetime as dt

from risks.models import AnalysisRun


def analysis_run_request(
    *,
    user,
    project=None,
    program=None,
    iterations: int = 5000,
    seed: int | None = None,
    basis: str = AnalysisRun.Basis.RESIDUAL,
    target_date: dt.date | None = None,
    trigger: str = AnalysisRun.Trigger.MANUAL,
) -> AnalysisRun:
    """Record a queued run for exactly one of project/program and start it on Celery after commit
    (in-process in the embedded default). Raises ValidationError naming the field on bad input."""
    raise NotImplementedError


def analysis_run_execute(*, run: AnalysisRun, progress=None) -> AnalysisRun:
    """Build the engine input from the database, simulate, store results and headline columns."""
    raise NotImplementedError
