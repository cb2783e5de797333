"""The demo logins: one per role plus a superuser, all with one published password."""

from dataclasses import dataclass

from portfolio.roles import Role

DEMO_PASSWORD = "keel-demo"  # noqa: S105 - the published demo password, printed on purpose
# Every user the seed creates has an address here; --reset deletes exactly those users.
DEMO_EMAIL_DOMAIN = "demo.keel.example"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str | None  # None: the superuser
    first_name: str
    last_name: str
    scope: str  # what the login is granted, for the printed table


DEMO_LOGINS = [
    DemoLogin("admin", None, "Ada", "Okoro", "superuser: everything, and Django admin at /admin/"),
    DemoLogin("portfolio_admin", Role.PORTFOLIO_ADMIN, "Priya", "Raman", "administers every portfolio"),
    DemoLogin("executive", Role.EXECUTIVE, "Edward", "Blake", "reads every portfolio (read-only)"),
    DemoLogin("program_manager", Role.PROGRAM_MANAGER, "Grace", "Mensah", "manages the first program"),
    DemoLogin("project_manager", Role.PROJECT_MANAGER, "Tom", "Fletcher", "manages two projects in it"),
    DemoLogin("team_member", Role.TEAM_MEMBER, "Maya", "Lindqvist", "works on two projects (read-only)"),
    DemoLogin("finance_analyst", Role.FINANCE_ANALYST, "Farid", "Haddad", "finance on every portfolio"),
]


def demo_logins_table(password: str = DEMO_PASSWORD) -> str:
    """The demo logins as a text table, for the command and `make run` to print."""
    lines = [f"Demo logins (password for all: {password})"]
    for login in DEMO_LOGINS:
        role = "superuser" if login.role is None else Role(login.role).label
        lines.append(f"  {login.username:<17} {role:<18} {login.scope}")
    return "\n".join(lines)
