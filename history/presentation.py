"""How an audit entry reads on a page: "who, when, before → after" rows, computed here so the
templates only loop."""

from dataclasses import dataclass


@dataclass
class Change:
    field: str
    before: str | None
    after: str | None


def changes_of(entry) -> list[Change]:
    rows = []
    for name, pair in sorted((entry.changes or {}).items()):
        if isinstance(pair, (list, tuple)) and len(pair) == 2:
            rows.append(Change(name.replace("_", " "), pair[0], pair[1]))
        else:
            rows.append(Change(name.replace("_", " "), None, str(pair)))
    return rows


def with_changes(entries) -> list:
    entries = list(entries)
    for entry in entries:
        entry.change_rows = changes_of(entry)
    return entries
