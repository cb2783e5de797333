"""How uncertain a schedule is, for the quantitative risk analysis (risks.analysis).

A task's duration is a three-point estimate: optimistic and pessimistic minutes on the task
itself (`Task.optimistic_minutes` / `pessimistic_minutes`, the most likely being its planned
duration) with a distribution, or a percentage range applied to a WBS branch or to all of a
project's tasks (`DurationRange`). Tasks whose durations move together (one crew, one supplier)
share a `CorrelationGroup`. A task with its own estimate ignores the ranges; among ranges, the
one on the deepest branch containing the task applies, and a range without a branch applies to
every task no other range covers.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core import bounds
from core.models import VersionedModel


class Distribution(models.TextChoices):
    TRIANGULAR = "triangular", "Triangular"
    PERT = "pert", "PERT (beta)"
    UNIFORM = "uniform", "Uniform"


DISTRIBUTION_VALUES = [value for value, _ in Distribution.choices]


class DurationRange(VersionedModel):
    """Every task under `branch` (a summary task; all tasks when empty) may take `low_percent`
    less to `high_percent` more than planned, around the plan as most likely."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="duration_ranges")
    branch = models.ForeignKey(
        "projects.Task", null=True, blank=True, on_delete=models.CASCADE, related_name="duration_ranges"
    )
    low_percent = models.DecimalField(max_digits=5, decimal_places=2, validators=bounds.percent_validators())
    high_percent = models.DecimalField(max_digits=5, decimal_places=2, validators=bounds.percent_validators())
    distribution = models.CharField(max_length=12, choices=Distribution.choices, default=Distribution.TRIANGULAR)

    class Meta:
        ordering = ["project", "branch__sort_order", "pk"]
        constraints = [
            *bounds.checks(percents=("low_percent", "high_percent")),
            models.CheckConstraint(
                condition=Q(distribution__in=DISTRIBUTION_VALUES), name="%(app_label)s_%(class)s_distribution_valid"
            ),
            models.UniqueConstraint(fields=["project", "branch"], name="%(app_label)s_%(class)s_one_per_branch"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(branch__isnull=True), name="%(app_label)s_%(class)s_one_for_all_tasks"
            ),
        ]

    def __str__(self) -> str:
        return f"-{self.low_percent}% / +{self.high_percent}%"


class CorrelationGroup(VersionedModel):
    """Tasks whose durations move together, with a rank correlation `coefficient` in [0, 1]."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="correlation_groups")
    name = models.CharField(max_length=100)
    coefficient = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    tasks = models.ManyToManyField("projects.Task", related_name="correlation_groups", blank=True)

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(coefficient__gte=0, coefficient__lte=1), name="%(app_label)s_%(class)s_coefficient_in_range"
            ),
            models.UniqueConstraint(fields=["project", "name"], name="%(app_label)s_%(class)s_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (ρ {self.coefficient})"
