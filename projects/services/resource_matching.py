"""The seam through which the schedule import asks staffing who a file's resources are.

`projects` sits below `staffing` (staffing imports projects, never the reverse), yet the import
preview has a step where the user matches each resource of the file to a person or a role of
the project's resource pool. So projects defines what it needs here and staffing registers the
implementation when it loads (staffing.apps.StaffingConfig.ready). Without staffing installed
(or before it registers) nothing is matched and the mapping step is not shown.

Choices are strings: "person:<pk>", "role:<pk>", or "" (leave the resource unmatched).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

UNMATCHED = ""


@dataclass(frozen=True, slots=True)
class MatchOption:
    """One choice of the mapping step's select: `value` as above, `label` shown, `group`
    "People" or "Roles" (an optgroup)."""

    value: str
    label: str
    group: str


class ResourceMatcher(Protocol):
    def options(self, project) -> list[MatchOption]:
        """What a resource of `project` may be matched to (the people and roles of its pool)."""

    def apply(self, project, resources: Sequence, chosen: Mapping[str, str] | None) -> None:
        """Match `resources` (ScheduleResource rows of `project`): `chosen` maps a resource's
        external_ref to a choice the user made; every other resource keeps a match a user
        chose before, or is matched by e-mail, then by name. Raises ValidationError on
        `resources` for a choice outside `options`."""

    def current(self, project, resources: Sequence) -> dict[int, str]:
        """The choice each of `resources` (by pk) is matched to now ("" when unmatched)."""


_matcher: ResourceMatcher | None = None


def register_resource_matcher(matcher: ResourceMatcher | None) -> None:
    """Install `matcher` (staffing does, when it loads); None removes it."""
    global _matcher
    _matcher = matcher


def resource_matcher() -> ResourceMatcher | None:
    return _matcher
