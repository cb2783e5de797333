"""What the planning services share: the read-only rule, ownership checks, the edit right."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from core.services import StaleVersionError

from ..models import Scenario
from ..querysets import PLANNING_EDITORS, planning_portfolio_ids

SCENARIO_READ_ONLY = "This scenario is {status} and can no longer be changed; copy it into a new scenario."
PROJECT_OTHER_PORTFOLIO = "The project belongs to another portfolio."
ROLE_OTHER_PORTFOLIO = "The staffing role belongs to another portfolio."
PERIOD_OTHER_CALENDAR = "This fiscal period is not in the portfolio's fiscal calendar ({calendar})."
EDIT_DENIED = "Only the portfolio's admins build, optimise and commit its scenarios."


def refuse(field: str, message: str):
    raise ValidationError({field: message})


def may_plan(user, portfolio) -> bool:
    """Whether `user` may create, edit, optimise and commit scenarios of `portfolio`."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_active and user.is_superuser:
        return True
    return planning_portfolio_ids(user, PLANNING_EDITORS).filter(portfolio_id=portfolio.pk).exists()


def check_may_plan(user, portfolio) -> None:
    """PermissionDenied unless `user` (None: the system, e.g. a task) may plan `portfolio`."""
    if user is not None and not may_plan(user, portfolio):
        raise PermissionDenied(EDIT_DENIED)


def locked_draft(scenario: Scenario, expected_version: int | None = None) -> Scenario:
    """`scenario` re-read under a row lock; refused unless it is still a draft. Every write to a
    scenario's overlay goes through this, so a commit and an edit never interleave."""
    current = Scenario.objects.select_for_update().select_related("portfolio").get(pk=scenario.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleVersionError()
    if current.status != Scenario.Status.DRAFT:
        refuse("status", SCENARIO_READ_ONLY.format(status=current.get_status_display().lower()))
    return current


def check_project(scenario: Scenario, project) -> None:
    if project.program.portfolio_id != scenario.portfolio_id:
        refuse("project", PROJECT_OTHER_PORTFOLIO)
