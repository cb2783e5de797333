"""The home page by role (`/`): where each role lands, what the project manager's and the finance
analyst's homes list, the `?view=` switch, and that their query counts do not grow with rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from budgets.models import ImportJob
from portfolio.models import Membership
from projects.models import Project
from reporting import homes
from reporting.services.alerts import period_end_of
from reporting.views import home as home_view
from risks.models import Risk
from tests.conftest import login, seed_small_demo
from tests.factories.governance import StageGateFactory
from tests.factories.portfolio import MembershipFactory, PortfolioFactory, ProgramFactory
from tests.factories.projects import ProjectFactory, StatusReportFactory, TaskFactory
from tests.factories.reporting import ProjectRollupFactory
from tests.factories.risks import RiskFactory
from tests.factories.users import UserFactory

Role = Membership.Role
HOME = reverse("portfolio:home")
BOARD_URL = "/portfolios/{pk}/board/"


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries), response


def board_installed() -> bool:
    try:
        reverse("reporting:portfolio-board", args=[1])
    except NoReverseMatch:
        return False
    return True


@pytest.fixture
def with_board(monkeypatch):
    """Behave as if the portfolio board (built alongside) were installed, whether or not it is."""
    if not board_installed():
        monkeypatch.setattr(home_view, "_board_url", lambda pk: BOARD_URL.format(pk=pk))


@pytest.fixture
def finance_analyst(portfolio):
    user = UserFactory(username="fa")
    MembershipFactory(user=user, role=Role.FINANCE_ANALYST, portfolio=portfolio)
    return user


def now():
    return timezone.now()


def today():
    return timezone.localdate()


# --- Where each role lands ---------------------------------------------------------------------


@pytest.mark.django_db
class TestLanding:
    def test_project_manager_lands_on_my_projects(self, client_for, project_manager, project):
        response = client_for(project_manager).get(HOME)
        assert response.status_code == 200
        assert response.context["view"] == homes.PROJECTS
        assert [p.code for p in response.context["home"].projects.items] == ["MOD-ERP"]
        assert b"<h1>My projects</h1>" in response.content

    def test_finance_analyst_lands_on_finance(self, client_for, finance_analyst, project):
        response = client_for(finance_analyst).get(HOME)
        assert response.status_code == 200
        assert response.context["view"] == homes.FINANCE

    def test_program_manager_of_one_program_lands_on_its_cockpit(self, client_for, owner, program):
        response = client_for(owner).get(HOME)
        assert response.status_code == 302
        assert response["Location"] == reverse("portfolio:program-detail", args=["MOD"])

    def test_program_manager_of_several_programs_gets_the_list_with_health(self, client_for, owner, program):
        other = ProgramFactory(portfolio=program.portfolio, code="OPS", name="Operations")
        MembershipFactory(user=owner, role=Role.PROGRAM_MANAGER, program=other)
        ProgramFactory(portfolio=program.portfolio, code="HIDDEN")
        response = client_for(owner).get(HOME)
        assert response.status_code == 200
        assert [p.code for p in response.context["programs"]] == ["MOD", "OPS"]
        assert all(p.rollup_state for p in response.context["programs"])
        body = response.content.decode()
        assert reverse("portfolio:program-detail", args=["OPS"]) in body
        assert "HIDDEN" not in body

    def test_executive_of_one_portfolio_lands_on_its_board(self, client_for, executive, portfolio, with_board):
        response = client_for(executive).get(HOME)
        assert response.status_code == 302
        assert response["Location"] == home_view._board_url(portfolio.pk)

    def test_executive_of_several_portfolios_gets_a_link_to_each_board(
        self, client_for, executive, portfolio, with_board
    ):
        second = PortfolioFactory(code="GOV", name="Government")
        MembershipFactory(user=executive, role=Role.EXECUTIVE, portfolio=second)
        PortfolioFactory(code="NOPE", name="Not theirs")
        response = client_for(executive).get(HOME)
        assert response.status_code == 200
        assert {p.code for p in response.context["portfolios"]} == {"CORP", "GOV"}
        body = response.content.decode()
        assert home_view._board_url(second.pk) in body
        assert "Not theirs" not in body

    def test_executive_gets_the_overview_while_the_board_is_not_installed(
        self, client_for, executive, program, monkeypatch
    ):
        monkeypatch.setattr(home_view, "_board_url", lambda pk: None)
        response = client_for(executive).get(HOME)
        assert response.status_code == 200
        assert response.context["view"] == homes.OVERVIEW
        assert response.context["portfolios"][0].programs_with_health[0] == program

    @pytest.mark.parametrize("who", ["member", "admin"])
    def test_team_member_and_admin_get_the_overview(self, client_for, request, project, portfolio, who):
        if who == "member":
            user = request.getfixturevalue("member")
        else:
            user = UserFactory(username="padmin")
            MembershipFactory(user=user, role=Role.PORTFOLIO_ADMIN, portfolio=portfolio)
        response = client_for(user).get(HOME)
        assert response.status_code == 200
        assert response.context["view"] == homes.OVERVIEW
        assert response.context["switch_to"] == []
        assert b"Switch to" not in response.content

    def test_each_demo_login_lands_where_its_role_says(self):
        seed_small_demo()
        from django.contrib.auth import get_user_model

        users = {u.username: u for u in get_user_model().objects.filter(is_active=True)}

        def land(username):
            return login(users[username]).get(HOME)

        pm = land("project_manager")
        assert pm.status_code == 200
        assert pm.context["view"] == homes.PROJECTS
        assert pm.context["home"].projects.total >= 1
        fa = land("finance_analyst")
        assert fa.status_code == 200
        assert fa.context["view"] == homes.FINANCE
        prog = land("program_manager")
        assert prog.status_code == 302
        assert prog["Location"].startswith("/programs/")
        tm = land("team_member")
        assert tm.status_code == 200
        assert tm.context["view"] == homes.OVERVIEW
        ex = land("executive")
        if board_installed():
            assert ex.status_code in (200, 302)
            assert ex.status_code == 302 or ex.context["view"] == homes.BOARD
        else:
            assert ex.status_code == 200
            assert ex.context["view"] == homes.OVERVIEW


# --- The ?view= switch -------------------------------------------------------------------------


@pytest.mark.django_db
class TestViewSwitch:
    @pytest.fixture
    def pm_and_finance(self, project_manager, portfolio):
        MembershipFactory(user=project_manager, role=Role.FINANCE_ANALYST, portfolio=portfolio)
        return project_manager

    def test_most_senior_view_wins_and_the_others_are_offered(self, client_for, pm_and_finance):
        response = client_for(pm_and_finance).get(HOME)
        assert response.context["view"] == homes.PROJECTS
        assert [key for key, _ in response.context["switch_to"]] == [homes.FINANCE, homes.OVERVIEW]
        body = response.content.decode()
        assert "Switch to:" in body
        assert f'href="{HOME}?view=finance"' in body
        assert f'href="{HOME}?view=overview"' in body

    def test_view_parameter_switches_the_home(self, client_for, pm_and_finance):
        client = client_for(pm_and_finance)
        finance = client.get(HOME, {"view": "finance"})
        assert finance.status_code == 200
        assert finance.context["view"] == homes.FINANCE
        assert [key for key, _ in finance.context["switch_to"]] == [homes.PROJECTS, homes.OVERVIEW]
        overview = client.get(HOME, {"view": "overview"})
        assert overview.context["view"] == homes.OVERVIEW
        assert "portfolios" in overview.context

    def test_program_manager_can_ask_for_the_list_of_one_program(self, client_for, owner, program):
        response = client_for(owner).get(HOME, {"view": "programs"})
        assert response.status_code == 200
        assert [p.code for p in response.context["programs"]] == ["MOD"]

    @pytest.mark.parametrize("value", ["bogus", "", "PROJECTS"])
    def test_unknown_view_is_400_naming_view(self, client_for, project_manager, value):
        response = client_for(project_manager).get(HOME, {"view": value})
        assert response.status_code == 400
        assert "view:" in response.content.decode()

    def test_a_view_the_roles_do_not_give_is_400_naming_view(self, client_for, member):
        response = client_for(member).get(HOME, {"view": "finance"})
        assert response.status_code == 400
        assert "view:" in response.content.decode()
        assert "overview" in response.content.decode()


# --- Project manager's home --------------------------------------------------------------------


@pytest.mark.django_db
class TestProjectManagerHome:
    def test_lists_reports_due_this_month_and_overdue_from_last(self, client_for, project_manager, project):
        period, previous = period_end_of(today()), today().replace(day=1) - dt.timedelta(days=1)
        reported = ProjectFactory(program=project.program, code="MOD-CRM")
        MembershipFactory(user=project_manager, role=Role.PROJECT_MANAGER, project=reported)
        StatusReportFactory(project=reported, period_end=previous)
        StatusReportFactory(project=reported, period_end=period)
        later = ProjectFactory(
            program=project.program,
            code="MOD-LATE",
            planned_start=period + dt.timedelta(days=5),
            planned_finish=period + dt.timedelta(days=90),
        )
        MembershipFactory(user=project_manager, role=Role.PROJECT_MANAGER, project=later)

        response = client_for(project_manager).get(HOME)
        home = response.context["home"]
        assert [p.code for p in home.reports_overdue.items] == ["MOD-ERP"]
        assert [p.code for p in home.reports_due.items] == ["MOD-ERP"]
        body = response.content.decode()
        assert "Overdue" in body
        assert reverse("projects:status-report-create", args=["MOD-ERP"]) in body
        assert reverse("projects:status-report-create", args=["MOD-CRM"]) not in body

    def test_lists_late_tasks_and_tasks_starting_in_14_days(self, client_for, project_manager, project):
        t = now()
        late = TaskFactory(
            project=project,
            name="Migrate ledgers",
            start=t - dt.timedelta(days=9),
            finish=t - dt.timedelta(days=2),
            percent_complete=Decimal(50),
        )
        TaskFactory(
            project=project,
            name="Done already",
            start=t - dt.timedelta(days=9),
            finish=t - dt.timedelta(days=2),
            percent_complete=Decimal(100),
        )
        soon = TaskFactory(
            project=project, name="Train users", start=t + dt.timedelta(days=3), finish=t + dt.timedelta(days=6)
        )
        TaskFactory(project=project, name="Far away", start=t + dt.timedelta(days=20), finish=t + dt.timedelta(days=25))
        elsewhere = ProjectFactory(program=project.program, code="MOD-NOT-MINE")
        TaskFactory(
            project=elsewhere,
            name="Someone else's",
            start=t - dt.timedelta(days=9),
            finish=t - dt.timedelta(days=2),
            percent_complete=Decimal(0),
        )

        response = client_for(project_manager).get(HOME)
        home = response.context["home"]
        assert home.tasks_late.items == [late]
        assert home.tasks_starting.items == [soon]
        body = response.content.decode()
        assert "Migrate ledgers" in body
        assert "Train users" in body
        assert "Someone else" not in body
        assert "Far away" not in body
        assert reverse("projects:schedule", args=["MOD-ERP"]) in body

    def test_lists_open_risks_the_user_owns(self, client_for, project_manager, project):
        mine = RiskFactory(project=project, owner=project_manager, title="Vendor may be late")
        RiskFactory(project=project, owner=project_manager, title="Old one", status=Risk.Status.CLOSED)
        RiskFactory(project=project, owner=UserFactory(), title="Not mine")
        response = client_for(project_manager).get(HOME)
        assert response.context["home"].risks.items == [mine]
        body = response.content.decode()
        assert reverse("risks:risk-detail", args=[mine.pk]) in body
        assert "Old one" not in body
        assert "Not mine" not in body

    def test_lists_pending_gates_due_in_30_days_and_overdue(self, client_for, project_manager, project):
        soon = StageGateFactory(project=project, planned_date=today() + dt.timedelta(days=10), name="Go live")
        overdue = StageGateFactory(
            project=project,
            from_phase="planning",
            to_phase="execution",
            planned_date=today() - dt.timedelta(days=5),
            name="Build start",
        )
        StageGateFactory(
            project=project,
            from_phase="execution",
            to_phase="closing",
            planned_date=today() + dt.timedelta(days=60),
            name="Far gate",
        )
        response = client_for(project_manager).get(HOME)
        assert response.context["home"].gates.items == [overdue, soon]
        body = response.content.decode()
        assert reverse("governance:gate-detail", args=["MOD-ERP", soon.pk]) in body
        assert "Far gate" not in body

    def test_lists_are_bounded_with_and_more(self, client_for, project_manager, project):
        t = now()
        for n in range(homes.HOME_LIST_SIZE + 3):
            TaskFactory(
                project=project,
                start=t - dt.timedelta(days=9),
                finish=t - dt.timedelta(days=1, minutes=n),
                percent_complete=Decimal(0),
            )
        response = client_for(project_manager).get(HOME)
        late = response.context["home"].tasks_late
        assert (len(late.items), late.total, late.more) == (homes.HOME_LIST_SIZE, homes.HOME_LIST_SIZE + 3, 3)
        assert "and 3 more" in response.content.decode()

    def test_shows_computed_health_beside_reported(self, client_for, project_manager, project):
        ProjectRollupFactory(project=project, health_overall="red", health_reasons={"overall": "CPI 0.80 < 0.90"})
        StatusReportFactory(project=project, overall_rag="green")
        Project.objects.filter(pk=project.pk).update(latest_status_report=project.status_reports.get())
        body = client_for(project_manager).get(HOME).content.decode()
        assert "CPI 0.80 &lt; 0.90" in body
        assert 'class="rag rag-red"' in body
        assert 'class="rag rag-green"' in body

    def test_query_count_does_not_grow_with_projects(self, client_for, project_manager, program):
        def add(n):
            t = now()
            for _ in range(n):
                project = ProjectFactory(program=program, manager=project_manager)
                MembershipFactory(user=project_manager, role=Role.PROJECT_MANAGER, project=project)
                ProjectRollupFactory(project=project)
                TaskFactory(
                    project=project,
                    start=t - dt.timedelta(days=5),
                    finish=t - dt.timedelta(days=1),
                    percent_complete=Decimal(10),
                )
                TaskFactory(project=project, start=t + dt.timedelta(days=2), finish=t + dt.timedelta(days=4))
                RiskFactory(project=project, owner=project_manager)
                StageGateFactory(project=project, planned_date=today() + dt.timedelta(days=3))

        client = client_for(project_manager)
        add(2)
        small, _ = count_queries(client, HOME)
        add(8)
        large, response = count_queries(client, HOME)
        assert response.context["home"].projects.total == 11  # the fixture's project too
        assert small == large
        print(f"\nQUERIES home (project manager): {large}")


# --- Finance analyst's home --------------------------------------------------------------------


def import_job(user, **fields):
    values = {"kind": "actuals", "filename": "ledger.csv", "file": "imports/ledger.csv"} | fields
    return ImportJob.objects.create(user=user, **values)


@pytest.mark.django_db
class TestFinanceHome:
    def test_lists_recent_imports_freshness_and_variances(self, client_for, finance_analyst, program, project):
        stale = ProjectFactory(program=program, code="MOD-OLD")
        ProjectRollupFactory(
            project=stale,
            last_actuals_on=today() - dt.timedelta(days=100),
            health_freshness="red",
            vac=Decimal("-50000.00"),
            cpi=Decimal("0.70"),
        )
        ProjectRollupFactory(
            project=project,
            last_actuals_on=today() - dt.timedelta(days=3),
            health_freshness="green",
            vac=Decimal("-1000.00"),
            cpi=Decimal("0.98"),
        )
        under = ProjectFactory(program=program, code="MOD-OK")
        ProjectRollupFactory(project=under, last_actuals_on=today() - dt.timedelta(days=10), vac=Decimal("2000.00"))
        job = import_job(finance_analyst, status=ImportJob.Status.FAILED, error_count=3)
        import_job(UserFactory(), status=ImportJob.Status.DONE, filename="someone-else.csv")

        response = client_for(finance_analyst).get(HOME)
        home = response.context["home"]
        assert home.imports.items == [job]
        assert [p.code for p in home.freshness.items] == ["MOD-OLD", "MOD-OK", "MOD-ERP"]
        assert home.freshness.items[0].actuals_age_days == 100
        assert home.freshness.items[0].freshness == "red"
        assert [p.code for p in home.variances.items] == ["MOD-OLD", "MOD-ERP"]
        body = response.content.decode()
        assert reverse("budgets:import-detail", args=[job.pk]) in body
        assert "someone-else.csv" not in body
        assert "Failed" in body
        assert reverse("budgets:project-costs", args=["MOD-OLD"]) in body
        assert "-50,000.00" in body
        assert "0.70" in body

    def test_outsider_finance_analyst_sees_no_project_of_others(self, client_for, program, project):
        ProjectRollupFactory(project=project, vac=Decimal("-5.00"))
        stranger = UserFactory()
        MembershipFactory(user=stranger, role=Role.FINANCE_ANALYST, portfolio=PortfolioFactory())
        response = client_for(stranger).get(HOME)
        assert response.context["home"].freshness.items == []
        assert response.context["home"].variances.items == []
        assert b"MOD-ERP" not in response.content

    def test_query_count_does_not_grow_with_projects(self, client_for, finance_analyst, program):
        def add(n):
            for i in range(n):
                project = ProjectFactory(program=program)
                ProjectRollupFactory(
                    project=project,
                    last_actuals_on=today() - dt.timedelta(days=i),
                    vac=Decimal(-100 * (i + 1)),
                    cpi=Decimal("0.9"),
                )
                import_job(finance_analyst, status=ImportJob.Status.DONE)

        client = client_for(finance_analyst)
        add(3)
        small, _ = count_queries(client, HOME)
        add(12)
        large, response = count_queries(client, HOME)
        assert response.context["home"].freshness.total == 15
        assert small == large
        print(f"\nQUERIES home (finance analyst): {large}")


# --- Program manager's and executive's lists ---------------------------------------------------


@pytest.mark.django_db
def test_program_list_home_query_count_does_not_grow(client_for, owner, portfolio):
    def add(n):
        for _ in range(n):
            program = ProgramFactory(portfolio=portfolio)
            MembershipFactory(user=owner, role=Role.PROGRAM_MANAGER, program=program)
            ProjectFactory(program=program)

    client = client_for(owner)
    add(2)
    small, _ = count_queries(client, HOME)
    add(8)
    large, response = count_queries(client, HOME)
    assert len(response.context["programs"]) == 11
    assert small == large
    print(f"\nQUERIES home (program manager, list): {large}")


@pytest.mark.django_db
def test_board_list_home_query_count_does_not_grow(client_for, executive, with_board):
    def add(n):
        for _ in range(n):
            portfolio = PortfolioFactory()
            MembershipFactory(user=executive, role=Role.EXECUTIVE, portfolio=portfolio)
            ProjectFactory(program=ProgramFactory(portfolio=portfolio))

    client = client_for(executive)
    add(2)
    small, _ = count_queries(client, HOME)
    add(8)
    large, response = count_queries(client, HOME)
    assert len(response.context["portfolios"]) == 11
    assert small == large
    print(f"\nQUERIES home (executive, board list): {large}")
