"""Program-level governance: the decision log, the benefits register and operating level
agreements."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core import bounds
from core.models import VersionedModel

from ..querysets import (
    BenefitMeasurementQuerySet,
    BenefitQuerySet,
    DecisionQuerySet,
    OlaTargetQuerySet,
    OperatingLevelAgreementQuerySet,
)

VALUE_DIGITS = {"max_digits": 18, "decimal_places": 4}


class Decision(VersionedModel):
    """One entry of a program's decision log (optionally about one of its projects).

    Entries are written by hand (PROPOSED, then DECIDED) and automatically when a stage gate is
    decided or a change request approved or rejected (then linked to it). A decision that a later
    one replaces is marked SUPERSEDED rather than edited away. `decided_on` is set once decided."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        DECIDED = "decided", "Decided"
        SUPERSEDED = "superseded", "Superseded"

    program = models.ForeignKey("portfolio.Program", on_delete=models.CASCADE, related_name="decisions")
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="decisions"
    )
    title = models.CharField(max_length=200)
    context = models.TextField(blank=True)
    decision = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    decided_on = bounds.BoundedDateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    stage_gate = models.ForeignKey(
        "governance.StageGate", null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    change_request = models.ForeignKey(
        "governance.ChangeRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["program", F("decided_on").desc(nulls_first=True), "-pk"]
        constraints = [
            *bounds.checks(dates=("decided_on",)),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "decided", "superseded"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="proposed") | Q(decided_on__isnull=False),
                name="%(app_label)s_%(class)s_decided_has_date",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="%(app_label)s_%(class)s_title_not_empty"),
        ]
        indexes = [models.Index(fields=["program", "status"], name="governance_decision_status")]

    def __str__(self) -> str:
        return self.title


class Benefit(VersionedModel):
    """A benefit the program is expected to deliver, measured by a KPI that moves from
    `baseline_value` towards `target_value` (either direction: a cost down, a score up) by the
    `realisation_date`. `non_negative` benefits (counts, money, hours) refuse negative values.
    Actuals are BenefitMeasurement rows; realisation % is computed by the selectors."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        REALISING = "realising", "Realising"
        REALISED = "realised", "Realised"
        AT_RISK = "at_risk", "At risk"
        CANCELLED = "cancelled", "Cancelled"

    program = models.ForeignKey("portfolio.Program", on_delete=models.CASCADE, related_name="benefits")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kpi = models.CharField("KPI", max_length=200)
    unit = models.CharField(max_length=40, blank=True)
    baseline_value = models.DecimalField(**VALUE_DIGITS)
    target_value = models.DecimalField(**VALUE_DIGITS)
    non_negative = models.BooleanField(default=True, help_text="The KPI cannot be below zero (counts, money, hours).")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_benefits"
    )
    realisation_date = bounds.BoundedDateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)

    objects = BenefitQuerySet.as_manager()

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            *bounds.checks(dates=("realisation_date",)),
            models.CheckConstraint(
                condition=~Q(target_value=F("baseline_value")), name="%(app_label)s_%(class)s_target_not_baseline"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "realising", "realised", "at_risk", "cancelled"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(non_negative=False) | (Q(baseline_value__gte=0) & Q(target_value__gte=0)),
                name="%(app_label)s_%(class)s_values_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BenefitMeasurement(VersionedModel):
    """An actual value of a benefit's KPI on a day (one per benefit and day; not in the future)."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="measurements")
    measured_on = bounds.BoundedDateField()
    value = models.DecimalField(**VALUE_DIGITS)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = BenefitMeasurementQuerySet.as_manager()

    class Meta:
        ordering = ["benefit", "measured_on"]
        constraints = [
            *bounds.checks(dates=("measured_on",)),
            models.UniqueConstraint(fields=["benefit", "measured_on"], name="%(app_label)s_%(class)s_one_per_day"),
        ]
        indexes = [models.Index(fields=["benefit", "-measured_on"], name="governance_measure_latest")]

    def __str__(self) -> str:
        return f"{self.benefit_id} {self.measured_on}: {self.value}"


class OperatingLevelAgreement(VersionedModel):
    """An operating level agreement between the program and an internal IT service: what the
    service commits to (OlaTarget rows), who owns it on the IT side (`it_process_owner`, or
    `owner_name` for someone without a login), and when it is next reviewed. The review is
    overdue when `review_date` has passed and the agreement is active or under review."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        UNDER_REVIEW = "under_review", "Under review"
        EXPIRED = "expired", "Expired"

    program = models.ForeignKey("portfolio.Program", on_delete=models.CASCADE, related_name="olas")
    service = models.CharField(max_length=200)
    it_process_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_olas"
    )
    owner_name = models.CharField(max_length=200, blank=True, help_text="For an owner without a Keel login.")
    start_date = bounds.BoundedDateField()
    review_date = bounds.BoundedDateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    notes = models.TextField(blank=True)

    objects = OperatingLevelAgreementQuerySet.as_manager()

    class Meta:
        ordering = ["program", "review_date", "service"]
        verbose_name = "operating level agreement"
        constraints = [
            *bounds.checks(dates=("start_date", "review_date")),
            models.CheckConstraint(
                condition=Q(review_date__gte=F("start_date")), name="%(app_label)s_%(class)s_review_after_start"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "active", "under_review", "expired"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
            models.CheckConstraint(condition=~Q(service=""), name="%(app_label)s_%(class)s_service_not_empty"),
        ]

    def __str__(self) -> str:
        return f"OLA {self.service}"

    @property
    def owner_label(self) -> str:
        if self.it_process_owner_id:
            user = self.it_process_owner
            return user.get_full_name() or user.username
        return self.owner_name


class OlaTarget(VersionedModel):
    """One commitment of an OLA: `metric` at least / at most `target` `unit`
    ("availability ≥ 99.9 %", "P1 resolution ≤ 4 h")."""

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", "at least"
        AT_MOST = "at_most", "at most"

    ola = models.ForeignKey(OperatingLevelAgreement, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(max_length=200)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.AT_LEAST)
    target = models.DecimalField(**VALUE_DIGITS)
    unit = models.CharField(max_length=40, blank=True)

    objects = OlaTargetQuerySet.as_manager()

    class Meta:
        ordering = ["ola", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=["at_least", "at_most"]), name="%(app_label)s_%(class)s_direction_valid"
            ),
            models.CheckConstraint(condition=~Q(metric=""), name="%(app_label)s_%(class)s_metric_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.get_direction_display()} {self.target} {self.unit}".strip()
