"""Recompute the summary tables from source rows (never by adding deltas), so a recompute that
runs twice, late or after a crash gives the same rows as a clean full recompute.

`<level>_rollup_recompute` is what the tasks call: it clears the enqueue mark, takes the roll-up
row's lock, returns "current" when the row already reflects the source's input version, otherwise
computes every figure (`*_figures`), writes the row with that version and marks the level above
changed (core.changes), which enqueues its recompute after commit.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core import changes
from portfolio.models import Portfolio, Program
from projects.models import Project

from ..models import PortfolioRollup, ProgramRollup, ProjectRollup
from . import enqueue

CURRENT = "current"
RECOMPUTED = "recomputed"
GONE = "gone"


def today() -> dt.date:
    return timezone.localdate()


def project_figures(project: Project, *, as_of: dt.date) -> dict:
    """Every field of ProjectRollup for `project` as of `as_of`, from source rows."""
    raise NotImplementedError("filled in by the roll-up computation")


def program_figures(program: Program, *, as_of: dt.date) -> dict:
    """Every field of ProgramRollup for `program`, from its projects' roll-ups and its own rows."""
    raise NotImplementedError("filled in by the roll-up computation")


def portfolio_figures(portfolio: Portfolio, *, as_of: dt.date) -> dict:
    """Every field of PortfolioRollup for `portfolio`, from its programs' roll-ups."""
    raise NotImplementedError("filled in by the roll-up computation")


def _recompute(kind, model, field, source_model, pk, figures, above, *, as_of=None, force=False) -> str:
    enqueue.release(kind, pk)
    as_of = as_of or today()
    with transaction.atomic():
        source = source_model.objects.filter(pk=pk).first()
        if source is None:
            return GONE
        rollup, _ = model.objects.get_or_create(**{field: pk})
        rollup = model.objects.select_for_update().get(pk=rollup.pk)
        version = changes.current_versions(kind, [pk])[pk]
        if not force and rollup.input_version == version and rollup.as_of == as_of:
            return CURRENT
        values = figures(source, as_of=as_of)
        for name, value in values.items():
            setattr(rollup, name, value)
        rollup.input_version = version
        rollup.as_of = as_of
        rollup.computed_at = timezone.now()
        rollup.save()
        above(source)
    return RECOMPUTED


def project_rollup_recompute(*, project_id: int, as_of: dt.date | None = None, force: bool = False) -> str:
    return _recompute(
        "project",
        ProjectRollup,
        "project_id",
        Project,
        project_id,
        project_figures,
        lambda project: changes.inputs_changed(programs=[project.program_id]),
        as_of=as_of,
        force=force,
    )


def program_rollup_recompute(*, program_id: int, as_of: dt.date | None = None, force: bool = False) -> str:
    return _recompute(
        "program",
        ProgramRollup,
        "program_id",
        Program,
        program_id,
        program_figures,
        lambda program: changes.inputs_changed(portfolios=[program.portfolio_id]),
        as_of=as_of,
        force=force,
    )


def portfolio_rollup_recompute(*, portfolio_id: int, as_of: dt.date | None = None, force: bool = False) -> str:
    return _recompute(
        "portfolio",
        PortfolioRollup,
        "portfolio_id",
        Portfolio,
        portfolio_id,
        portfolio_figures,
        lambda portfolio: None,
        as_of=as_of,
        force=force,
    )
