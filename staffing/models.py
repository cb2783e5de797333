"""Staffing: each portfolio's resource pool of people, the job roles they fill, their cost rates and
absences, and the allocations and staffing requests that put them on projects.

Decisions (a resource manager's view, as in Planview or MS Project resource management):

- A portfolio owns one resource pool. A person belongs to exactly one pool and may only be
  allocated to projects of that portfolio; a job Role (not a membership role of
  portfolio/roles.py) is defined per portfolio, with a standard hourly rate in the portfolio's
  base currency as the fallback when a person has no cost rate.
- Working days are Monday to Friday for everyone (a documented simplification: no per-person
  calendars or public-holiday calendars; public holidays are recorded as absences).
- Weekly capacity is in hours (0 allowed: a pool member with no capacity, e.g. a contractor on
  call — any load on them is an over-allocation).
- An allocation books EITHER a percentage of the person's capacity (fte_percent) OR a fixed
  number of hours per week — exactly one. The load arithmetic lives in staffing.capacity.
- A staffing request's status is STORED and recomputed by the services that change the
  allocations filling it (allocation_create/update/delete, staffing_request_update), so lists
  can filter and count by status in SQL; `cancelled` is set only by staffing_request_cancel and
  never recomputed away.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core import bounds
from core.models import VersionedModel
from core.money import MoneyField
from portfolio.models import code_validator

from .querysets import (
    AbsenceQuerySet,
    AllocationQuerySet,
    CostRateQuerySet,
    PersonQuerySet,
    RoleQuerySet,
    StaffingRequestQuerySet,
)

HOURS_MAX_DIGITS = 6
HOURS_DECIMAL_PLACES = 2
HOURS_IN_A_WEEK = Decimal(168)
PERCENT_MAX = Decimal(100)


def _hours(*args, **kwargs) -> models.DecimalField:
    return models.DecimalField(*args, max_digits=HOURS_MAX_DIGITS, decimal_places=HOURS_DECIMAL_PLACES, **kwargs)


def _percent(*args, **kwargs) -> models.DecimalField:
    return models.DecimalField(*args, max_digits=5, decimal_places=2, **kwargs)


class Role(VersionedModel):
    """A job role in a portfolio's resource pool ("Business analyst"), with the standard hourly cost
    rate used for people who have no cost rate of their own (in the portfolio's base currency;
    null: no standard rate)."""

    portfolio = models.ForeignKey("portfolio.Portfolio", on_delete=models.CASCADE, related_name="staffing_roles")
    code = models.CharField(max_length=32, validators=[code_validator])
    name = models.CharField(max_length=200)
    standard_rate = MoneyField(
        null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))], help_text="Hourly, base currency."
    )
    is_active = models.BooleanField(default=True)

    objects = RoleQuerySet.as_manager()

    class Meta:
        ordering = ["portfolio", "name"]
        constraints = [
            *bounds.checks(money=("standard_rate",)),
            models.UniqueConstraint(fields=["portfolio", "code"], name="%(app_label)s_%(class)s_code_unique"),
            models.CheckConstraint(condition=~Q(code=""), name="%(app_label)s_%(class)s_code_not_empty"),
            models.CheckConstraint(
                condition=Q(standard_rate__isnull=True) | Q(standard_rate__gt=0),
                name="%(app_label)s_%(class)s_rate_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Person(VersionedModel):
    """A member of a portfolio's resource pool: someone whose time can be allocated to projects.
    `user` links the person to a login (optional: contractors may have none). Works Monday to
    Friday; `weekly_capacity_hours` is the hours available in a full working week (0: none)."""

    portfolio = models.ForeignKey("portfolio.Portfolio", on_delete=models.PROTECT, related_name="people")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    department = models.CharField(max_length=100, blank=True)
    roles = models.ManyToManyField(Role, blank=True, related_name="people")
    primary_role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.SET_NULL, related_name="primary_for")
    weekly_capacity_hours = _hours(
        default=Decimal(40), validators=[MinValueValidator(Decimal(0)), MaxValueValidator(HOURS_IN_A_WEEK)]
    )
    is_active = models.BooleanField(default=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "people"
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_capacity_hours__gte=0) & Q(weekly_capacity_hours__lte=HOURS_IN_A_WEEK),
                name="%(app_label)s_%(class)s_capacity_range",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="%(app_label)s_%(class)s_name_not_empty"),
        ]
        indexes = [models.Index(fields=["portfolio", "department"], name="staffing_person_pool_dept")]

    def __str__(self) -> str:
        return self.name


class CostRate(VersionedModel):
    """A person's hourly cost rate from `effective_from` until the next rate's day. The rate on a
    day is the one with the newest effective_from on or before it; before the first, the
    person's primary (or allocated) role's standard rate applies."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cost_rates")
    effective_from = bounds.BoundedDateField()
    hourly_rate = MoneyField(validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.ForeignKey("budgets.Currency", on_delete=models.PROTECT, related_name="staffing_cost_rates")

    objects = CostRateQuerySet.as_manager()

    class Meta:
        ordering = ["person", "-effective_from"]
        constraints = [
            *bounds.checks(money=("hourly_rate",), dates=("effective_from",)),
            models.UniqueConstraint(fields=["person", "effective_from"], name="%(app_label)s_%(class)s_unique_day"),
            models.CheckConstraint(condition=Q(hourly_rate__gt=0), name="%(app_label)s_%(class)s_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.hourly_rate} {self.currency_id}/h from {self.effective_from}"


class Absence(VersionedModel):
    """Days a person is not available (both ends inclusive): holidays, leave, training. Absence
    days remove capacity AND load (see staffing.capacity)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "Holiday"
        LEAVE = "leave", "Leave"
        TRAINING = "training", "Training"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="absences")
    start = bounds.BoundedDateField()
    end = bounds.BoundedDateField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    note = models.CharField(max_length=200, blank=True)

    objects = AbsenceQuerySet.as_manager()

    class Meta:
        ordering = ["person", "start"]
        constraints = [
            *bounds.checks(dates=("start", "end")),
            models.CheckConstraint(condition=Q(start__lte=F("end")), name="%(app_label)s_%(class)s_dates_ordered"),
            models.CheckConstraint(
                condition=Q(kind__in=["holiday", "leave", "training", "other"]),
                name="%(app_label)s_%(class)s_kind_valid",
            ),
        ]
        indexes = [models.Index(fields=["person", "end"], name="staffing_absence_person_end")]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()} {self.start}–{self.end}"


# Exactly one of fte_percent / hours_per_week, each in its range (used by two models).
def _one_amount_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(
            Q(fte_percent__isnull=False, hours_per_week__isnull=True, fte_percent__gt=0, fte_percent__lte=PERCENT_MAX)
            | Q(fte_percent__isnull=True, hours_per_week__isnull=False, hours_per_week__gt=0)
        ),
        name=name,
    )


class StaffingRequest(VersionedModel):
    """Demand: a project asks for a role over [start, end] at `fte_percent` of a standard
    40-hour week or `hours_per_week` (exactly one). Allocations naming the request fill it;
    `status` is stored and recomputed by the services (see the module docstring), comparing
    the hours the request asks for over its working days with the hours its allocations
    supply inside the request's dates."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PARTIALLY_FILLED = "partially_filled", "Partially filled"
        FILLED = "filled", "Filled"
        CANCELLED = "cancelled", "Cancelled"

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="staffing_requests")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="requests")
    start = bounds.BoundedDateField()
    end = bounds.BoundedDateField()
    fte_percent = _percent(
        "FTE %", null=True, blank=True, help_text="Percent of a standard 40-hour week (0 < x ≤ 100)."
    )
    hours_per_week = _hours("Hours per week", null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, editable=False)
    notes = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="staffing_requests"
    )

    objects = StaffingRequestQuerySet.as_manager()

    class Meta:
        ordering = ["project", "start", "pk"]
        constraints = [
            *bounds.checks(dates=("start", "end")),
            models.CheckConstraint(condition=Q(start__lte=F("end")), name="%(app_label)s_%(class)s_dates_ordered"),
            _one_amount_constraint("%(app_label)s_%(class)s_one_amount"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "partially_filled", "filled", "cancelled"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.role} {self.start}–{self.end}"

    @property
    def demand_label(self) -> str:
        return (
            f"{self.fte_percent.normalize():f} % FTE"
            if self.fte_percent is not None
            else f"{self.hours_per_week.normalize():f} h/wk"
        )


class Allocation(VersionedModel):
    """Supply: a person booked on a project in a role over [start, end], at `fte_percent` of their
    own weekly capacity or a fixed `hours_per_week` (exactly one). `request` is the staffing
    request it fills (same project and role). The person must belong to the project's
    portfolio pool (checked by the services)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="allocations")
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="allocations")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="allocations")
    start = bounds.BoundedDateField()
    end = bounds.BoundedDateField()
    fte_percent = _percent(
        "FTE %", null=True, blank=True, help_text="Percent of the person's weekly capacity (0 < x ≤ 100)."
    )
    hours_per_week = _hours("Hours per week", null=True, blank=True)
    request = models.ForeignKey(
        StaffingRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="allocations"
    )
    notes = models.CharField(max_length=200, blank=True)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        constraints = [
            *bounds.checks(dates=("start", "end")),
            models.CheckConstraint(condition=Q(start__lte=F("end")), name="%(app_label)s_%(class)s_dates_ordered"),
            _one_amount_constraint("%(app_label)s_%(class)s_one_amount"),
        ]
        indexes = [
            models.Index(fields=["person", "end"], name="staffing_alloc_person_end"),
            models.Index(fields=["project", "end"], name="staffing_alloc_project_end"),
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.project} {self.start}–{self.end}"

    @property
    def amount_label(self) -> str:
        return (
            f"{self.fte_percent.normalize():f} %"
            if self.fte_percent is not None
            else f"{self.hours_per_week.normalize():f} h/wk"
        )


class ResourceMatch(models.Model):
    """Who a resource of a project's schedule file is in the pool: a Person, a Role (a generic
    resource such as "Engineer"), or nobody (both empty: left unmatched). One per
    projects.ScheduleResource; made on import (by e-mail, then by name) and changed in the
    import preview's mapping step. `basis` says how: a match a user chose ("chosen") is kept
    by a re-import; the automatic ones are made again (staffing.resource_matches).

    A person-matched resource's assignments load that person and feed the labour forecast,
    except where one of the person's allocations on the project covers the day: the allocation
    wins (see staffing.assignment_load)."""

    resource = models.OneToOneField(
        "projects.ScheduleResource", on_delete=models.CASCADE, related_name="staffing_match"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="schedule_resources"
    )

    class Basis(models.TextChoices):
        NONE = "", "Unmatched"
        CHOSEN = "chosen", "Chosen in the import preview"
        EMAIL = "email", "Same e-mail"
        NAME = "name", "Same name"
        ROLE_NAME = "role", "Role of that name"

    role = models.ForeignKey(Role, null=True, blank=True, on_delete=models.SET_NULL, related_name="schedule_resources")
    basis = models.CharField(max_length=8, choices=Basis.choices, blank=True, default=Basis.NONE)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=True) | Q(role__isnull=True),
                name="%(app_label)s_%(class)s_person_or_role",
            ),
            models.CheckConstraint(
                condition=Q(basis__in=["", "chosen", "email", "name", "role"]),
                name="%(app_label)s_%(class)s_basis_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} → {self.person or self.role or 'unmatched'}"
