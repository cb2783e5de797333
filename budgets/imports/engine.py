"""The shape every import shares: read the file in chunks, check every row, and only when no
row has an error write them all in one transaction.

Two passes over the file, so memory stays flat whatever its size:

1. VALIDATING reads every row, resolving codes chunk by chunk (one query per kind of code
   per chunk, whatever the chunk holds), and collects every row-level error. Nothing is
   written; any error ends the import here with the report.
2. IMPORTING reads the file again inside one transaction and bulk-writes each chunk (COPY on
   PostgreSQL, bulk_create elsewhere: see insert_rows). Rows already in the database (by their
   idempotency key) are skipped and counted, so a file imported twice adds nothing. If anything
   goes wrong, the transaction rolls back whole.

Checked rows stay plain tuples; model instances are only built where a write needs them. The
rows are validated with the same rules as the services' single-row writes, in bulk.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone

from core import changes
from core.models import AuditEntry
from projects.models import Project

from ..models.imports import MAX_STORED_ERRORS
from .files import TabularFile
from .mapping import ImportField, check_mapping
from .values import CellError, text

VALIDATING, IMPORTING = "validating", "importing"
CHUNK_ROWS = 2000
FILE_CHANGED = "The file changed while it was being imported; nothing was imported. Run the import again."

# progress(phase, rows processed in that phase, total rows or None when not known yet)
Progress = Callable[[str, int, int | None], None]


def _no_progress(phase: str, processed: int, total: int | None) -> None:
    return None


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem with one row: its spreadsheet row number, the import field and the file's
    column it concerns (None for a problem with the row as a whole), and why. `label` is the
    field's name for people, used when no column of the file holds the field.

    The text names the column as the uploaded file heads it ("Document No"), not the import's
    field name (`external_ref`): that is what the person fixing the file sees. `field` stays in
    `as_dict()` for programs."""

    row: int
    field: str | None
    column: str | None
    message: str
    label: str | None = None

    def __str__(self) -> str:
        if self.column:
            return f"row {self.row}, column “{self.column}”: {self.message}"
        if self.field:
            return f"row {self.row}, {self.label or self.field} (no column mapped): {self.message}"
        return f"row {self.row}: {self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "column": self.column, "message": self.message, "text": str(self)}


@dataclass
class ParsedRow:
    """A row as the import read it: the mapped cells as text, its errors, and (when it has
    none) `item`, what the importer will write. `note` says what the row would do, for the
    preview ("new", "already imported", "updates", "unchanged")."""

    number: int
    values: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    item: Any = None
    note: str = ""
    raw: dict = field(default_factory=dict, repr=False)

    @property
    def error_dicts(self) -> list[dict]:
        return [error.as_dict() for error in self.errors]


@dataclass
class ImportReport:
    """What an import did, or why it did nothing. Counts are rows; `errors` holds the first
    MAX_STORED_ERRORS row-level errors and `error_count` all of them."""

    kind: str
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0

    def add_errors(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.error_count += 1
            if len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append(error)


@dataclass
class Preview:
    headers: list[str]
    mapping: dict[str, str]
    rows: list[ParsedRow]


class Lookup:
    """Codes resolved in bulk and remembered: `prime(keys)` loads the keys not seen yet with
    one call of `load(keys) -> {key: value}`; `get(key)` is then a dict read (None: unknown)."""

    def __init__(self, load: Callable[[set], dict]):
        self._load = load
        self._found: dict = {}

    def prime(self, keys: Iterable) -> None:
        missing = {k for k in keys if k and k not in self._found}
        if missing:
            found = self._load(missing)
            for key in missing:
                self._found[key] = found.get(key)

    def get(self, key):
        return self._found.get(key)


def insert_rows(model: type[models.Model], rows: list[tuple]) -> None:
    """Insert `rows`, named tuples whose names are `model`'s column attributes (`project_id` …),
    with the model's timestamps and version set as a create would.

    On PostgreSQL this is a COPY (Postgres-only, for speed: a million-row ledger import otherwise
    spends most of its time building model instances and INSERT statements); everywhere else it
    is bulk_create. Both run inside the caller's transaction."""
    if not rows:
        return
    names = list(rows[0]._fields)
    now = timezone.now()
    attnames = {f.attname for f in model._meta.concrete_fields}
    stamps = {k: v for k, v in {"created_at": now, "updated_at": now, "version": 1}.items() if k in attnames}
    if connection.vendor == "postgresql":
        columns = ", ".join(connection.ops.quote_name(model._meta.get_field(n).column) for n in [*names, *stamps])
        table = connection.ops.quote_name(model._meta.db_table)
        extra = tuple(stamps.values())
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *extra))
        return
    model.objects.bulk_create([model(**row._asdict(), **stamps) for row in rows], batch_size=CHUNK_ROWS)


class Importer:
    """Base of the actuals and budget importers. Subclasses set `kind` and `fields` and
    implement `parse_chunk`, `write_chunk` and, for the preview, `annotate_existing`."""

    kind: str
    fields: dict[str, ImportField]

    def __init__(self, table: TabularFile, mapping: dict, *, actor, date_format: str = ""):
        self.table = table
        self.mapping = check_mapping(mapping, table.headers, self.fields)
        self._index = {name: table.headers.index(column) for name, column in self.mapping.items()}
        self.actor = actor
        self.date_format = date_format
        self.touched_projects: dict[int, int] = {}  # project id → rows written, for the audit
        self._blank = dict.fromkeys(self.fields, "")

    # -- helpers for subclasses ------------------------------------------------------------

    def cells(self, values: list) -> dict[str, Any]:
        """The mapped cells of a row, by field name."""
        return {name: values[index] for name, index in self._index.items()}

    def texts(self, row: ParsedRow) -> dict[str, str]:
        """Every field of the row as text: "" for an empty cell or an unmapped field."""
        return {**self._blank, **row.values}

    def error(self, row: ParsedRow, name: str | None, message: str) -> None:
        column = self.mapping.get(name) if name else None
        label = self.fields[name].label if name in self.fields else None
        row.errors.append(RowError(row.number, name, column, message, label))

    def read(self, row: ParsedRow, name: str, parse: Callable, *args, **kwargs):
        """`parse(cell, …)`, or None with the row error recorded."""
        try:
            return parse(row.raw.get(name), *args, **kwargs)
        except CellError as error:
            self.error(row, name, str(error))
            return None

    def _parsed(self, chunk: Iterable[tuple[int, list]]) -> list[ParsedRow]:
        rows = []
        for number, values in chunk:
            raw = self.cells(values)
            rows.append(ParsedRow(number, {name: text(raw[name]) for name in self.mapping}, raw=raw))
        return rows

    # -- subclass hooks ---------------------------------------------------------------------

    def start_pass(self) -> None:
        """Forget what the previous pass saw (duplicate keys within the file)."""

    def parse_chunk(self, rows: list[ParsedRow]) -> None:
        """Check each row, recording errors and, for a good row, setting `item`."""
        raise NotImplementedError

    def annotate_existing(self, rows: list[ParsedRow]) -> None:
        """Set each good row's `note` to what importing it would do (preview only)."""

    def write_chunk(self, rows: list[ParsedRow]) -> tuple[int, int, int]:
        """Write the chunk's rows; return (created, updated, skipped)."""
        raise NotImplementedError

    def audit(self, *, label: str) -> None:
        """One audit entry per project the import changed: who, when, how many rows, from where."""
        if not self.touched_projects:
            return
        projects = (
            Project.objects.filter(pk__in=self.touched_projects)
            .select_related("program")
            .only("pk", "code", "name", "program_id", "program__portfolio_id")
        )
        actor = self.actor if getattr(self.actor, "is_authenticated", False) else None
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    actor=actor,
                    action=AuditEntry.Action.UPDATE,
                    object_type=Project._meta.label_lower,
                    object_id=str(project.pk),
                    object_repr=str(project)[:200],
                    changes={f"{self.kind}_import": [None, f"{self.touched_projects[project.pk]} rows from {label}"]},
                    portfolio_id=project.program.portfolio_id,
                    program_id=project.program_id,
                    project_id=project.pk,
                )
                for project in projects
            ],
            batch_size=500,
        )

    def touch(self, project_id: int, rows: int = 1) -> None:
        self.touched_projects[project_id] = self.touched_projects.get(project_id, 0) + rows

    # -- the two entry points ---------------------------------------------------------------

    def preview(self, *, limit: int = 20) -> Preview:
        """The first `limit` rows as they would be imported, each with its errors (no writes)."""
        self.start_pass()
        rows = self._parsed(itertools.islice(self.table.rows(), limit))
        self.parse_chunk(rows)
        self.annotate_existing([r for r in rows if not r.errors])
        return Preview(headers=self.table.headers, mapping=self.mapping, rows=rows)

    def run(self, *, progress: Progress | None = None, estimate: int | None = None, label: str = "") -> ImportReport:
        """Validate every row, then import them all, or nothing (see the module docstring)."""
        progress = progress or _no_progress
        report = ImportReport(kind=self.kind)
        started = time.monotonic()

        self.start_pass()
        progress(VALIDATING, 0, estimate)
        for chunk in itertools.batched(self.table.rows(), CHUNK_ROWS):
            rows = self._parsed(chunk)
            self.parse_chunk(rows)
            for row in rows:
                report.add_errors(row.errors)
            report.total_rows += len(rows)
            progress(VALIDATING, report.total_rows, max(estimate or 0, report.total_rows))
        if not report.ok:
            report.seconds = time.monotonic() - started
            return report

        processed = 0
        progress(IMPORTING, 0, report.total_rows)
        # deferred(): however many chunks touch a project, the roll-ups hear of it once, after commit.
        with changes.deferred(), transaction.atomic():
            self.start_pass()
            for chunk in itertools.batched(self.table.rows(), CHUNK_ROWS):
                rows = self._parsed(chunk)
                self.parse_chunk(rows)
                if any(row.errors for row in rows) or processed + len(rows) > report.total_rows:
                    raise ValidationError({"file": FILE_CHANGED})
                created, updated, skipped = self.write_chunk(rows)
                report.created += created
                report.updated += updated
                report.skipped += skipped
                processed += len(rows)
                progress(IMPORTING, processed, report.total_rows)
            if processed != report.total_rows:
                raise ValidationError({"file": FILE_CHANGED})
            self.audit(label=label)
            changes.inputs_changed(projects=self.touched_projects)
        report.seconds = time.monotonic() - started
        return report
