"""What a tolerant import drops or repairs, counted and grouped for the import preview.

A schedule file is never refused for a value Keel does not use (an assignment's remaining work,
what Project computed for a task, the project's finish date ...): the reader drops or repairs
such a value and notes it here. What Keel does use and cannot read still refuses the file
(:class:`~projects.scheduling.mspdi_model.ScheduleImportError`).

The reader notes into the :class:`RepairLog` of the current :func:`collecting` block (a context
variable, so the reader's signature stays as it is); outside such a block the notes are dropped.
The preview shows :meth:`RepairLog.lines`: one line per kind of repair, with its count and the
first few places, e.g. "12 assignments: negative remaining work set to 0".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

EXAMPLES_SHOWN = 3

# Plural forms of the subjects the readers use.
_PLURALS = {"project": "project"}  # the others take an "s"


@dataclass(frozen=True, slots=True)
class RepairLine:
    """One kind of repair: `count` `subject`s had `what` done to them (`examples`: where)."""

    subject: str
    what: str
    count: int
    examples: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        noun = self.subject if self.count == 1 else _PLURALS.get(self.subject, self.subject + "s")
        return f"{self.count:,} {noun}: {self.what}"

    @property
    def more(self) -> int:
        """How many places are not among the examples."""
        return max(0, self.count - len(self.examples))


@dataclass(slots=True)
class RepairLog:
    """Repairs in the order first seen, grouped by (subject, what)."""

    _groups: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, subject: str, what: str, where: str = "") -> None:
        self._groups.setdefault((subject, what), []).append(where)

    def copy(self) -> RepairLog:
        return RepairLog({key: list(places) for key, places in self._groups.items()})

    def count(self, subject: str | None = None) -> int:
        return sum(len(places) for (s, _w), places in self._groups.items() if subject in (None, s))

    def lines(self) -> list[RepairLine]:
        return [
            RepairLine(subject, what, len(places), tuple(p for p in places if p)[:EXAMPLES_SHOWN])
            for (subject, what), places in self._groups.items()
        ]

    def __bool__(self) -> bool:
        return bool(self._groups)


_current: ContextVar[RepairLog | None] = ContextVar("keel_schedule_repairs", default=None)


@contextmanager
def collecting(log: RepairLog | None = None) -> Iterator[RepairLog]:
    """Collect the repairs made inside the block into `log` (a new one when not given)."""
    log = log if log is not None else RepairLog()
    token = _current.set(log)
    try:
        yield log
    finally:
        _current.reset(token)


def note(subject: str, what: str, where: str = "") -> None:
    """Record a repair in the current log (nothing outside a :func:`collecting` block)."""
    log = _current.get()
    if log is not None:
        log.add(subject, what, where)
