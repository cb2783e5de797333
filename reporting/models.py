"""Summary tables: one roll-up row per project, program and portfolio, recomputed from source rows
by the worker (reporting.services.rollups), never incremented; the trend snapshots read from them;
the health thresholds per portfolio.

A roll-up is current when its `input_version` equals the source's (core.models.InputVersion);
pages read these rows and say "as of HH:MM" from `computed_at`, with a stale notice otherwise.
Null means "not defined" (no baseline, no actuals, a division by zero), never zero.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portfolio.models import Portfolio, Program
from projects.models import Project, Rag


def _money(**kwargs) -> models.DecimalField:
    # Computed money can pass what a user may type (an EAC at CPI 0.01 is 100 times BAC), so the
    # summary columns are wider than core.money's input bound; they are never edited.
    return models.DecimalField(max_digits=24, decimal_places=2, null=True, blank=True, **kwargs)


def _ratio() -> models.DecimalField:
    # CPI, SPI, SPI(t), TCPI to four places; a ratio beyond ±99,999,999 is stored as null.
    return models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)


def _rag() -> models.CharField:
    return models.CharField(max_length=5, choices=Rag.choices, blank=True)


class Health(models.TextChoices):
    """A computed dimension's health: the RAG colours plus "no data" (blank)."""

    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    NONE = "", "No data"


class RollupFigures(models.Model):
    """The figures every roll-up level carries (a program's and portfolio's are sums or
    value-weighted from their projects' rows, re-read from source, never added up in place)."""

    # --- bookkeeping
    input_version = models.PositiveBigIntegerField(default=0)
    computed_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateField(null=True, blank=True)  # the day PV, "due in 30 days" and ages count from
    # Set when a recompute has been enqueued and not yet started (coalescing: one in flight).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # --- schedule
    forecast_finish = models.DateField(null=True, blank=True)
    baseline_finish = models.DateField(null=True, blank=True)
    slip_working_days = models.IntegerField(null=True, blank=True)  # forecast minus baseline finish
    critical_path_working_days = models.PositiveIntegerField(null=True, blank=True)
    percent_complete = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    milestones_late = models.PositiveIntegerField(default=0)
    milestones_due_30 = models.PositiveIntegerField(default=0)
    milestones_due_90 = models.PositiveIntegerField(default=0)
    # --- cost (portfolio base currency), earned value as of `as_of`
    bac = _money()
    pv = _money()
    ev = _money()
    ac = _money()
    eac = _money()
    etc = _money()
    vac = _money()
    cpi = _ratio()
    spi = _ratio()
    spi_t = _ratio()
    tcpi = _ratio()
    # --- risk
    emv = _money()
    residual_emv = _money()
    risks_high = models.PositiveIntegerField(default=0)
    risks_critical = models.PositiveIntegerField(default=0)
    reserve_remaining = _money()
    exposure_uncovered = _money()  # risk EMV not covered by the remaining reserves (as the exposure page)
    # --- quantitative risk analysis: the newest finished Monte Carlo run of this very scope
    # (risks.AnalysisRun); simulated figures, not the plan's, null when there is none. A program's
    # come from its own program-wide run, never from its projects' (percentiles do not add up), so
    # a portfolio has none.
    p80_finish = models.DateField(null=True, blank=True)
    p80_cost = _money()
    simulated_at = models.DateTimeField(null=True, blank=True)  # when that run finished
    # --- staffing
    fte_requested = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    fte_allocated = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    people_overallocated = models.PositiveIntegerField(default=0)  # this month
    # --- governance
    gates_due = models.PositiveIntegerField(default=0)
    change_requests_waiting = models.PositiveIntegerField(default=0)
    # --- freshness
    last_status_report_on = models.DateField(null=True, blank=True)  # period end of the newest report
    last_actuals_on = models.DateField(null=True, blank=True)  # newest cost entry date
    # --- health: computed per dimension and overall, with the rule that fired
    health_schedule = models.CharField(max_length=5, choices=Health.choices, blank=True)
    health_cost = models.CharField(max_length=5, choices=Health.choices, blank=True)
    health_risk = models.CharField(max_length=5, choices=Health.choices, blank=True)
    health_staffing = models.CharField(max_length=5, choices=Health.choices, blank=True)
    health_governance = models.CharField(max_length=5, choices=Health.choices, blank=True)
    health_freshness = models.CharField(max_length=5, choices=Health.choices, blank=True)
    health_overall = models.CharField(max_length=5, choices=Health.choices, blank=True)
    # {"cost": "CPI 0.82 < 0.90", "schedule": "slip 12 working days > 10", ...}; a green dimension
    # says why too ("CPI 1.02 ≥ 0.95").
    health_reasons = models.JSONField(default=dict, blank=True)
    # The newest reported overall RAG (a program's and portfolio's: the worst of their open projects'),
    # and whether it disagrees with the computed overall health.
    reported_rag = _rag()
    health_disagrees = models.BooleanField(default=False)

    class Meta:
        abstract = True

    @property
    def status_report_age_days(self) -> int | None:
        if self.last_status_report_on is None or self.as_of is None:
            return None
        return (self.as_of - self.last_status_report_on).days

    @property
    def actuals_age_days(self) -> int | None:
        if self.last_actuals_on is None or self.as_of is None:
            return None
        return (self.as_of - self.last_actuals_on).days


def _version_check():
    return models.CheckConstraint(condition=Q(input_version__gte=0), name="%(app_label)s_%(class)s_version_valid")


class ProjectRollup(RollupFigures):
    """One project's summary."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="rollup")

    class Meta:
        constraints = [_version_check()]

    def __str__(self) -> str:
        return f"Roll-up of {self.project}"


class ProgramRollup(RollupFigures):
    """One program's summary: its open projects' roll-ups plus program-level risks and reserves."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="rollup")
    projects_open = models.PositiveIntegerField(default=0)
    projects_red = models.PositiveIntegerField(default=0)
    projects_amber = models.PositiveIntegerField(default=0)
    projects_green = models.PositiveIntegerField(default=0)
    projects_disagreeing = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [_version_check()]

    def __str__(self) -> str:
        return f"Roll-up of {self.program}"


class PortfolioRollup(RollupFigures):
    """One portfolio's summary, from its programs' roll-ups."""

    portfolio = models.OneToOneField(Portfolio, on_delete=models.CASCADE, related_name="rollup")
    programs_open = models.PositiveIntegerField(default=0)
    projects_open = models.PositiveIntegerField(default=0)
    projects_red = models.PositiveIntegerField(default=0)
    projects_amber = models.PositiveIntegerField(default=0)
    projects_green = models.PositiveIntegerField(default=0)
    projects_disagreeing = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [_version_check()]

    def __str__(self) -> str:
        return f"Roll-up of {self.portfolio}"


class HealthPolicy(models.Model):
    """The thresholds computed health uses, per portfolio (a portfolio without a row uses the
    defaults below). A value at or past `*_red` is red, past `*_amber` amber, else green."""

    portfolio = models.OneToOneField(Portfolio, on_delete=models.CASCADE, related_name="health_policy")
    cpi_amber = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0.95"))
    cpi_red = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0.90"))
    spi_amber = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0.95"))
    spi_red = models.DecimalField(max_digits=4, decimal_places=2, default=Decimal("0.90"))
    slip_amber_days = models.PositiveIntegerField(default=5)
    slip_red_days = models.PositiveIntegerField(default=15)
    # Share of the remaining reserves that risk EMV may use before amber / red, in %.
    exposure_amber_percent = models.PositiveIntegerField(default=80)
    exposure_red_percent = models.PositiveIntegerField(default=100)
    overallocated_amber = models.PositiveIntegerField(default=3)
    overallocated_red = models.PositiveIntegerField(default=8)
    report_stale_amber_days = models.PositiveIntegerField(default=35)
    report_stale_red_days = models.PositiveIntegerField(default=65)
    actuals_stale_amber_days = models.PositiveIntegerField(default=45)
    actuals_stale_red_days = models.PositiveIntegerField(default=90)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "health policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(cpi_red__lte=models.F("cpi_amber"))
                & Q(spi_red__lte=models.F("spi_amber"))
                & Q(cpi_red__gt=0)
                & Q(spi_red__gt=0)
                & Q(cpi_amber__lte=Decimal("2"))
                & Q(spi_amber__lte=Decimal("2")),
                name="%(app_label)s_%(class)s_index_thresholds_ordered",
            ),
            models.CheckConstraint(
                condition=Q(slip_amber_days__lte=models.F("slip_red_days"))
                & Q(slip_red_days__lte=3650)
                & Q(exposure_amber_percent__lte=models.F("exposure_red_percent"))
                & Q(exposure_red_percent__lte=1000)
                & Q(overallocated_amber__lte=models.F("overallocated_red"))
                & Q(report_stale_amber_days__lte=models.F("report_stale_red_days"))
                & Q(report_stale_red_days__lte=3650)
                & Q(actuals_stale_amber_days__lte=models.F("actuals_stale_red_days"))
                & Q(actuals_stale_red_days__lte=3650),
                name="%(app_label)s_%(class)s_other_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Health thresholds of {self.portfolio}"


class MetricSnapshot(models.Model):
    """A roll-up's key figures on one day, kept for trend charts (taken nightly by beat;
    seed_demo backfills a year). Exactly one of project, program, portfolio is set."""

    day = models.DateField()
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="snapshots")
    program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.CASCADE, related_name="snapshots")
    portfolio = models.ForeignKey(Portfolio, null=True, blank=True, on_delete=models.CASCADE, related_name="snapshots")
    bac = _money()
    pv = _money()
    ev = _money()
    ac = _money()
    eac = _money()
    cpi = _ratio()
    spi = _ratio()
    emv = _money()
    residual_emv = _money()
    exposure_uncovered = _money()
    percent_complete = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    slip_working_days = models.IntegerField(null=True, blank=True)
    forecast_finish = models.DateField(null=True, blank=True)
    people_overallocated = models.PositiveIntegerField(default=0)
    health_overall = models.CharField(max_length=5, choices=Health.choices, blank=True)
    reported_rag = _rag()
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(project__isnull=False, program__isnull=True, portfolio__isnull=True)
                    | Q(project__isnull=True, program__isnull=False, portfolio__isnull=True)
                    | Q(project__isnull=True, program__isnull=True, portfolio__isnull=False)
                ),
                name="%(app_label)s_%(class)s_one_scope",
            ),
            models.UniqueConstraint(
                fields=["project", "day"], condition=Q(project__isnull=False), name="reporting_snapshot_project_day"
            ),
            models.UniqueConstraint(
                fields=["program", "day"], condition=Q(program__isnull=False), name="reporting_snapshot_program_day"
            ),
            models.UniqueConstraint(
                fields=["portfolio", "day"],
                condition=Q(portfolio__isnull=False),
                name="reporting_snapshot_portfolio_day",
            ),
        ]

    def __str__(self) -> str:
        scope = self.project or self.program or self.portfolio
        return f"{scope} on {self.day}"


class CalendarFeed(models.Model):
    """A user's iCalendar subscription to one program's milestones and stage gates, at the secret
    URL `calendar/<token>.ics` (reporting.calendar). Calendar apps cannot log in, so the token is
    the credential: it is shown only to its user, and revoking it (`revoked_at`) ends every
    subscription using it. The feed shows what the user could see when it is read, so a user who
    loses access to the program gets a 404. At most one live (unrevoked) feed per user and program.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True)  # secrets.token_urlsafe; unique implies an index
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program"],
                condition=Q(revoked_at__isnull=True),
                name="reporting_calendarfeed_one_live_per_user_program",
            ),
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "live"
        return f"{self.program} calendar for {self.user} ({state})"
