"""Roles and what they may do. A role on a portfolio or program applies to everything below it."""

from django.db import models


class Role(models.TextChoices):
    PORTFOLIO_ADMIN = "portfolio_admin", "Portfolio admin"
    EXECUTIVE = "executive", "Executive"
    PROGRAM_MANAGER = "program_manager", "Program manager"
    PROJECT_MANAGER = "project_manager", "Project manager"
    TEAM_MEMBER = "team_member", "Team member"
    FINANCE_ANALYST = "finance_analyst", "Finance analyst"


# Who may edit a program's own fields (and manage its memberships).
PROGRAM_EDITORS = (Role.PORTFOLIO_ADMIN, Role.PROGRAM_MANAGER)
# Who may edit a project and submit its status reports.
PROJECT_EDITORS = (Role.PORTFOLIO_ADMIN, Role.PROGRAM_MANAGER, Role.PROJECT_MANAGER)
# Who may edit the portfolio itself, its objectives and create programs in it.
PORTFOLIO_EDITORS = (Role.PORTFOLIO_ADMIN,)
# Who may edit a project's money: budget lines, actual costs, forecasts, project reserve drawdowns.
FINANCE_EDITORS = (Role.PORTFOLIO_ADMIN, Role.PROGRAM_MANAGER, Role.PROJECT_MANAGER, Role.FINANCE_ANALYST)
# Who may edit a program's money (held on the program or its portfolio): lifecycle cost
# estimates, contracts, program reserve drawdowns; and the shared vendor register.
PROGRAM_FINANCE_EDITORS = (Role.PORTFOLIO_ADMIN, Role.PROGRAM_MANAGER, Role.FINANCE_ANALYST)
# Who may maintain shared finance reference data — currencies, exchange rates, cost categories
# and fiscal calendars — when held on a portfolio.
REFERENCE_DATA_EDITORS = (Role.PORTFOLIO_ADMIN, Role.FINANCE_ANALYST)
