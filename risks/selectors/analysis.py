"""Reads of quantitative risk analysis runs (risks.models.AnalysisRun).

Access: a project's runs are seen by whoever sees the project; a program's runs (figures over
all its projects) by those who oversee the program (Program.objects.overseen_by, as for the
exposure); running one needs the right to edit the project or program (`can_run_analysis`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from portfolio.models import Program
from projects.models import Project

from ..models import AnalysisRun

TREND_RUNS = 20
# What `analysis_compare` sets side by side: (results path, label, kind).
HEADLINES = (
    (("finish", "p50"), "P50 finish", "date"),
    (("finish", "p80"), "P80 finish", "date"),
    (("finish", "deterministic"), "Deterministic finish", "date"),
    (("finish", "deterministic_percentile"), "Chance of the deterministic finish", "share"),
    (("cost", "p50"), "P50 cost", "money"),
    (("cost", "p80"), "P80 cost", "money"),
    (("cost", "deterministic"), "Deterministic cost", "money"),
    (("contingency", "needed"), "Contingency needed for P80", "money"),
    (("contingency", "shortfall"), "Shortfall against the reserves", "money"),
    (("schedule_margin_days",), "Schedule margin (working days)", "number"),
)


def can_run_analysis(user, obj) -> bool:
    """May `user` start an analysis of `obj` (a Project or Program)? The right to edit it."""
    if user is None or not user.is_authenticated:
        return False
    model = Project if isinstance(obj, Project) else Program
    return model.objects.editable_by(user).filter(pk=obj.pk).exists()


def analysis_runs_visible_to(user):
    """Every run `user` may read (see the module docstring)."""
    return AnalysisRun.objects.filter(
        Q(project__in=Project.objects.visible_to(user).values("pk"))
        | Q(program__in=Program.objects.overseen_by(user).values("pk"))
    )


def analysis_runs_for(user, project=None, program=None):
    """The runs of `project` or `program` (or every one `user` may read when neither is given),
    newest first, with what a list shows loaded (one query)."""
    runs = analysis_runs_visible_to(user).select_related("project", "program", "requested_by", "task_run")
    if project is not None:
        runs = runs.filter(project=project)
    if program is not None:
        runs = runs.filter(program=program)
    return runs.order_by("-requested_at", "-id")


def _scoped(project=None, program=None):
    if (project is None) == (program is None):
        raise TypeError("Pass either a project or a program.")
    return (
        AnalysisRun.objects.filter(project=project)
        if project is not None
        else AnalysisRun.objects.filter(program=program)
    )


def latest_analysis(*, project=None, program=None) -> AnalysisRun | None:
    """The newest succeeded run of `project` or `program` (the caller checked access)."""
    return _scoped(project, program).filter(status=AnalysisRun.Status.SUCCEEDED).order_by("-finished_at", "-id").first()


@dataclass(frozen=True)
class TrendPoint:
    run_id: int
    at: object  # the run's finish time (aware datetime)
    p50_finish: object
    p80_finish: object
    p50_cost: Decimal | None
    p80_cost: Decimal | None
    trigger: str


def analysis_trend(*, project=None, program=None, runs: int = TREND_RUNS) -> list[TrendPoint]:
    """P50/P80 finish and cost of the last `runs` succeeded runs, oldest first (one query)."""
    rows = (
        _scoped(project, program)
        .filter(status=AnalysisRun.Status.SUCCEEDED)
        .order_by("-finished_at", "-id")
        .values_list("pk", "finished_at", "p50_finish", "p80_finish", "p50_cost", "p80_cost", "trigger")[:runs]
    )
    return [TrendPoint(*row) for row in reversed(list(rows))]


@dataclass(frozen=True)
class Difference:
    label: str
    kind: str  # "date" | "money" | "share" | "number" | "input"
    a: object
    b: object
    change: object  # days, money or points of difference (None when not comparable)


def _dig(data: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _change(kind: str, a, b):
    import datetime as dt

    if a is None or b is None:
        return None
    if kind == "date":
        return round((dt.datetime.fromisoformat(b) - dt.datetime.fromisoformat(a)).total_seconds() / 86400, 2)
    if kind == "money":
        return Decimal(b) - Decimal(a)
    return round(float(b) - float(a), 4)


def analysis_compare(run_a: AnalysisRun, run_b: AnalysisRun) -> list[Difference]:
    """The headline figures of two runs side by side (b - a: calendar days for dates), then the
    inputs that differ: settings (iterations, seed, basis, engine), and the three-point
    durations, cost ranges and risk events added, removed or changed (no queries)."""
    out = [
        Difference(label, kind, _dig(run_a.results, path), _dig(run_b.results, path), None)
        for path, label, kind in HEADLINES
    ]
    out = [Difference(d.label, d.kind, d.a, d.b, _change(d.kind, d.a, d.b)) for d in out]
    for name in ("iterations", "seed", "basis", "engine_version", "target_date"):
        a, b = getattr(run_a, name), getattr(run_b, name)
        if a != b:
            out.append(Difference(name.replace("_", " ").capitalize(), "input", a, b, None))
    for key, label in (("durations", "Duration estimate"), ("costs", "Cost range"), ("risks", "Risk event")):
        a_items, b_items = _keyed(run_a.inputs.get(key)), _keyed(run_b.inputs.get(key))
        for item in sorted(set(a_items) | set(b_items)):
            if a_items.get(item) != b_items.get(item):
                out.append(Difference(f"{label} {item}", "input", a_items.get(item), b_items.get(item), None))
    return out


def _keyed(items) -> dict[str, object]:
    if isinstance(items, dict):  # durations: {task id: three-point}
        return {f"task {k}": v for k, v in items.items()}
    return {str(item.get("key")): item for item in items or () if isinstance(item, dict)}
