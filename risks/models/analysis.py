"""Quantitative risk analysis runs: a Monte Carlo simulation of a project's (or a program's)
schedule and cost, driven by the three-point estimates (projects.models.uncertainty,
budgets.CostRange) and the risk register. A run stores what it was given (`inputs`), its seed,
iterations and engine version, so its result can be reproduced and two runs compared.

`results` (written by risks.services.analysis, read by the pages, reports and API) is JSON:
dates as ISO strings (aware), money as decimal strings, probabilities as floats in [0, 1]:

    {"finish": {"deterministic", "mean", "p10", "p50", "p80", "p90": iso,
                "baseline": iso | null, "p_baseline": float | null,      # P(finish <= baseline)
                "target": iso | null, "p_target": float | null,
                "deterministic_percentile": float,                        # "the plan has a 23% chance"
                "histogram": [{"start": iso, "end": iso, "count": int}],  # ~30 bins
                "cdf": [[iso, float], ...]},                              # ~50 points
     "cost":   {"deterministic", "mean", "p10", "p50", "p80", "p90": str,
                "budget": str | null, "p_budget": float | null, "deterministic_percentile": float,
                "histogram": [{"low": str, "high": str, "count": int}], "cdf": [[str, float], ...]},
     "criticality": [{"task_id": int, "name": str, "project": str, "index": float}],  # top 50, desc
     "finish_drivers": [{"key", "label", "kind", "correlation", "low", "high"}],      # low/high: iso
     "cost_drivers":   [{"key", "label", "kind", "correlation", "low", "high"}],      # low/high: str
     "contingency": {"p80_cost": str, "budget": str, "needed": str,          # P80 cost - budget (>= 0)
                     "contingency_remaining": str, "management_reserve_remaining": str,
                     "shortfall": str},                                      # needed - both remaining (>= 0)
     "schedule_margin_days": float}   # working days from the deterministic finish to the P80 finish
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core import bounds

ITERATIONS_DEFAULT = 5_000
ITERATIONS_MIN = 100
ITERATIONS_MAX = 100_000


class AnalysisRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Basis(models.TextChoices):
        RESIDUAL = "residual", "Residual (after mitigation)"
        INHERENT = "inherent", "Inherent (before mitigation)"

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Run by a person"
        NIGHTLY = "nightly", "Nightly"
        API = "api", "API"

    # Exactly one of project and program: what was simulated.
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="analysis_runs"
    )
    program = models.ForeignKey(
        "portfolio.Program", null=True, blank=True, on_delete=models.CASCADE, related_name="analysis_runs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.MANUAL)
    basis = models.CharField(max_length=10, choices=Basis.choices, default=Basis.RESIDUAL)
    iterations = models.PositiveIntegerField(default=ITERATIONS_DEFAULT)
    seed = models.PositiveBigIntegerField()
    engine_version = models.CharField(max_length=20, blank=True)
    target_date = bounds.BoundedDateField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_run = models.ForeignKey("core.TaskRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Everything the engine was given (durations, ranges, correlations, cost ranges, risk events,
    # calendars' ids, status date), as JSON, so the run can be repeated exactly.
    inputs = models.JSONField(default=dict, blank=True)
    # Percentiles, probabilities, histogram bins, criticality, tornado, contingency (JSON-safe:
    # dates as ISO strings, money as decimal strings).
    results = models.JSONField(default=dict, blank=True)
    # Headline figures as columns, for trends and roll-ups without reading the JSON.
    p50_finish = models.DateTimeField(null=True, blank=True)
    p80_finish = models.DateTimeField(null=True, blank=True)
    p50_cost = models.DecimalField(
        max_digits=19, decimal_places=2, null=True, blank=True, validators=bounds.money_validators()
    )
    p80_cost = models.DecimalField(
        max_digits=19, decimal_places=2, null=True, blank=True, validators=bounds.money_validators()
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(program__isnull=True))
                | (Q(project__isnull=True) & Q(program__isnull=False)),
                name="%(app_label)s_%(class)s_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(iterations__gte=ITERATIONS_MIN, iterations__lte=ITERATIONS_MAX),
                name="%(app_label)s_%(class)s_iterations_in_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "succeeded", "failed"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(basis__in=["residual", "inherent"]), name="%(app_label)s_%(class)s_basis_valid"
            ),
            models.CheckConstraint(
                condition=Q(trigger__in=["manual", "nightly", "api"]), name="%(app_label)s_%(class)s_trigger_valid"
            ),
            *bounds.checks(dates=("target_date",), money=("p50_cost", "p80_cost")),
        ]
        indexes = [
            models.Index(fields=["project", "-requested_at"], name="risks_analysis_project_idx"),
            models.Index(fields=["program", "-requested_at"], name="risks_analysis_program_idx"),
        ]

    def __str__(self) -> str:
        scope = (self.project_id and f"project {self.project_id}") or f"program {self.program_id}"
        return f"Analysis of {scope} ({self.status}, {self.iterations} iterations)"

    @property
    def scheduling_rules(self) -> str:
        """The scheduling dialect(s) the run simulated under, read from its stored inputs:
        "Microsoft Project", "Primavera P6", or both for a program whose unlinked projects differ
        ("" for a run not simulated yet, or stored before the options were recorded)."""
        inputs = self.inputs if isinstance(self.inputs, dict) else {}
        if not isinstance(inputs.get("options"), dict):
            return ""
        options = [part["options"] for part in inputs.get("parts") or [] if isinstance(part.get("options"), dict)]
        names = {"Primavera P6" if o.get("p6") else "Microsoft Project" for o in options or [inputs["options"]]}
        return " and ".join(sorted(names, reverse=True))
