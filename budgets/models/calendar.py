"""Fiscal calendars and their periods.

A fiscal year has twelve monthly periods starting on the first day of `start_month`. The
period arithmetic lives on FiscalCalendar as pure methods (no queries), so charts can lay out
periods without rows; budget lines and forecasts reference stored FiscalPeriod rows, generated
by `budgets.services.fiscal_periods_generate`, so each names one period unambiguously.
4-4-5 and 13-period calendars are not supported.
"""

import calendar as std_calendar
import datetime as dt
from typing import NamedTuple

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from core import bounds
from core.models import VersionedModel

from ..querysets import FiscalCalendarQuerySet, FiscalPeriodQuerySet

PERIODS_PER_YEAR = 12
ONE_DEFAULT = "Another shared calendar is already the default."
ONE_PER_PORTFOLIO = "This portfolio already has a fiscal calendar."


class PeriodSpan(NamedTuple):
    """A fiscal period as plain values: fiscal year, number 1-12, first and last day."""

    fiscal_year: int
    number: int
    start: dt.date
    end: dt.date

    @property
    def quarter(self) -> int:
        return (self.number - 1) // 3 + 1

    @property
    def label(self) -> str:
        return f"FY{self.fiscal_year} P{self.number:02d}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class FiscalCalendar(VersionedModel):
    """How an organisation counts its financial years.

    `portfolio` null means a shared calendar; a portfolio may have one calendar of its own,
    which its projects' budgets use. `is_default` marks the shared calendar used by portfolios
    without one. `year_label` says which calendar year names a fiscal year that straddles two
    (the US federal FY2026 runs October 2025 to September 2026: named by its end)."""

    class YearLabel(models.TextChoices):
        END = "end", "Named by the calendar year it ends in"
        START = "start", "Named by the calendar year it starts in"

    portfolio = models.ForeignKey(
        "portfolio.Portfolio", null=True, blank=True, on_delete=models.CASCADE, related_name="fiscal_calendars"
    )
    name = models.CharField(max_length=200, unique=True)
    start_month = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(12)], help_text="1 = January … 12 = December"
    )
    year_label = models.CharField(max_length=5, choices=YearLabel.choices, default=YearLabel.END)
    is_default = models.BooleanField(default=False)

    objects = FiscalCalendarQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_month__gte=1) & Q(start_month__lte=12),
                name="%(app_label)s_%(class)s_start_month_range",
            ),
            models.CheckConstraint(
                condition=Q(year_label__in=["end", "start"]), name="%(app_label)s_%(class)s_year_label_valid"
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(portfolio__isnull=True),
                name="%(app_label)s_%(class)s_default_is_shared",
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="%(app_label)s_%(class)s_one_default",
                violation_error_message=ONE_DEFAULT,
            ),
            models.UniqueConstraint(
                fields=["portfolio"],
                condition=Q(portfolio__isnull=False),
                name="%(app_label)s_%(class)s_one_per_portfolio",
                violation_error_message=ONE_PER_PORTFOLIO,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    # -- period arithmetic (pure) ------------------------------------------------------------

    def _start_year(self, fiscal_year: int) -> int:
        """The calendar year in which `fiscal_year` begins."""
        if self.year_label == self.YearLabel.END and self.start_month != 1:
            return fiscal_year - 1
        return fiscal_year

    def fiscal_year_of(self, day: dt.date) -> int:
        start_year = day.year if day.month >= self.start_month else day.year - 1
        if self.year_label == self.YearLabel.END and self.start_month != 1:
            return start_year + 1
        return start_year

    def period_number_of(self, day: dt.date) -> int:
        return (day.month - self.start_month) % PERIODS_PER_YEAR + 1

    def quarter_of(self, day: dt.date) -> int:
        return (self.period_number_of(day) - 1) // 3 + 1

    def period_bounds(self, fiscal_year: int, number: int) -> tuple[dt.date, dt.date]:
        """First and last day of period `number` (1-12) of `fiscal_year`."""
        if not 1 <= number <= PERIODS_PER_YEAR:
            raise ValueError(f"A fiscal period number is 1 to {PERIODS_PER_YEAR}, not {number}.")
        index = self.start_month - 1 + number - 1
        year, month = self._start_year(fiscal_year) + index // 12, index % 12 + 1
        return dt.date(year, month, 1), dt.date(year, month, std_calendar.monthrange(year, month)[1])

    def period_of(self, day: dt.date) -> PeriodSpan:
        fiscal_year, number = self.fiscal_year_of(day), self.period_number_of(day)
        return PeriodSpan(fiscal_year, number, *self.period_bounds(fiscal_year, number))

    def periods_of_year(self, fiscal_year: int) -> list[PeriodSpan]:
        return [PeriodSpan(fiscal_year, n, *self.period_bounds(fiscal_year, n)) for n in range(1, 13)]

    def year_bounds(self, fiscal_year: int) -> tuple[dt.date, dt.date]:
        return self.period_bounds(fiscal_year, 1)[0], self.period_bounds(fiscal_year, PERIODS_PER_YEAR)[1]

    def periods_between(self, first: dt.date, last: dt.date) -> list[PeriodSpan]:
        """Every period that overlaps [first, last], in order."""
        spans, day = [], first
        while day <= last:
            span = self.period_of(day)
            spans.append(span)
            day = span.end + dt.timedelta(days=1)
        return spans


class FiscalPeriod(models.Model):
    """One stored monthly period of a fiscal calendar; budget lines and forecasts point here."""

    calendar = models.ForeignKey(FiscalCalendar, on_delete=models.CASCADE, related_name="periods")
    fiscal_year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1900), MaxValueValidator(2200)])
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(12)])
    start = bounds.BoundedDateField()
    end = bounds.BoundedDateField()

    objects = FiscalPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["calendar", "start"]
        constraints = [
            *bounds.checks(dates=("start", "end")),
            models.UniqueConstraint(
                fields=["calendar", "fiscal_year", "number"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1) & Q(number__lte=12), name="%(app_label)s_%(class)s_number_range"
            ),
            models.CheckConstraint(condition=Q(start__lte=F("end")), name="%(app_label)s_%(class)s_dates_ordered"),
        ]
        indexes = [models.Index(fields=["calendar", "start"], name="budgets_period_calendar_start")]

    def __str__(self) -> str:
        return self.span.label

    @property
    def span(self) -> PeriodSpan:
        return PeriodSpan(self.fiscal_year, self.number, self.start, self.end)

    @property
    def quarter(self) -> int:
        return self.span.quarter
