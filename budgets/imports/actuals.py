"""Importing actual costs (CostEntry rows) from a ledger export.

Each row is checked against the same rules as budgets.services.cost_entry_create and
invoice_record — in bulk, chunk by chunk, because a ledger export may hold a million rows —
plus one rule of imports: a row must carry an external reference, unique within its source,
so that importing a file again skips what it already imported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower

from projects.models import Task

from ..models import Contract, CostEntry, Vendor
from . import values as cell
from .engine import Importer, Lookup, ParsedRow, insert_rows
from .mapping import ACTUALS_FIELDS
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

EXTERNAL_REF_LIMIT = CostEntry._meta.get_field("external_ref").max_length
UNKNOWN_SOURCE = "{value} is not a source; use one of: {choices}"
BAD_DEFAULT_SOURCE = "“{value}” is not a source; use one of: {choices}."
DUPLICATE_REF = "{value} appears more than once in this file (for source {source})"
UNKNOWN_TASK = "project {project} has no task with the external reference or outline number {value}"
UNKNOWN_VENDOR = "no vendor you can see is named {value}"
UNKNOWN_CONTRACT = "no contract you can see has the number {value}"
CONTRACT_OTHER_PROGRAM = "contract {contract} belongs to another program than project {project}"
VENDOR_NOT_CONTRACT_VENDOR = "{value} is not the vendor of contract {contract}"
INVOICE_NEEDS_CONTRACT = "an invoice must name its contract"
INVOICE_PROJECT_NOT_LINKED = "contract {contract} does not serve project {project}; link the project to it first"

NEW, ALREADY_IMPORTED = "new", "already imported"


def _source_names() -> dict[str, str]:
    names = {}
    for value, label in CostEntry.Source.choices:
        names[value] = value
        names[str(label).lower()] = value
    return names


SOURCE_NAMES = _source_names()


def check_default_source(value: str) -> str:
    """The import's source for rows that name none (a CostEntry.Source value or label)."""
    found = SOURCE_NAMES.get((value or CostEntry.Source.LEDGER).strip().lower())
    if found is None:
        raise ValidationError(
            {"source": BAD_DEFAULT_SOURCE.format(value=value, choices=", ".join(CostEntry.Source.values))}
        )
    return found


class EntryValues(NamedTuple):
    """A checked row, as the CostEntry columns it becomes (models are built only to write)."""

    project_id: int
    task_id: int | None
    category_id: int
    date: dt.date
    amount: Decimal
    currency_id: str
    source: str
    external_ref: str
    vendor_id: int | None
    contract_id: int | None
    description: str


class ContractRef(NamedTuple):
    pk: int
    number: str
    program_id: int
    vendor_id: int
    project_ids: frozenset[int]


class ActualsImporter(Importer):
    """Actual costs, idempotent by (source, external reference)."""

    kind = "actuals"
    fields = ACTUALS_FIELDS

    def __init__(self, table, mapping, *, actor, default_source: str = "", date_format: str = ""):
        super().__init__(table, mapping, actor=actor, date_format=date_format)
        self.default_source = check_default_source(default_source)
        self.projects = project_lookup(actor)
        self.categories = category_lookup()
        self.currencies = currency_lookup()
        self.tasks = Lookup(self._load_tasks)
        self.vendors = Lookup(self._load_vendors)
        self.contracts = Lookup(self._load_contracts)
        self._seen: dict[str, set[str]] = defaultdict(set)

    # -- bulk look-ups ------------------------------------------------------------------------

    def _load_tasks(self, keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
        project_ids = {pk for pk, _ in keys}
        refs = {ref for _, ref in keys}
        found: dict[tuple[int, str], int] = {}
        rows = list(
            Task.objects.filter(project_id__in=project_ids)
            .filter(Q(external_ref__in=refs) | Q(outline_number__in=refs))
            .values_list("project_id", "external_ref", "outline_number", "pk")
        )
        # An external reference wins over an outline number that happens to read the same.
        for project_id, _, outline, pk in rows:
            if (project_id, outline) in keys:
                found.setdefault((project_id, outline), pk)
        for project_id, ref, _, pk in rows:
            if (project_id, ref) in keys:
                found[(project_id, ref)] = pk
        return found

    def _load_vendors(self, names: set[str]) -> dict[str, int]:
        vendors = Vendor.objects.all() if self.actor is None else Vendor.objects.visible_to(self.actor)
        return dict(vendors.annotate(key=Lower("name")).filter(key__in=names).values_list("key", "pk"))

    def _load_contracts(self, numbers: set[str]) -> dict[str, ContractRef]:
        contracts = Contract.objects.all() if self.actor is None else Contract.objects.visible_to(self.actor)
        rows = list(contracts.filter(number__in=numbers).values_list("number", "pk", "program_id", "vendor_id"))
        linked = defaultdict(set)
        for contract_id, project_id in Contract.projects.through.objects.filter(
            contract_id__in=[pk for _, pk, _, _ in rows]
        ).values_list("contract_id", "project_id"):
            linked[contract_id].add(project_id)
        return {
            number: ContractRef(pk, number, program_id, vendor_id, frozenset(linked[pk]))
            for number, pk, program_id, vendor_id in rows
        }

    # -- checking ---------------------------------------------------------------------------

    def start_pass(self) -> None:
        self._seen = defaultdict(set)

    def parse_chunk(self, rows: list[ParsedRow]) -> None:
        texts = [self.texts(row) for row in rows]
        self.projects.prime(code(t["project"]) for t in texts)
        self.categories.prime(code(t["category"]) for t in texts)
        self.vendors.prime(t["vendor"].lower() for t in texts)
        self.contracts.prime(t["contract"] for t in texts)
        currencies = {code(t["currency"]) for t in texts}
        for t in texts:
            ref = self.projects.get(code(t["project"]))
            if ref is not None:
                currencies.add(ref.base_currency)
                if t["task"]:
                    t["_task_key"] = (ref.pk, t["task"])
        self.currencies.prime(currencies)
        self.tasks.prime(t["_task_key"] for t in texts if "_task_key" in t)
        for row, t in zip(rows, texts, strict=True):
            self._check(row, t)

    def _check(self, row: ParsedRow, t: dict[str, str]) -> None:
        day = self.read(row, "date", cell.date, self.date_format)
        amount = self.read(row, "amount", cell.amount)
        external_ref = self.read(row, "external_ref", cell.required_text, limit=EXTERNAL_REF_LIMIT)

        project = None
        if not t["project"]:
            self.error(row, "project", cell.REQUIRED)
        else:
            project = self.projects.get(code(t["project"]))
            if project is None:
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

        currency = None
        wanted = code(t["currency"]) or (project.base_currency if project else "")
        if wanted:
            currency = self.currencies.get(wanted)
            if currency is None:
                self.error(row, "currency", UNKNOWN_CURRENCY.format(value=cell.shown(wanted)))

        source = self.default_source
        if t["source"]:
            source = SOURCE_NAMES.get(t["source"].lower())
            if source is None:
                choices = ", ".join(CostEntry.Source.values)
                self.error(row, "source", UNKNOWN_SOURCE.format(value=cell.shown(t["source"]), choices=choices))

        task = None
        if t["task"] and project is not None:
            task = self.tasks.get((project.pk, t["task"]))
            if task is None:
                self.error(row, "task", UNKNOWN_TASK.format(project=project.code, value=cell.shown(t["task"])))

        vendor = None
        if t["vendor"]:
            vendor = self.vendors.get(t["vendor"].lower())
            if vendor is None:
                self.error(row, "vendor", UNKNOWN_VENDOR.format(value=cell.shown(t["vendor"])))

        contract = None
        if t["contract"]:
            contract = self.contracts.get(t["contract"])
            if contract is None:
                self.error(row, "contract", UNKNOWN_CONTRACT.format(value=cell.shown(t["contract"])))
        if contract is not None:
            if project is not None and contract.program_id != project.program_id:
                self.error(
                    row, "contract", CONTRACT_OTHER_PROGRAM.format(contract=contract.number, project=project.code)
                )
            elif project is not None and source == CostEntry.Source.INVOICE and project.pk not in contract.project_ids:
                self.error(
                    row, "contract", INVOICE_PROJECT_NOT_LINKED.format(contract=contract.number, project=project.code)
                )
            if vendor is not None and vendor != contract.vendor_id:
                self.error(
                    row,
                    "vendor",
                    VENDOR_NOT_CONTRACT_VENDOR.format(value=cell.shown(t["vendor"]), contract=contract.number),
                )
            vendor = contract.vendor_id
        elif source == CostEntry.Source.INVOICE and not t["contract"]:
            self.error(row, "contract", INVOICE_NEEDS_CONTRACT)

        if external_ref and source:
            seen = self._seen[source]
            if external_ref in seen:
                self.error(row, "external_ref", DUPLICATE_REF.format(value=cell.shown(external_ref), source=source))
            seen.add(external_ref)

        if not row.errors:
            row.item = EntryValues(
                project.pk,
                task,
                category,
                day,
                amount,
                currency,
                source,
                external_ref,
                vendor,
                contract.pk if contract else None,
                t["description"],
            )

    # -- writing ------------------------------------------------------------------------------

    def _existing(self, rows: list[ParsedRow]) -> set[tuple[str, str]]:
        """(source, external_ref) of the rows' entries already in the database."""
        by_source = defaultdict(set)
        for row in rows:
            by_source[row.item.source].add(row.item.external_ref)
        found = set()
        for source, refs in by_source.items():
            # The "not empty" condition repeats the unique index's, so PostgreSQL can use it.
            taken = CostEntry.objects.filter(source=source, external_ref__in=refs).exclude(external_ref="").order_by()
            found.update((source, ref) for ref in taken.values_list("external_ref", flat=True))
        return found

    def annotate_existing(self, rows: list[ParsedRow]) -> None:
        existing = self._existing(rows)
        for row in rows:
            row.note = ALREADY_IMPORTED if (row.item.source, row.item.external_ref) in existing else NEW

    def write_chunk(self, rows: list[ParsedRow]) -> tuple[int, int, int]:
        existing = self._existing(rows)
        new = [row.item for row in rows if (row.item.source, row.item.external_ref) not in existing]
        insert_rows(CostEntry, new)
        for entry in new:
            self.touch(entry.project_id)
        return len(new), 0, len(rows) - len(new)
