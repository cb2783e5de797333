"""HTML: portfolio home, program list, program page and program edit."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from core.services import STALE_VERSION
from portfolio.models import Membership, Program, ProgramObjective
from projects.models import Project, Rag
from projects.views import CODE_TAKEN
from tests.conftest import recompute_rollups
from tests.factories.governance import BenefitFactory, ChangeRequestFactory, StageGateFactory
from tests.factories.portfolio import (
    MembershipFactory,
    ProgramFactory,
    StrategicObjectiveFactory,
)
from tests.factories.projects import ProjectFactory, StatusReportFactory
from tests.factories.risks import RiskFactory
from tests.factories.staffing import AllocationFactory, StaffingRequestFactory
from tests.factories.users import UserFactory

# The portfolio overview; each role's own home is tested in tests/reporting/test_homes.py.
HOME = reverse("portfolio:home") + "?view=overview"
PROGRAMS = reverse("portfolio:program-list")
PROGRAM = reverse("portfolio:program-detail", args=["MOD"])
PROGRAM_EDIT = reverse("portfolio:program-edit", args=["MOD"])
PROJECT_CREATE = reverse("projects:project-create", args=["MOD"])


def report(project, rag: str, period_end=datetime.date(2026, 10, 31), **fields):
    """A status report made the project's latest, as status_report_submit would."""
    row = StatusReportFactory(project=project, overall_rag=rag, period_end=period_end, **fields)
    Project.objects.filter(pk=project.pk).update(latest_status_report=row)
    return row


def program_form_data(program: Program, **changes) -> dict:
    data = {
        "name": program.name,
        "description": program.description,
        "status": program.status,
        "manager": program.manager_id or "",
        "sponsor": program.sponsor_id or "",
        "start_date": program.start_date or "",
        "finish_date": program.finish_date or "",
        "contingency_reserve": program.contingency_reserve,
        "version": program.version,
    }
    data.update(changes)
    return data


def project_form_data(**changes) -> dict:
    data = {
        "code": "MOD-CRM",
        "name": "CRM rollout",
        "description": "",
        "manager": "",
        "phase": Project.Phase.PLANNING,
        "status": Project.Status.ACTIVE,
        "priority": Project.Priority.HIGH,
        "planned_start": "2026-02-01",
        "planned_finish": "2026-09-30",
    }
    data.update(changes)
    return data


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


# --- Access -------------------------------------------------------------------------------


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("url", [HOME, PROGRAMS, PROGRAM, PROGRAM_EDIT, PROJECT_CREATE])
    def test_anonymous_is_sent_to_login(self, url, program):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("url", [PROGRAM, PROGRAM_EDIT, PROJECT_CREATE])
    def test_outsider_gets_404_for_program_pages(self, client_for, outsider, program, url):
        assert client_for(outsider).get(url).status_code == 404

    def test_outsider_post_to_edit_is_404_and_writes_nothing(self, client_for, outsider, program):
        response = client_for(outsider).post(PROGRAM_EDIT, program_form_data(program, name="Hijacked"))
        assert response.status_code == 404
        program.refresh_from_db()
        assert program.name == "Modernisation"

    def test_outsider_does_not_see_the_program_in_lists(self, client_for, outsider, program):
        client = client_for(outsider)
        assert b"Modernisation" not in client.get(HOME).content
        assert b"Modernisation" not in client.get(PROGRAMS).content

    @pytest.mark.parametrize("reader", ["member", "executive", "project_manager"])
    def test_reader_sees_program_page_without_edit_forms(self, client_for, request, reader, program):
        response = client_for(request.getfixturevalue(reader)).get(PROGRAM)
        assert response.status_code == 200
        assert response.context["can_edit"] is False
        assert PROGRAM_EDIT.encode() not in response.content
        assert PROJECT_CREATE.encode() not in response.content

    @pytest.mark.parametrize("reader", ["member", "executive", "project_manager"])
    def test_reader_gets_404_for_edit_and_create(self, client_for, request, reader, program):
        client = client_for(request.getfixturevalue(reader))
        assert client.get(PROGRAM_EDIT).status_code == 404
        assert client.post(PROGRAM_EDIT, program_form_data(program, name="Changed")).status_code == 404
        assert client.get(PROJECT_CREATE).status_code == 404
        assert client.post(PROJECT_CREATE, project_form_data()).status_code == 404
        program.refresh_from_db()
        assert program.name == "Modernisation"
        assert not Project.objects.filter(code="MOD-CRM").exists()

    def test_program_manager_sees_edit_and_create_forms(self, client_for, owner, program):
        response = client_for(owner).get(PROGRAM)
        assert response.context["can_edit"] is True
        assert PROGRAM_EDIT.encode() in response.content
        assert PROJECT_CREATE.encode() in response.content

    def test_portfolio_admin_may_edit(self, client_for, portfolio, program):
        admin = UserFactory(username="padmin-html")
        MembershipFactory(user=admin, role=Membership.Role.PORTFOLIO_ADMIN, portfolio=portfolio)
        assert client_for(admin).get(PROGRAM_EDIT).status_code == 200


# --- Home ---------------------------------------------------------------------------------


@pytest.mark.django_db
class TestHome:
    def test_lists_the_users_programs_with_latest_health(self, client_for, executive, program, project):
        report(project, Rag.AMBER)
        ProjectFactory(program=program, code="MOD-HR")
        response = client_for(executive).get(HOME)
        assert response.status_code == 200
        [portfolio] = response.context["portfolios"]
        [row] = portfolio.programs_with_health
        assert row == program
        assert row.health == Rag.AMBER
        assert (row.project_count, row.amber_count, row.red_count) == (2, 1, 0)
        body = response.content.decode()
        assert reverse("portfolio:program-detail", args=["MOD"]) in body
        assert 'class="rag rag-amber"' in body
        assert "31 Oct 2026" in body

    def test_empty_state_for_a_user_without_memberships(self, client_for, program):
        response = client_for(UserFactory(username="newcomer")).get(HOME)
        assert response.status_code == 200
        assert response.context["portfolios"] == []
        assert b"not a member of any portfolio" in response.content

    def test_query_count_does_not_grow_with_programs(self, client_for, executive, portfolio):
        def add_programs(n):
            for _ in range(n):
                program = ProgramFactory(portfolio=portfolio, sponsor=UserFactory())
                for rag in (Rag.RED, Rag.GREEN):
                    report(ProjectFactory(program=program), rag)

        client = client_for(executive)
        add_programs(3)
        small, _ = count_queries(client, HOME)
        add_programs(27)
        large, response = count_queries(client, HOME)
        assert len(response.context["portfolios"][0].programs_with_health) == 30
        assert small == large
        print(f"\nQUERIES home: {large}")


# --- Program list -------------------------------------------------------------------------


@pytest.mark.django_db
class TestProgramList:
    def test_lists_visible_programs_only(self, client_for, owner, program, outsider):
        response = client_for(owner).get(PROGRAMS)
        assert [p.code for p in response.context["page"].object_list] == ["MOD"]

    def test_filters_by_status_and_search(self, client_for, executive, portfolio, program):
        ProgramFactory(portfolio=portfolio, code="INFRA", name="Infrastructure", status=Program.Status.ON_HOLD)
        client = client_for(executive)
        on_hold = client.get(PROGRAMS, {"status": "on_hold"}).context["page"].object_list
        assert [p.code for p in on_hold] == ["INFRA"]
        searched = client.get(PROGRAMS, {"q": "modern"}).context["page"].object_list
        assert [p.code for p in searched] == ["MOD"]

    def test_health_filter_keeps_counts_over_all_projects(self, client_for, executive, portfolio, program, project):
        report(project, Rag.RED)
        report(ProjectFactory(program=program, code="MOD-HR"), Rag.GREEN)
        ProgramFactory(portfolio=portfolio, code="CALM")
        response = client_for(executive).get(PROGRAMS, {"health": "red"})
        [row] = response.context["page"].object_list
        assert row.code == "MOD"
        assert (row.project_count, row.red_count, row.green_count) == (2, 1, 1)
        assert row.health == Rag.RED

    def test_filter_choices_hide_other_portfolios(self, client_for, owner, program, outsider):
        page = client_for(owner).get(PROGRAMS)
        assert b"---------" not in page.content  # blank choices read "Any"
        form = page.context["filter"].form
        assert list(form.fields["portfolio"].queryset) == [program.portfolio]
        response = client_for(owner).get(PROGRAMS, {"portfolio": outsider.memberships.get().program.portfolio_id})
        assert "portfolio" in response.context["filter"].form.errors

    def test_paginates(self, client_for, executive, portfolio):
        for n in range(30):
            ProgramFactory(portfolio=portfolio, code=f"P{n:02}", name=f"Program {n:02}")
        client = client_for(executive)
        first = client.get(PROGRAMS).context["page"]
        assert (first.paginator.count, len(first.object_list)) == (30, 25)
        second = client.get(PROGRAMS, {"page": 2}).context["page"]
        assert [p.code for p in second.object_list] == [f"P{n}" for n in range(25, 30)]

    def test_query_count_does_not_grow_with_programs(self, client_for, executive, portfolio):
        def add_programs(n):
            for _ in range(n):
                program = ProgramFactory(portfolio=portfolio, sponsor=UserFactory())
                report(ProjectFactory(program=program), Rag.AMBER)
                StrategicObjectiveFactory(portfolio=portfolio)

        client = client_for(executive)
        add_programs(3)
        small, _ = count_queries(client, PROGRAMS)
        add_programs(27)
        large, response = count_queries(client, PROGRAMS)
        assert len(response.context["page"].object_list) == 25
        assert small == large
        print(f"\nQUERIES program list: {large}")


# --- Program page -------------------------------------------------------------------------


@pytest.mark.django_db
class TestProgramPage:
    def test_shows_details_money_objectives_and_projects(self, client_for, executive, portfolio, program, project):
        program.sponsor = UserFactory(username="sponsor", first_name="Sara", last_name="Sponsor")
        program.contingency_reserve = Decimal("1234567.5")
        program.start_date, program.finish_date = datetime.date(2026, 1, 1), datetime.date(2027, 6, 30)
        program.save()
        objective = StrategicObjectiveFactory(portfolio=portfolio, code="GROW", title="Grow revenue")
        ProgramObjective.objects.create(program=program, objective=objective, weight=Decimal("60"))
        report(project, Rag.RED, percent_complete=Decimal("35"))

        response = client_for(executive).get(PROGRAM)
        body = response.content.decode()
        assert "EUR\u00a01,234,567.50" in body
        assert "Sara Sponsor" in body
        assert "Grow revenue" in body
        assert "60%" in body
        assert "1 Jan 2026" in body
        assert "30 Jun 2027" in body
        assert reverse("projects:project-detail", args=["MOD-ERP"]) in body
        assert 'class="rag rag-red"' in body
        assert "35%" in body
        assert response.context["program"].health == Rag.RED

    def test_query_count_does_not_grow_with_projects(self, client_for, owner, portfolio, program):
        def add(n):
            for _ in range(n):
                project = ProjectFactory(program=program, manager=UserFactory())
                report(project, Rag.GREEN)
                MembershipFactory(role=Membership.Role.TEAM_MEMBER, project=project)
                objective = StrategicObjectiveFactory(portfolio=portfolio)
                ProgramObjective.objects.create(program=program, objective=objective, weight=Decimal("10"))
                # What the risk, staffing and governance cards summarise.
                today = timezone.localdate()
                RiskFactory(project=project, probability=5, impact=5)
                RiskFactory(program=program)
                AllocationFactory(
                    project=project, start=today - datetime.timedelta(days=7), end=today + datetime.timedelta(days=30)
                )
                StaffingRequestFactory(project=project, start=today, end=today + datetime.timedelta(days=60))
                StageGateFactory(project=project, planned_date=today + datetime.timedelta(days=10))
                ChangeRequestFactory(project=project, status="submitted")
                BenefitFactory(program=program)

        client = client_for(owner)  # an editor: the page also renders both forms
        add(3)
        recompute_rollups()
        small, _ = count_queries(client, PROGRAM)
        add(27)
        recompute_rollups()
        large, response = count_queries(client, PROGRAM)
        assert len(response.context["projects"]) == 30
        # The cards read the program's roll-up, which summarises every row added above.
        figures = response.context["dashboard"].state.rollup
        assert figures.risks_critical == 30  # each project's 5 x 5 risk
        assert figures.fte_requested > 0
        assert figures.change_requests_waiting == 30
        assert figures.gates_due == 30
        assert all(p.rollup_state.exists for p in response.context["projects"])
        assert small == large
        print(f"\nQUERIES program page: {large}")


# --- Program edit -------------------------------------------------------------------------


@pytest.mark.django_db
class TestProgramEdit:
    def test_manager_saves_changes_with_audit(self, client_for, owner, program):
        response = client_for(owner).post(
            PROGRAM_EDIT,
            program_form_data(
                program,
                name="Modernisation 2",
                status=Program.Status.ON_HOLD,
                contingency_reserve="2500.25",
                start_date="2026-01-01",
                finish_date="2026-12-31",
            ),
        )
        assert response.status_code == 302
        assert response["Location"] == PROGRAM
        program.refresh_from_db()
        assert program.name == "Modernisation 2"
        assert program.status == Program.Status.ON_HOLD
        assert program.contingency_reserve == Decimal("2500.25")
        assert program.version == 2
        assert AuditEntry.objects.filter(object_type="portfolio.program", object_id=str(program.pk)).exists()

    def test_edit_form_carries_the_version(self, client_for, owner, program):
        response = client_for(owner).get(PROGRAM_EDIT)
        assert b'type="hidden" name="version" value="1"' in response.content

    def test_finish_before_start_is_an_error_on_finish_date(self, client_for, owner, program):
        response = client_for(owner).post(
            PROGRAM_EDIT, program_form_data(program, start_date="2026-06-01", finish_date="2026-01-01")
        )
        assert response.status_code == 200
        assert "finish_date" in response.context["form"].errors
        assert b'id="id_finish_date_error"' in response.content
        program.refresh_from_db()
        assert (program.start_date, program.finish_date, program.version) == (None, None, 1)

    def test_negative_reserve_is_an_error_on_the_field(self, client_for, owner, program):
        response = client_for(owner).post(PROGRAM_EDIT, program_form_data(program, contingency_reserve="-5"))
        assert "contingency_reserve" in response.context["form"].errors
        program.refresh_from_db()
        assert program.contingency_reserve == Decimal("100000.00")

    def test_manager_outside_the_program_scope_is_refused(self, client_for, owner, program, outsider):
        response = client_for(owner).post(PROGRAM_EDIT, program_form_data(program, manager=outsider.pk))
        assert "manager" in response.context["form"].errors
        program.refresh_from_db()
        assert program.manager_id != outsider.pk

    def test_stale_form_shows_message_and_does_not_overwrite(self, client_for, owner, program, portfolio):
        other_editor = UserFactory(username="padmin-2")
        MembershipFactory(user=other_editor, role=Membership.Role.PORTFOLIO_ADMIN, portfolio=portfolio)
        first, second = client_for(owner), client_for(other_editor)
        # Both load the form at version 1.
        first_version = first.get(PROGRAM_EDIT).context["form"]["version"].value()
        second_version = second.get(PROGRAM_EDIT).context["form"]["version"].value()
        assert first_version == second_version == 1

        saved = first.post(PROGRAM_EDIT, program_form_data(program, name="First wins", version=first_version))
        assert saved.status_code == 302
        stale = second.post(PROGRAM_EDIT, program_form_data(program, name="Second loses", version=second_version))
        assert stale.status_code == 409
        assert STALE_VERSION in stale.content.decode()
        program.refresh_from_db()
        assert (program.name, program.version) == ("First wins", 2)


# --- Project creation from the program page -----------------------------------------------


@pytest.mark.django_db
class TestProjectCreate:
    def test_program_manager_creates_a_project(self, client_for, owner, program):
        response = client_for(owner).post(PROJECT_CREATE, project_form_data(manager=owner.pk))
        assert response.status_code == 302
        project = Project.objects.get(code="MOD-CRM")
        assert response["Location"] == reverse("projects:project-detail", args=["MOD-CRM"])
        assert (project.program, project.manager, project.priority) == (program, owner, Project.Priority.HIGH)
        assert AuditEntry.objects.filter(object_type="projects.project", action="create").exists()

    def test_duplicate_code_is_an_error_on_code(self, client_for, owner, project):
        before = Project.objects.count()
        response = client_for(owner).post(PROJECT_CREATE, project_form_data(code="MOD-ERP"))
        assert response.status_code == 200
        assert "code" in response.context["form"].errors
        assert b'id="id_code_error"' in response.content
        assert Project.objects.count() == before

    def test_code_taken_by_a_concurrent_request_is_an_error_on_code(self, client_for, owner, program, monkeypatch):
        def lose_the_race(**kwargs):
            raise IntegrityError("UNIQUE constraint failed: projects_project.code")

        monkeypatch.setattr("projects.views.project_create", lose_the_race)
        response = client_for(owner).post(PROJECT_CREATE, project_form_data())
        assert response.status_code == 200
        assert response.context["form"].errors["code"] == [CODE_TAKEN]

    def test_finish_before_start_is_an_error_on_planned_finish(self, client_for, owner, program):
        response = client_for(owner).post(
            PROJECT_CREATE, project_form_data(planned_start="2026-09-01", planned_finish="2026-03-01")
        )
        assert "planned_finish" in response.context["form"].errors
        assert not Project.objects.filter(code="MOD-CRM").exists()

    def test_bad_code_is_an_error_on_code(self, client_for, owner, program):
        response = client_for(owner).post(PROJECT_CREATE, project_form_data(code="lower case"))
        assert "code" in response.context["form"].errors
        assert not Project.objects.filter(program=program).exists()

    def test_manager_of_another_program_gets_404(self, client_for, outsider, program):
        assert client_for(outsider).post(PROJECT_CREATE, project_form_data()).status_code == 404
        assert not Project.objects.filter(code="MOD-CRM").exists()
