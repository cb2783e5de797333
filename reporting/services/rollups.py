"""Recompute the summary tables from source rows (never by adding deltas), so a recompute that
runs twice, late or after a crash gives the same rows as a clean full recompute.

`<level>_rollup_recompute` is what the tasks call: it clears the enqueue mark, takes the roll-up
row's lock, returns "current" when the row already reflects the source's input version, otherwise
computes every figure (`*_figures`), writes the row with that version and marks the level above
changed (core.changes), which enqueues its recompute after commit.
"""

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone

from core import changes, events
from portfolio.models import Portfolio, Program
from projects.models import Project

from ..models import PortfolioRollup, ProgramRollup, ProjectRollup
from . import enqueue
from .figures import portfolio_figures, program_figures, project_figures

CURRENT = "current"
RECOMPUTED = "recomputed"
GONE = "gone"


def today() -> dt.date:
    return timezone.localdate()


def _recompute(kind, model, field, source_model, pk, figures, above, *, as_of=None, force=False, propagate=True) -> str:
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
        health_before = getattr(rollup, "health_overall", None) if rollup.computed_at else None
        values = figures(source, as_of=as_of)
        for name, value in values.items():
            setattr(rollup, name, value)
        rollup.input_version = version
        rollup.as_of = as_of
        rollup.computed_at = timezone.now()
        rollup.save()
        health_after = getattr(rollup, "health_overall", None)
        if health_before and health_after and health_before != health_after:
            _emit_health_changed(kind, source, health_before, health_after, rollup)
        if propagate:
            above(source)
    return RECOMPUTED


def _emit_health_changed(kind: str, source, before: str, after: str, rollup) -> None:
    """Announce a computed health that moved (green → amber, red → green …); the first
    computation of a new row is not a change."""
    if kind == "project":
        program_id = source.program_id
        portfolio_id = Program.objects.values_list("portfolio_id", flat=True).get(pk=program_id)
        subject = {"id": source.pk, "code": source.code, "name": source.name}
    elif kind == "program":
        program_id, portfolio_id = source.pk, source.portfolio_id
        subject = {"id": source.pk, "code": source.code, "name": source.name}
    else:
        program_id, portfolio_id = None, source.pk
        subject = {"id": source.pk, "code": source.code, "name": source.name}
    events.emit(
        events.HEALTH_CHANGED,
        portfolio_id=portfolio_id,
        program_id=program_id,
        payload={
            "level": kind,
            kind: subject,
            "health": {"before": before, "after": after},
            "reasons": getattr(rollup, "health_reasons", {}) or {},
        },
    )


def project_rollup_recompute(
    *, project_id: int, as_of: dt.date | None = None, force: bool = False, propagate: bool = True
) -> str:
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
        propagate=propagate,
    )


def program_rollup_recompute(
    *, program_id: int, as_of: dt.date | None = None, force: bool = False, propagate: bool = True
) -> str:
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
        propagate=propagate,
    )


def portfolio_rollup_recompute(
    *, portfolio_id: int, as_of: dt.date | None = None, force: bool = False, propagate: bool = True
) -> str:
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
        propagate=propagate,
    )


def recompute_all(
    *,
    as_of: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
    project_ids: Iterable[int] | None = None,
) -> dict:
    """Recompute every project roll-up, then every program's, then every portfolio's, each forced
    (so the rows equal a clean recompute whatever their versions said), as of `as_of` (default
    today). With `project_ids`, only those projects, then the programs and portfolios above them.
    `progress(done, total)` is called after each row. No level marks the one above changed
    (propagate=False): this function recomputes every level above itself, in order, and a
    trailing notification would only recompute programs and portfolios again as of today.
    Returns counts: {"projects": n, "programs": n, "portfolios": n, "gone": n}."""
    as_of = as_of or today()
    projects = Project.objects.order_by("pk")
    if project_ids is not None:
        projects = projects.filter(pk__in=list(project_ids))
    project_pks = list(projects.values_list("pk", flat=True))
    if project_ids is None:
        program_pks = list(Program.objects.order_by("pk").values_list("pk", flat=True))
        portfolio_pks = list(Portfolio.objects.order_by("pk").values_list("pk", flat=True))
    else:
        program_pks = sorted(set(projects.values_list("program_id", flat=True)))
        portfolio_pks = sorted(set(Program.objects.filter(pk__in=program_pks).values_list("portfolio_id", flat=True)))
    total = len(project_pks) + len(program_pks) + len(portfolio_pks)
    counts = {"projects": 0, "programs": 0, "portfolios": 0, "gone": 0}
    done = 0
    for name, pks, recompute, key in (
        ("projects", project_pks, project_rollup_recompute, "project_id"),
        ("programs", program_pks, program_rollup_recompute, "program_id"),
        ("portfolios", portfolio_pks, portfolio_rollup_recompute, "portfolio_id"),
    ):
        for pk in pks:
            result = recompute(**{key: pk}, as_of=as_of, force=True, propagate=False)
            counts["gone" if result == GONE else name] += 1
            done += 1
            if progress is not None:
                progress(done, total)
    return counts
