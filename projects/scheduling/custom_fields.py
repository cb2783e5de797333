"""Three-point estimates carried in a schedule file's custom fields (pure; no ORM).

Microsoft Project keeps them in task custom fields (``ExtendedAttribute``: Duration1..10,
Number1..20, Text1..30, defined once under ``Project/ExtendedAttributes`` with an alias); a
Primavera ``.xer`` converted by MPXJ carries its user-defined fields (UDFs) the same way. The
import preview lists the fields the file has (:func:`custom_fields`); the user maps one to the
optimistic and one to the pessimistic duration (and a text field to the distribution, if the
file has one) — nothing is mapped unless the user chooses — and :func:`task_estimates` reads
the values per task UID.

Units: a Duration field is an ISO-8601 duration (``PT40H0M0S``), read in working minutes; a
Number or Text field holding a number is read in working days of ``minutes_per_day`` (480 by
default, the file's ``MinutesPerDay`` when given). A distribution text is matched loosely:
"triangular", "PERT"/"beta", "uniform" (also "rectangular").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .mspdi_model import MspdiDocument, ScheduleImportError

# FieldIDs of Microsoft Project's task custom fields most used for estimates, for files that
# leave the field undefined under Project/ExtendedAttributes (the value is still tagged by ID).
KNOWN_FIELD_IDS = {
    "188743783": "Duration1",
    "188743784": "Duration2",
    "188743785": "Duration3",
    "188743767": "Number1",
    "188743768": "Number2",
    "188743769": "Number3",
    "188743770": "Number4",
    "188743771": "Number5",
    "188743731": "Text1",
    "188743734": "Text2",
    "188743737": "Text3",
    "188743740": "Text4",
    "188743743": "Text5",
}

DURATION, NUMBER, TEXT, OTHER = "duration", "number", "text", "other"
DISTRIBUTION_WORDS = {
    "triangular": "triangular",
    "triangle": "triangular",
    "pert": "pert",
    "beta": "pert",
    "betapert": "pert",
    "uniform": "uniform",
    "rectangular": "uniform",
}
BAD_DURATION = "Task UID {uid}: custom field {field} {value!r} is not a duration"
BAD_NUMBER = "Task UID {uid}: custom field {field} {value!r} is not a number of days"
BAD_DISTRIBUTION = "Task UID {uid}: custom field {field} {value!r} is not triangular, PERT or uniform"


@dataclass(frozen=True, slots=True)
class CustomField:
    """A custom field of the file, as the mapping step offers it."""

    field_id: str
    name: str  # "Duration1"
    alias: str  # the user's name for it ("" when none)
    kind: str  # DURATION, NUMBER, TEXT or OTHER
    tasks: int  # how many tasks carry a value
    sample: str  # one value, to recognise the field

    @property
    def label(self) -> str:
        text = f"{self.alias} ({self.name})" if self.alias and self.alias != self.name else self.name
        return f"{text}: {self.tasks} task{'s' if self.tasks != 1 else ''}, e.g. {self.sample}"

    @property
    def holds_durations(self) -> bool:
        return self.kind in (DURATION, NUMBER, TEXT)


@dataclass(frozen=True, slots=True)
class EstimateMapping:
    """Which custom fields (FieldIDs) hold the estimate; None: not mapped."""

    optimistic: str | None = None
    pessimistic: str | None = None
    distribution: str | None = None

    def __bool__(self) -> bool:
        return bool(self.optimistic or self.pessimistic or self.distribution)


def _kind(name: str) -> str:
    for prefix, kind in (("Duration", DURATION), ("Number", NUMBER), ("Text", TEXT)):
        if re.fullmatch(prefix + r"\d+", name):
            return kind
    return OTHER


def custom_fields(document: MspdiDocument) -> list[CustomField]:
    """The task custom fields the file uses, in field order (defined ones first)."""
    defined = {f.field_id: f for f in document.custom_fields}
    counts: dict[str, int] = {}
    samples: dict[str, str] = {}
    for task in document.tasks:
        for field_id, value in task.extended_attributes:
            if value.strip():
                counts[field_id] = counts.get(field_id, 0) + 1
                samples.setdefault(field_id, value.strip()[:40])
    found = []
    for field_id in [*defined, *(f for f in counts if f not in defined)]:
        if field_id not in counts:
            continue
        definition = defined.get(field_id)
        name = (definition and definition.field_name) or KNOWN_FIELD_IDS.get(field_id) or f"Field {field_id}"
        alias = (definition and definition.alias) or ""
        found.append(
            CustomField(
                field_id=field_id,
                name=name,
                alias=alias,
                kind=_kind(name),
                tasks=counts[field_id],
                sample=samples[field_id],
            )
        )
    return found


_DURATION = re.compile(r"^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def _minutes(value: str, *, kind: str, minutes_per_day: int, uid: int, field: str) -> int:
    text = value.strip()
    if kind == DURATION or text.upper().startswith("P"):
        match = _DURATION.match(text.upper())
        if match is None or text.upper() in ("P", "PT"):
            raise ScheduleImportError(BAD_DURATION.format(uid=uid, field=field, value=value))
        days, hours, minutes, seconds = (Decimal(g or 0) for g in match.groups())
        total = days * 24 * 60 + hours * 60 + minutes + seconds / 60
        return int(total.to_integral_value())
    try:
        days = Decimal(text.replace(",", ".").removesuffix("d").removesuffix("days").strip())
    except InvalidOperation:
        raise ScheduleImportError(BAD_NUMBER.format(uid=uid, field=field, value=value)) from None
    if not days.is_finite():
        raise ScheduleImportError(BAD_NUMBER.format(uid=uid, field=field, value=value))
    return int((days * minutes_per_day).to_integral_value())


def distribution_of(value: str) -> str | None:
    key = re.sub(r"[^a-z]", "", value.lower())
    return DISTRIBUTION_WORDS.get(key)


def task_estimates(document: MspdiDocument, mapping: EstimateMapping) -> dict[int, dict]:
    """{task UID: {"optimistic_minutes", "pessimistic_minutes", "duration_distribution"}} for
    the tasks carrying a value in a mapped field (only the keys found). A value that cannot be
    read raises ScheduleImportError naming the task and the field."""
    if not mapping:
        return {}
    fields = {f.field_id: f for f in custom_fields(document)}
    minutes_per_day = document.project.minutes_per_day or 480
    found: dict[int, dict] = {}
    for task in document.tasks:
        values = dict(task.extended_attributes)
        entry = {}
        for key, field_id in (("optimistic_minutes", mapping.optimistic), ("pessimistic_minutes", mapping.pessimistic)):
            if field_id and values.get(field_id, "").strip():
                field = fields.get(field_id)
                kind = field.kind if field else TEXT
                name = field.name if field else field_id
                entry[key] = _minutes(
                    values[field_id], kind=kind, minutes_per_day=minutes_per_day, uid=task.uid, field=name
                )
        if mapping.distribution and values.get(mapping.distribution, "").strip():
            distribution = distribution_of(values[mapping.distribution])
            if distribution is None:
                name = fields[mapping.distribution].name if mapping.distribution in fields else mapping.distribution
                raise ScheduleImportError(
                    BAD_DISTRIBUTION.format(uid=task.uid, field=name, value=values[mapping.distribution])
                )
            entry["duration_distribution"] = distribution
        if entry:
            found[task.uid] = entry
    return found
