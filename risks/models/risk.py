"""Risks and their score history."""

from decimal import Decimal
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone

from core import bounds
from core.models import VersionedModel
from core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS, MoneyField

from .. import scoring
from ..querysets import RiskQuerySet, RiskScoreHistoryQuerySet

LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
PERCENT_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def _score(probability: str, impact: str):
    return F(probability) * F(impact)


def _band(probability: str, impact: str, *, nullable: bool = False):
    """SQL for scoring.band_for_score of probability x impact (NULL when `nullable` and unset)."""
    score = _score(probability, impact)
    whens = [When(Q(**{f"{probability}__isnull": True}), then=Value(None))] if nullable else []
    whens += [
        When(GreaterThanOrEqual(score, scoring.BANDS[scoring.CRITICAL][0]), then=Value(scoring.CRITICAL)),
        When(GreaterThanOrEqual(score, scoring.BANDS[scoring.HIGH][0]), then=Value(scoring.HIGH)),
        When(GreaterThanOrEqual(score, scoring.BANDS[scoring.MEDIUM][0]), then=Value(scoring.MEDIUM)),
    ]
    return Case(*whens, default=Value(scoring.LOW))


def _money_field():
    return models.DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)


EMV_SQL = F("probability_percent") * F("cost_impact") / Value(Decimal(100))
RESIDUAL_EMV_SQL = Case(
    When(residual_probability__isnull=True, then=EMV_SQL),
    *(
        When(
            residual_probability=level,
            then=Value(scoring.default_percent(level)) * F("cost_impact") / Value(Decimal(100)),
        )
        for level in scoring.LEVELS
    ),
    default=EMV_SQL,
)
PROBABILITY_MATCHES_PERCENT = reduce(
    or_,
    (
        Q(probability=level, probability_percent__lte=high)
        & (Q(probability_percent__gte=low) if level == 1 else Q(probability_percent__gt=low))
        for level, (low, high, _default) in scoring.PROBABILITY_RANGES.items()
    ),
)


class Risk(VersionedModel):
    """An uncertain event that would affect a project or a program if it happened.

    Scope: `program` is always set; `project` set makes it a project risk (and `program` is then
    the project's program, checked by the services), null a program risk. A project risk can be
    escalated (`escalated_at`): it then also appears on its program's register, still the same
    row linked to its project, so exposure is never counted twice.

    Assessment: `probability` (level 1-5) and `probability_percent` agree by risks.scoring's
    ranges; `impact` 1-5; `cost_impact` in the portfolio's base currency; `schedule_impact_days`
    in calendar days. `score`, `band`, `emv` and their residual counterparts are generated
    columns (risks.scoring states the rules). `residual_probability` / `residual_impact` are the
    assessment after the planned mitigations: both or neither, never above the inherent levels.

    `number` numbers the risks of a program (shown as `reference`, e.g. "MOD-R007"). Status
    REALISED is reached only through risks.services.risk_realise, which opens the Issue.
    """

    class Category(models.TextChoices):
        TECHNICAL = "technical", "Technical"
        SCHEDULE = "schedule", "Schedule"
        COST = "cost", "Cost"
        SUPPLY_CHAIN = "supply_chain", "Supply chain"
        SECURITY = "security", "Security"
        COMPLIANCE = "compliance", "Compliance"
        RESOURCE = "resource", "Resource"
        EXTERNAL = "external", "External"

    class Response(models.TextChoices):
        AVOID = "avoid", "Avoid"
        MITIGATE = "mitigate", "Mitigate"
        TRANSFER = "transfer", "Transfer"
        ACCEPT = "accept", "Accept"
        ESCALATE = "escalate", "Escalate"
        EXPLOIT = "exploit", "Exploit"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MITIGATING = "mitigating", "Mitigating"
        CLOSED = "closed", "Closed"
        REALISED = "realised", "Realised"

    class Band(models.TextChoices):
        LOW = scoring.LOW, "Low"
        MEDIUM = scoring.MEDIUM, "Medium"
        HIGH = scoring.HIGH, "High"
        CRITICAL = scoring.CRITICAL, "Critical"

    # Statuses whose risks count in the exposure (the others are over, one way or another).
    ACTIVE = (Status.OPEN, Status.MITIGATING)

    program = models.ForeignKey("portfolio.Program", on_delete=models.CASCADE, related_name="risks")
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="risks"
    )
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=12, choices=Category.choices)
    cause = models.TextField(blank=True, help_text="Because of … (the source of the uncertainty)")
    event = models.TextField(blank=True, help_text="… this may happen …")
    effect = models.TextField(blank=True, help_text="… leading to (the consequence for objectives)")
    probability = models.PositiveSmallIntegerField(validators=LEVEL_VALIDATORS)
    probability_percent = models.DecimalField(max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS)
    impact = models.PositiveSmallIntegerField(validators=LEVEL_VALIDATORS)
    cost_impact = MoneyField(default=Decimal(0), validators=[MinValueValidator(Decimal(0))])
    schedule_impact_days = models.PositiveIntegerField(default=0, validators=bounds.days_validators())
    score = models.GeneratedField(
        expression=_score("probability", "impact"), output_field=models.PositiveSmallIntegerField(), db_persist=True
    )
    band = models.GeneratedField(
        expression=_band("probability", "impact"),
        output_field=models.CharField(max_length=8, choices=Band.choices),
        db_persist=True,
    )
    emv = models.GeneratedField(expression=EMV_SQL, output_field=_money_field(), db_persist=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_risks"
    )
    response = models.CharField(max_length=8, choices=Response.choices, default=Response.MITIGATE)
    trigger = models.TextField(blank=True, help_text="The early warning sign that the risk is about to happen.")
    trigger_date = bounds.BoundedDateField(null=True, blank=True, help_text="When the trigger is next checked.")
    proximity_date = bounds.BoundedDateField(
        null=True, blank=True, help_text="When the risk would happen, at the latest."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    residual_probability = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL_VALIDATORS)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True, validators=LEVEL_VALIDATORS)
    residual_score = models.GeneratedField(
        expression=_score("residual_probability", "residual_impact"),
        output_field=models.PositiveSmallIntegerField(null=True),
        db_persist=True,
    )
    residual_band = models.GeneratedField(
        expression=_band("residual_probability", "residual_impact", nullable=True),
        output_field=models.CharField(max_length=8, choices=Band.choices, null=True),
        db_persist=True,
    )
    residual_emv = models.GeneratedField(expression=RESIDUAL_EMV_SQL, output_field=_money_field(), db_persist=True)
    vendor = models.ForeignKey("budgets.Vendor", null=True, blank=True, on_delete=models.SET_NULL, related_name="risks")
    contract = models.ForeignKey(
        "budgets.Contract", null=True, blank=True, on_delete=models.SET_NULL, related_name="risks"
    )
    tasks = models.ManyToManyField("projects.Task", blank=True, related_name="risks")
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="escalated_risks",
    )
    escalation_note = models.TextField(blank=True)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["program_id", "number"]
        indexes = [
            models.Index(fields=["program", "status"], name="risks_risk_program_status_idx"),
            models.Index(fields=["project", "status"], name="risks_risk_project_status_idx"),
        ]
        constraints = [
            *bounds.checks(
                money=("cost_impact",), days=("schedule_impact_days",), dates=("trigger_date", "proximity_date")
            ),
            models.UniqueConstraint(fields=["program", "number"], name="%(app_label)s_%(class)s_number_unique"),
            models.CheckConstraint(condition=~Q(title=""), name="%(app_label)s_%(class)s_title_not_empty"),
            models.CheckConstraint(
                condition=Q(probability__gte=1, probability__lte=5), name="%(app_label)s_%(class)s_probability_range"
            ),
            models.CheckConstraint(
                condition=Q(probability_percent__gte=0, probability_percent__lte=100),
                name="%(app_label)s_%(class)s_percent_range",
            ),
            models.CheckConstraint(
                condition=PROBABILITY_MATCHES_PERCENT, name="%(app_label)s_%(class)s_percent_matches_probability"
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=5), name="%(app_label)s_%(class)s_impact_range"
            ),
            models.CheckConstraint(condition=Q(cost_impact__gte=0), name="%(app_label)s_%(class)s_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(residual_probability__isnull=True, residual_impact__isnull=True)
                | Q(residual_probability__isnull=False, residual_impact__isnull=False),
                name="%(app_label)s_%(class)s_residual_both_or_neither",
            ),
            models.CheckConstraint(
                condition=Q(residual_probability__isnull=True)
                | Q(residual_probability__gte=1, residual_probability__lte=F("probability")),
                name="%(app_label)s_%(class)s_residual_probability_range",
            ),
            models.CheckConstraint(
                condition=Q(residual_impact__isnull=True) | Q(residual_impact__gte=1, residual_impact__lte=F("impact")),
                name="%(app_label)s_%(class)s_residual_impact_range",
            ),
            models.CheckConstraint(
                condition=Q(trigger_date__isnull=True)
                | Q(proximity_date__isnull=True)
                | Q(trigger_date__lte=F("proximity_date")),
                name="%(app_label)s_%(class)s_trigger_before_proximity",
            ),
            models.CheckConstraint(
                condition=Q(escalated_at__isnull=True) | Q(project__isnull=False),
                name="%(app_label)s_%(class)s_escalated_only_project_risks",
            ),
            models.CheckConstraint(
                condition=Q(
                    category__in=[
                        "technical",
                        "schedule",
                        "cost",
                        "supply_chain",
                        "security",
                        "compliance",
                        "resource",
                        "external",
                    ]
                ),
                name="%(app_label)s_%(class)s_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(response__in=["avoid", "mitigate", "transfer", "accept", "escalate", "exploit"]),
                name="%(app_label)s_%(class)s_response_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "mitigating", "closed", "realised"]),
                name="%(app_label)s_%(class)s_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        """E.g. "MOD-R007" (needs `program` loaded)."""
        return f"{self.program.code}-R{self.number:03d}"

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def scope(self) -> str:
        return "project" if self.project_id else "program"


class RiskScoreHistory(models.Model):
    """An append-only snapshot of a risk's assessment, written by risks.services when the risk is
    created and whenever probability, impact, cost impact, residual levels or status change. The
    risk page draws the trend of `score` (and `residual_score`) from these rows."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    probability = models.PositiveSmallIntegerField(validators=LEVEL_VALIDATORS)
    probability_percent = models.DecimalField(max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS)
    impact = models.PositiveSmallIntegerField(validators=LEVEL_VALIDATORS)
    score = models.PositiveSmallIntegerField()
    residual_probability = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_score = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Risk.Status.choices)
    cost_impact = MoneyField(validators=[MinValueValidator(Decimal(0))])
    emv = MoneyField(validators=[MinValueValidator(Decimal(0))])

    objects = RiskScoreHistoryQuerySet.as_manager()

    class Meta:
        ordering = ["risk_id", "at", "pk"]
        verbose_name_plural = "risk score history"
        constraints = [
            *bounds.checks(money=("cost_impact", "emv"), percents=("probability_percent",)),
            models.CheckConstraint(
                condition=Q(probability__gte=1, probability__lte=5, impact__gte=1, impact__lte=5),
                name="%(app_label)s_%(class)s_levels_range",
            ),
            models.CheckConstraint(
                condition=Q(score=F("probability") * F("impact")), name="%(app_label)s_%(class)s_score"
            ),
            models.CheckConstraint(
                condition=Q(cost_impact__gte=0, emv__gte=0), name="%(app_label)s_%(class)s_money_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} score {self.score}"
