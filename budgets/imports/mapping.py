"""What an import reads from a file: its fields, and which column holds each.

A mapping is a dict from a field name ("date", "amount", …) to the header of the column that
holds it; a field left out (or mapped to "") is not read. `propose_mapping` guesses one from
the headers, so most ledger exports need no editing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

UNKNOWN_FIELD = "“{field}” is not a field of this import; the fields are: {fields}."
UNKNOWN_COLUMN = "{field}: the file has no column “{column}”."
MISSING_FIELDS = "Map a column to {fields}: {why}"
NOT_A_MAPPING = 'The mapping is a JSON object such as {"date": "Posting date", "amount": "Amount"}.'


@dataclass(frozen=True)
class ImportField:
    name: str
    label: str
    required: bool
    synonyms: tuple[str, ...]
    help: str = ""


ACTUALS_FIELDS: dict[str, ImportField] = {
    f.name: f
    for f in (
        ImportField(
            "date",
            "Date",
            True,
            ("date", "posting date", "transaction date", "booking date", "document date", "entry date", "value date"),
            "The day the cost was incurred.",
        ),
        ImportField(
            "amount",
            "Amount",
            True,
            ("amount", "net amount", "cost", "value", "amount local", "total", "sum"),
            "Negative for a credit or reversal.",
        ),
        ImportField(
            "currency",
            "Currency",
            False,
            ("currency", "ccy", "curr", "currency code", "cur"),
            "Default: the base currency.",
        ),
        ImportField(
            "category",
            "Cost category code",
            True,
            ("category", "category code", "cost category", "cost code", "cost element", "expense category"),
        ),
        ImportField(
            "project", "Project code", True, ("project", "project code", "project id", "project number", "proj")
        ),
        ImportField(
            "task",
            "Task (external ref or outline number)",
            False,
            ("task", "task ref", "task external ref", "task id", "outline", "outline number", "wbs", "activity"),
        ),
        ImportField(
            "source",
            "Source",
            False,
            ("source", "source system", "origin", "ledger"),
            "manual, ledger, invoice or timesheet. Default: the import's source.",
        ),
        ImportField(
            "external_ref",
            "External reference",
            True,
            (
                "external ref",
                "external reference",
                "reference",
                "ref",
                "document number",
                "document no",
                "doc no",
                "line id",
                "transaction id",
                "entry id",
                "journal line",
                "voucher",
                "invoice number",
            ),
            "Unique within its source: a row already imported is skipped.",
        ),
        ImportField("vendor", "Vendor", False, ("vendor", "supplier", "vendor name", "supplier name", "payee")),
        ImportField(
            "contract",
            "Contract number",
            False,
            ("contract", "contract number", "contract no", "purchase order", "po", "po number"),
        ),
        ImportField(
            "description", "Description", False, ("description", "text", "memo", "narrative", "details", "line text")
        ),
    )
}

BUDGET_FIELDS: dict[str, ImportField] = {
    f.name: f
    for f in (
        ImportField("project", "Project code", True, ("project", "project code", "project id", "proj")),
        ImportField(
            "category", "Cost category code", True, ("category", "category code", "cost category", "cost code")
        ),
        ImportField("fiscal_year", "Fiscal year", False, ("fiscal year", "fy", "year", "budget year")),
        ImportField(
            "period", "Period number (1-12)", False, ("period", "period number", "fiscal period", "month", "period no")
        ),
        ImportField(
            "date", "Date (instead of year and period)", False, ("date", "period date", "period start", "month start")
        ),
        ImportField("amount", "Amount", True, ("amount", "budget", "budget amount", "value", "total")),
        ImportField("currency", "Currency", False, ("currency", "ccy", "curr", "currency code")),
        ImportField(
            "version",
            "Budget version",
            False,
            ("version", "budget version", "baseline"),
            "original or current. Default: current.",
        ),
    )
}

FIELDS_BY_KIND = {"actuals": ACTUALS_FIELDS, "budget": BUDGET_FIELDS}


def normalise(text: str) -> str:
    """A header as compared: lower case, words separated by single spaces, no punctuation."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def propose_mapping(headers: list[str], fields: dict[str, ImportField]) -> dict[str, str]:
    """Guess which column holds each field: a header equal to one of the field's names first,
    then a header that contains one (longest name first). A column is used once."""
    normalised = {header: normalise(header) for header in headers}
    used: set[str] = set()
    proposal: dict[str, str] = {}

    def take(field: ImportField, header: str) -> None:
        proposal[field.name] = header
        used.add(header)

    for field in fields.values():
        names = {normalise(s) for s in field.synonyms} | {normalise(field.name), normalise(field.label)}
        exact = next((h for h in headers if h not in used and normalised[h] in names), None)
        if exact:
            take(field, exact)
    for field in fields.values():
        if field.name in proposal:
            continue
        for synonym in sorted(field.synonyms, key=len, reverse=True):
            pattern = re.compile(rf"\b{re.escape(normalise(synonym))}\b")
            found = next((h for h in headers if h not in used and pattern.search(normalised[h])), None)
            if found and len(normalise(synonym)) > 2:
                take(field, found)
                break
    return proposal


def check_mapping(mapping, headers: list[str], fields: dict[str, ImportField]) -> dict[str, str]:
    """The mapping without blank entries, or a ValidationError on `mapping` naming every
    unknown field, missing column and unmapped required field."""
    if not isinstance(mapping, dict) or not all(isinstance(v, str | None) for v in mapping.values()):
        raise ValidationError({"mapping": NOT_A_MAPPING})
    clean = {str(k): v for k, v in mapping.items() if v}
    problems = []
    for name, column in clean.items():
        if name not in fields:
            problems.append(UNKNOWN_FIELD.format(field=name, fields=", ".join(fields)))
        elif column not in headers:
            problems.append(UNKNOWN_COLUMN.format(field=name, column=column))
    missing = [name for name, f in fields.items() if f.required and name not in clean]
    if missing:
        # People read the labels; API clients map by the names in brackets.
        named = ", ".join(f"{fields[name].label} ({name})" for name in missing)
        problems.append(MISSING_FIELDS.format(fields=named, why="they are required."))
    if fields is BUDGET_FIELDS and "date" not in clean and not {"fiscal_year", "period"} <= clean.keys():
        problems.append(
            MISSING_FIELDS.format(fields="date, or fiscal_year and period", why="each line needs a period.")
        )
    if problems:
        raise ValidationError({"mapping": problems})
    return clean
