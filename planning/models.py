"""Portfolio planning: scenarios over the live portfolio, scoring criteria, optimisation runs.

A **scenario** is a copy-on-write overlay of one portfolio: it stores only where it differs from
the live data (a project included or left out, a start moved, a budget or a staffing demand
changed). Everything else is read live (planning.selectors.scenario), so a scenario never goes
stale against edits it does not touch. Nothing live changes until the scenario is committed
(planning.services.commit), through the domains' own services, in one transaction.

Live inclusion: a project is IN the live portfolio when it is active; proposed and on-hold
projects are candidates that are out until a scenario includes them. Closed projects
(completed, cancelled, closed phase) are not part of planning at all.

Scoring: each portfolio has criteria (strategic alignment, financial value, benefits, risk
exposure, cost, urgency or custom), weighted directly (`weight`) or by pairwise judgements
(AHP: when a portfolio has any judgement, the judgements decide the weights).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core import bounds
from core.models import VersionedModel
from core.money import MoneyField

from .querysets import (
    CriterionPartQuerySet,
    PairwiseJudgementQuerySet,
    ScenarioPartQuerySet,
    ScenarioQuerySet,
    ScoringCriterionQuerySet,
)

HORIZON_MONTHS_MAX = 60
DELAY_MONTHS_MAX = 60
FTE_MAX = Decimal("1000")  # people in one role on one project in one month
FISCAL_YEAR_MIN, FISCAL_YEAR_MAX = 1900, 2200
# Saaty's scale: 1 (equal) to 9 (extreme), and the reciprocals 1/9 … 1/2.
SAATY_MIN, SAATY_MAX = Decimal("0.1111"), Decimal("9")
CRITERION_VALUE_MAX = Decimal("999999999999.9999")


class Scenario(VersionedModel):
    """A named what-if of one portfolio over a planning horizon of `horizon_months` calendar
    months from `horizon_start` (the first day of a month). Editable while draft; committed and
    archived scenarios are read-only. `based_on` is the scenario it was copied from."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMMITTED = "committed", "Committed"
        ARCHIVED = "archived", "Archived"

    portfolio = models.ForeignKey("portfolio.Portfolio", on_delete=models.CASCADE, related_name="scenarios")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    horizon_start = bounds.BoundedDateField(help_text="The first day of the first planned month.")
    horizon_months = models.PositiveSmallIntegerField(
        default=36, validators=[MinValueValidator(1), MaxValueValidator(HORIZON_MONTHS_MAX)]
    )
    # How many months the optimiser may move a start later when a row does not say (0: fixed).
    delay_max_months = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(0), MaxValueValidator(DELAY_MONTHS_MAX)]
    )
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    committed_at = models.DateTimeField(null=True, blank=True, editable=False)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["portfolio", "-created_at", "-pk"]
        constraints = [
            *bounds.checks(dates=("horizon_start",)),
            models.UniqueConstraint(fields=["portfolio", "name"], name="%(app_label)s_%(class)s_name_unique"),
            models.CheckConstraint(
                condition=Q(horizon_months__gte=1) & Q(horizon_months__lte=HORIZON_MONTHS_MAX),
                name="%(app_label)s_%(class)s_horizon_months_range",
            ),
            models.CheckConstraint(
                condition=Q(delay_max_months__lte=DELAY_MONTHS_MAX),
                name="%(app_label)s_%(class)s_delay_max_months_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "committed", "archived"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="committed", committed_at__isnull=False) | ~Q(status="committed"),
                name="%(app_label)s_%(class)s_committed_has_time",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="%(app_label)s_%(class)s_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class ScenarioProject(VersionedModel):
    """Where a scenario differs from live for one project (a row exists only then).

    `included` None: as live (active projects in, proposed / on hold out). `start` None: the
    live planned start; otherwise the project's schedule moves with it. `mandatory`: the
    optimiser must include it. `exclusive_group`: at most one project of a group is included.
    `requires`: projects that must be included for this one to be. `delay_max_months` None:
    the scenario's default window for the optimiser to move the start later."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="project_rows")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="scenario_rows")
    included = models.BooleanField(null=True, blank=True)
    start = bounds.BoundedDateField(null=True, blank=True)
    mandatory = models.BooleanField(default=False)
    exclusive_group = models.CharField(max_length=60, blank=True)
    requires = models.ManyToManyField("projects.Project", blank=True, related_name="+")
    delay_max_months = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(DELAY_MONTHS_MAX)]
    )
    notes = models.CharField(max_length=300, blank=True)

    objects = ScenarioPartQuerySet.as_manager()

    class Meta:
        ordering = ["scenario", "project"]
        constraints = [
            *bounds.checks(dates=("start",)),
            models.UniqueConstraint(fields=["scenario", "project"], name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(
                condition=Q(delay_max_months__isnull=True) | Q(delay_max_months__lte=DELAY_MONTHS_MAX),
                name="%(app_label)s_%(class)s_delay_max_months_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} · {self.project_id}"


class ScenarioBudget(VersionedModel):
    """In this scenario, `project`'s budget in fiscal `period` is `amount` (in the portfolio's
    base currency), replacing the sum of its live current budget lines in that period."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="budgets")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey("budgets.FiscalPeriod", on_delete=models.PROTECT, related_name="+")
    amount = MoneyField()

    objects = ScenarioPartQuerySet.as_manager()

    class Meta:
        ordering = ["scenario", "project", "period"]
        constraints = [
            *bounds.checks(money=("amount",)),
            models.UniqueConstraint(fields=["scenario", "project", "period"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} · {self.project_id} · {self.period_id}: {self.amount}"


class ScenarioDemand(VersionedModel):
    """In this scenario, `project` needs `fte` full-time people (40-hour weeks) in staffing
    `role` during `month` (its first day), replacing the live requested demand there."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="demands")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    role = models.ForeignKey("staffing.Role", on_delete=models.CASCADE, related_name="+")
    month = bounds.BoundedDateField()
    fte = models.DecimalField(
        "FTE", max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal(0)), MaxValueValidator(FTE_MAX)]
    )

    objects = ScenarioPartQuerySet.as_manager()

    class Meta:
        ordering = ["scenario", "project", "role", "month"]
        constraints = [
            *bounds.checks(dates=("month",)),
            models.UniqueConstraint(
                fields=["scenario", "project", "role", "month"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                condition=Q(fte__gte=0) & Q(fte__lte=FTE_MAX), name="%(app_label)s_%(class)s_fte_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} · {self.project_id} · {self.role_id} · {self.month:%Y-%m}: {self.fte}"


class BudgetCap(VersionedModel):
    """The most the scenario's included projects may cost in one fiscal year (base currency)."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="budget_caps")
    fiscal_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(FISCAL_YEAR_MIN), MaxValueValidator(FISCAL_YEAR_MAX)]
    )
    amount = MoneyField()

    objects = ScenarioPartQuerySet.as_manager()

    class Meta:
        ordering = ["scenario", "fiscal_year"]
        constraints = [
            *bounds.checks(money=("amount",)),
            models.UniqueConstraint(fields=["scenario", "fiscal_year"], name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=FISCAL_YEAR_MIN) & Q(fiscal_year__lte=FISCAL_YEAR_MAX),
                name="%(app_label)s_%(class)s_fiscal_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} FY{self.fiscal_year}: {self.amount}"


class ScoringCriterion(VersionedModel):
    """One criterion projects are scored on in a portfolio. Values come from the domains for the
    built-in kinds (planning.selectors.scores) and from CriterionValue rows for `custom` ones
    (and for any project where a value is entered: an entered value wins). `weight` is the
    direct weight in percent, used while the portfolio has no pairwise judgement."""

    class Kind(models.TextChoices):
        OBJECTIVE_ALIGNMENT = "objective_alignment", "Strategic objective alignment"
        FINANCIAL_VALUE = "financial_value", "Financial value"
        BENEFITS = "benefits", "Benefits"
        RISK_EXPOSURE = "risk_exposure", "Risk exposure"
        COST = "cost", "Cost"
        URGENCY = "urgency", "Urgency"
        CUSTOM = "custom", "Custom"

    class Direction(models.TextChoices):
        HIGHER_BETTER = "higher", "Higher is better"
        LOWER_BETTER = "lower", "Lower is better"

    portfolio = models.ForeignKey("portfolio.Portfolio", on_delete=models.CASCADE, related_name="scoring_criteria")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CUSTOM)
    direction = models.CharField(max_length=6, choices=Direction.choices, default=Direction.HIGHER_BETTER)
    weight = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"), validators=bounds.percent_validators()
    )
    description = models.TextField(blank=True)

    objects = ScoringCriterionQuerySet.as_manager()

    class Meta:
        ordering = ["portfolio", "name"]
        verbose_name_plural = "scoring criteria"
        constraints = [
            *bounds.checks(percents=("weight",)),
            models.UniqueConstraint(fields=["portfolio", "name"], name="%(app_label)s_%(class)s_name_unique"),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "objective_alignment",
                        "financial_value",
                        "benefits",
                        "risk_exposure",
                        "cost",
                        "urgency",
                        "custom",
                    ]
                ),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=["higher", "lower"]), name="%(app_label)s_%(class)s_direction_valid"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="%(app_label)s_%(class)s_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class PairwiseJudgement(VersionedModel):
    """How much more important `criterion_a` is than `criterion_b` on Saaty's scale (9: extremely
    more, 1: equal, 1/9: extremely less). Stored once per pair, with criterion_a the lower id."""

    criterion_a = models.ForeignKey(ScoringCriterion, on_delete=models.CASCADE, related_name="judgements_as_a")
    criterion_b = models.ForeignKey(ScoringCriterion, on_delete=models.CASCADE, related_name="judgements_as_b")
    value = models.DecimalField(
        max_digits=6, decimal_places=4, validators=[MinValueValidator(SAATY_MIN), MaxValueValidator(SAATY_MAX)]
    )

    objects = PairwiseJudgementQuerySet.as_manager()

    class Meta:
        ordering = ["criterion_a", "criterion_b"]
        constraints = [
            models.UniqueConstraint(fields=["criterion_a", "criterion_b"], name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(
                condition=Q(criterion_a__lt=F("criterion_b")), name="%(app_label)s_%(class)s_pair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=SAATY_MIN) & Q(value__lte=SAATY_MAX), name="%(app_label)s_%(class)s_value_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_a_id} vs {self.criterion_b_id}: {self.value}"


class CriterionValue(VersionedModel):
    """A project's entered value on one criterion (the only source for custom criteria; for
    built-in kinds it overrides the value read from the domains)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="criterion_values")
    criterion = models.ForeignKey(ScoringCriterion, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(
        max_digits=16,
        decimal_places=4,
        validators=[MinValueValidator(-CRITERION_VALUE_MAX), MaxValueValidator(CRITERION_VALUE_MAX)],
    )

    objects = CriterionPartQuerySet.as_manager()

    class Meta:
        ordering = ["criterion", "project"]
        constraints = [
            models.UniqueConstraint(fields=["project", "criterion"], name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(
                condition=Q(value__gte=-CRITERION_VALUE_MAX) & Q(value__lte=CRITERION_VALUE_MAX),
                name="%(app_label)s_%(class)s_value_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id} · {self.project_id}: {self.value}"


class OptimisationRun(models.Model):
    """One run of the optimiser on a scenario: the parameters it ran with and the plan it found
    (planning.optimiser's Plan as JSON, see planning.services.optimise.plan_json). Runs in
    process for small portfolios, on Celery above PLANNING_INPROCESS_CANDIDATES candidates."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(default=dict, blank=True)
    plan = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    task_run = models.ForeignKey("core.TaskRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = ScenarioPartQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "succeeded", "failed"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scenario} run {self.pk} {self.status}"
