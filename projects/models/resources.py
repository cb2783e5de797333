"""A schedule's resources and assignments, as the schedule file gives them.

Microsoft Project and Primavera P6 files name the people, roles, materials and cost items a
task uses (resources) and how much of each a task uses (assignments: units, work, cost). Keel
keeps them per project, keyed by the file's UID (`external_ref`), so an import of a revised file
updates them and an export writes them back.

What a resource *is* in Keel's resource pool (a staffing.Person, or a staffing.Role) is not
stored here: `projects` sits below `staffing`, so the match lives in staffing
(staffing.ResourceMatch, one per ScheduleResource) and the import preview asks staffing for it
through projects.services.resource_matching.

Units: `max_units` and `units` are fractions as in the file (1 = 100 %, one full-time
resource; 0.5 = half time; 3 = three people); work is in minutes; money in the project's
currency units; `standard_rate` per hour.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core import bounds
from core.models import TimeStampedModel
from core.money import MoneyField

# Units a file may give a resource or an assignment: 0 to 1,000 (100,000 %; MS Project allows
# up to 60,000,000 % in theory, no real plan comes near a thousand full-time people).
UNITS_MAX = Decimal(1000)


def _units(**kwargs) -> models.DecimalField:
    return models.DecimalField(
        max_digits=9,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(UNITS_MAX)],
        **kwargs,
    )


def _units_check(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0, f"{field}__lte": UNITS_MAX}),
        name=f"%(app_label)s_%(class)s_{field}_in_range",
    )


class ScheduleResource(TimeStampedModel):
    """A resource of a project's schedule file: a work resource (a person or a role), a
    material, or a cost item. `calendar` is its working time (MS Project lays effort-driven
    work out in it); none means the project's calendar."""

    class Type(models.TextChoices):
        WORK = "work", "Work"
        MATERIAL = "material", "Material"
        COST = "cost", "Cost"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="schedule_resources")
    external_ref = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    email = models.EmailField(blank=True)
    type = models.CharField(max_length=8, choices=Type.choices, default=Type.WORK)
    calendar = models.ForeignKey(
        "projects.Calendar", null=True, blank=True, on_delete=models.SET_NULL, related_name="schedule_resources"
    )
    max_units = _units(default=Decimal(1))
    standard_rate = MoneyField(null=True, blank=True, help_text="Per hour, in the project's currency.")

    class Meta:
        ordering = ["project", "name", "pk"]
        constraints = [
            *bounds.checks(money=("standard_rate",)),
            _units_check("max_units"),
            models.UniqueConstraint(fields=["project", "external_ref"], name="%(app_label)s_%(class)s_ref_unique"),
            models.CheckConstraint(
                condition=Q(type__in=["work", "material", "cost"]), name="%(app_label)s_%(class)s_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScheduleAssignment(TimeStampedModel):
    """A resource assigned to a task: at `units` (1 = 100 %), for `work_minutes` of work of
    which `actual_work_minutes` are done and `remaining_work_minutes` remain, costing `cost`
    (of which `actual_cost` is spent)."""

    task = models.ForeignKey("projects.Task", on_delete=models.CASCADE, related_name="assignments")
    resource = models.ForeignKey(ScheduleResource, on_delete=models.CASCADE, related_name="assignments")
    external_ref = models.CharField(max_length=64, blank=True)
    units = _units(default=Decimal(1))
    work_minutes = models.IntegerField(default=0, validators=bounds.minutes_validators())
    actual_work_minutes = models.IntegerField(default=0, validators=bounds.minutes_validators())
    remaining_work_minutes = models.IntegerField(default=0, validators=bounds.minutes_validators())
    cost = MoneyField(default=Decimal(0))
    actual_cost = MoneyField(default=Decimal(0))

    class Meta:
        ordering = ["task", "resource", "pk"]
        constraints = [
            *bounds.checks(
                money=("cost", "actual_cost"),
                minutes=("work_minutes", "actual_work_minutes", "remaining_work_minutes"),
            ),
            _units_check("units"),
            models.UniqueConstraint(fields=["task", "resource"], name="%(app_label)s_%(class)s_one_per_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} on {self.task}"
