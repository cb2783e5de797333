"""Importing time-phased budgets (BudgetLine rows) from a spreadsheet.

A row names a project, a cost category, a fiscal period (fiscal year and period number, or any
date inside the period) of the project's portfolio's fiscal calendar, an amount and, optionally,
a currency and the budget version (original or current). Lines are upserted by (project,
category, period, version): a new key is created, a changed amount or currency updates the line
(bumping its version, as an edit would), an identical line is skipped. Importing the same file
twice changes nothing.
"""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from ..models import BudgetLine, FiscalCalendar, FiscalPeriod
from . import values as cell
from .engine import CHUNK_ROWS, Importer, Lookup, ParsedRow
from .mapping import BUDGET_FIELDS
from .refs import (
    PROJECT_NOT_EDITABLE,
    UNKNOWN_CATEGORY,
    UNKNOWN_CURRENCY,
    UNKNOWN_PROJECT,
    category_lookup,
    code,
    currency_lookup,
    project_lookup,
)

NO_PERIOD = "give a fiscal year and period number, or a date"
NO_CALENDAR = "the portfolio of project {project} has no fiscal calendar; create one and generate its periods"
PERIOD_NOT_STORED = "{label} is not a stored period of the fiscal calendar “{calendar}”; generate its periods first"
UNKNOWN_VERSION = "{value} is not a budget version; use original or current"
DUPLICATE_LINE = "this file already has a line for {project} {category} {label} ({version})"

NEW, UNCHANGED = "new", "unchanged"
UPDATES = "updates {old} → {new}"

VERSION_NAMES = {
    **{value: value for value in BudgetLine.Version.values},
    **{str(label).lower(): value for value, label in BudgetLine.Version.choices},
    "baseline": BudgetLine.Version.ORIGINAL,
    "approved": BudgetLine.Version.CURRENT,
}


class LineKey(NamedTuple):
    project_id: int
    category_id: int
    period_id: int
    budget_version: str


class BudgetImporter(Importer):
    """Budget lines, upserted by (project, category, period, version)."""

    kind = "budget"
    fields = BUDGET_FIELDS

    def __init__(self, table, mapping, *, actor, date_format: str = "", **unused):
        super().__init__(table, mapping, actor=actor, date_format=date_format)
        self.projects = project_lookup(actor)
        self.categories = category_lookup()
        self.currencies = currency_lookup()
        self.calendars = Lookup(self._load_calendars)
        self.periods = Lookup(self._load_periods)
        self._seen: set[LineKey] = set()

    def _load_calendars(self, portfolio_ids: set[int]) -> dict[int, FiscalCalendar | None]:
        """Each portfolio's own calendar, else the shared default (budgets.selectors.fiscal_calendar_for,
        for many portfolios in one query)."""
        calendars = list(
            FiscalCalendar.objects.filter(
                Q(portfolio_id__in=portfolio_ids) | Q(portfolio__isnull=True, is_default=True)
            )
        )
        default = next((c for c in calendars if c.portfolio_id is None), None)
        own = {c.portfolio_id: c for c in calendars if c.portfolio_id is not None}
        return {pk: own.get(pk, default) for pk in portfolio_ids}

    def _load_periods(self, keys: set[tuple[int, int, int]]) -> dict[tuple[int, int, int], int]:
        rows = FiscalPeriod.objects.filter(
            calendar_id__in={c for c, _, _ in keys}, fiscal_year__in={y for _, y, _ in keys}
        ).values_list("calendar_id", "fiscal_year", "number", "pk")
        return {(c, y, n): pk for c, y, n, pk in rows}

    def start_pass(self) -> None:
        self._seen = set()

    def parse_chunk(self, rows: list[ParsedRow]) -> None:
        texts = [self.texts(row) for row in rows]
        self.projects.prime(code(t["project"]) for t in texts)
        self.categories.prime(code(t["category"]) for t in texts)
        refs = [self.projects.get(code(t["project"])) for t in texts]
        self.calendars.prime(ref.portfolio_id for ref in refs if ref)
        self.currencies.prime({code(t["currency"]) for t in texts} | {ref.base_currency for ref in refs if ref})
        wanted = []
        for row, t, ref in zip(rows, texts, refs, strict=True):
            self._check(row, t, ref)
            if row.item is not None:
                wanted.append(row.item["period_key"])
        self.periods.prime(wanted)
        for row in rows:
            if row.item is not None:
                self._place(row)

    def _check(self, row: ParsedRow, t: dict[str, str], project) -> None:
        if not t["project"]:
            self.error(row, "project", cell.REQUIRED)
        elif project is None:
            self.error(row, "project", UNKNOWN_PROJECT.format(value=cell.shown(t["project"])))
        elif not project.editable:
            self.error(row, "project", PROJECT_NOT_EDITABLE.format(code=project.code))
            project = None
        category = None
        if not t["category"]:
            self.error(row, "category", cell.REQUIRED)
        else:
            category = self.categories.get(code(t["category"]))
            if category is None:
                self.error(row, "category", UNKNOWN_CATEGORY.format(value=cell.shown(t["category"])))
        amount = self.read(row, "amount", cell.amount, allow_negative=False)
        currency = None
        wanted = code(t["currency"]) or (project.base_currency if project else "")
        if wanted:
            currency = self.currencies.get(wanted)
            if currency is None:
                self.error(row, "currency", UNKNOWN_CURRENCY.format(value=cell.shown(wanted)))
        version = BudgetLine.Version.CURRENT
        if t["version"]:
            version = VERSION_NAMES.get(t["version"].lower())
            if version is None:
                self.error(row, "version", UNKNOWN_VERSION.format(value=cell.shown(t["version"])))

        calendar = self.calendars.get(project.portfolio_id) if project else None
        if project is not None and calendar is None:
            self.error(row, "period", NO_CALENDAR.format(project=project.code))
        year = number = None
        if t["date"]:
            day = self.read(row, "date", cell.date, self.date_format)
            if day is not None and calendar is not None:
                year, number = calendar.fiscal_year_of(day), calendar.period_number_of(day)
        elif t["fiscal_year"] or t["period"]:
            year = self.read(row, "fiscal_year", cell.whole_number, low=1900, high=2200)
            number = self.read(row, "period", cell.whole_number, low=1, high=12)
        else:
            self.error(row, "period" if "period" in self.mapping else "date", NO_PERIOD)

        if not row.errors and calendar is not None and year is not None and number is not None:
            row.item = {
                "project": project,
                "category_id": category,
                "category_code": code(t["category"]),
                "amount": amount,
                "currency_id": currency,
                "budget_version": version,
                "calendar": calendar,
                "period_key": (calendar.pk, year, number),
            }

    def _place(self, row: ParsedRow) -> None:
        """Resolve the row's stored period and check its key is new in this file."""
        item = row.item
        _, year, number = item["period_key"]
        label = f"FY{year} P{number:02d}"
        period = self.periods.get(item["period_key"])
        name = "date" if row.values.get("date") else "period"
        if period is None:
            self.error(row, name, PERIOD_NOT_STORED.format(label=label, calendar=item["calendar"].name))
            row.item = None
            return
        key = LineKey(item["project"].pk, item["category_id"], period, item["budget_version"])
        if key in self._seen:
            self.error(
                row,
                None,
                DUPLICATE_LINE.format(
                    project=item["project"].code,
                    category=item["category_code"],
                    label=label,
                    version=key.budget_version,
                ),
            )
            row.item = None
            return
        self._seen.add(key)
        row.item = (key, item["amount"], item["currency_id"])

    # -- writing ------------------------------------------------------------------------------

    def _existing(self, rows: list[ParsedRow]) -> dict[LineKey, tuple[int, object, str, int]]:
        keys = [row.item[0] for row in rows]
        found = (
            BudgetLine.objects.filter(
                project_id__in={k.project_id for k in keys},
                category_id__in={k.category_id for k in keys},
                period_id__in={k.period_id for k in keys},
            )
            .order_by()
            .values_list(
                "project_id", "category_id", "period_id", "budget_version", "pk", "amount", "currency_id", "version"
            )
        )
        wanted = set(keys)
        return {
            key: (pk, amount, currency, version)
            for p, c, per, v, pk, amount, currency, version in found
            if (key := LineKey(p, c, per, v)) in wanted
        }

    def annotate_existing(self, rows: list[ParsedRow]) -> None:
        existing = self._existing(rows)
        for row in rows:
            key, amount, currency = row.item
            old = existing.get(key)
            if old is None:
                row.note = NEW
            elif (old[1], old[2]) == (amount, currency):
                row.note = UNCHANGED
            else:
                row.note = UPDATES.format(old=f"{old[1]} {old[2]}", new=f"{amount} {currency}")

    def write_chunk(self, rows: list[ParsedRow]) -> tuple[int, int, int]:
        existing = self._existing(rows)
        now = timezone.now()
        new, changed = [], []
        for row in rows:
            key, amount, currency = row.item
            old = existing.get(key)
            if old is None:
                new.append(BudgetLine(**key._asdict(), amount=amount, currency_id=currency))
            elif (old[1], old[2]) != (amount, currency):
                pk, _, _, version = old
                changed.append(
                    BudgetLine(pk=pk, amount=amount, currency_id=currency, version=version + 1, updated_at=now)
                )
            else:
                continue
            self.touch(key.project_id)
        BudgetLine.objects.bulk_create(new, batch_size=CHUNK_ROWS)
        BudgetLine.objects.bulk_update(changed, ["amount", "currency", "version", "updated_at"], batch_size=500)
        return len(new), len(changed), len(rows) - len(new) - len(changed)
