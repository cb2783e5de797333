"""HTML: project list, project page, project edit and the status-report form."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEntry
from core.services import STALE_VERSION
from portfolio.models import Membership
from projects.models import Project, Rag, StatusReport
from projects.services import month_end, reporting_period_current, status_report_submit
from tests.factories.governance import approved_gate
from tests.factories.portfolio import MembershipFactory, ProgramFactory
from tests.factories.projects import ProjectFactory, StatusReportFactory
from tests.factories.users import UserFactory

PROJECTS = reverse("projects:project-list")
PROJECT = reverse("projects:project-detail", args=["MOD-ERP"])
PROJECT_EDIT = reverse("projects:project-edit", args=["MOD-ERP"])
STATUS_NEW = reverse("projects:status-report-create", args=["MOD-ERP"])
PROGRAM = reverse("portfolio:program-detail", args=["MOD"])


def report(project, rag: str, period_end=datetime.date(2026, 10, 31), **fields):
    """A status report made the project's latest, as status_report_submit would."""
    row = StatusReportFactory(project=project, overall_rag=rag, period_end=period_end, **fields)
    Project.objects.filter(pk=project.pk).update(latest_status_report=row)
    return row


def edit_data(project: Project, **changes) -> dict:
    data = {
        "name": project.name,
        "description": project.description,
        "manager": project.manager_id or "",
        "phase": project.phase,
        "status": project.status,
        "priority": project.priority,
        "planned_start": project.planned_start or "",
        "planned_finish": project.planned_finish or "",
        "version": project.version,
    }
    data.update(changes)
    return data


def status_data(**changes) -> dict:
    data = {
        "period_end": "2026-11-30",
        "overall_rag": Rag.AMBER,
        "schedule_rag": Rag.AMBER,
        "cost_rag": Rag.GREEN,
        "scope_rag": Rag.GREEN,
        "risk_rag": Rag.RED,
        "percent_complete": "55.5",
        "summary": "Vendor late on data migration.",
        "accomplishments": "Cut-over plan agreed.",
        "next_steps": "Escalate vendor delay.",
    }
    data.update(changes)
    return data


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries), response


# --- Access -------------------------------------------------------------------------------


@pytest.mark.django_db
class TestAccess:
    @pytest.mark.parametrize("url", [PROJECTS, PROJECT, PROJECT_EDIT, STATUS_NEW])
    def test_anonymous_is_sent_to_login(self, url, project):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize("url", [PROJECT, PROJECT_EDIT, STATUS_NEW])
    def test_outsider_gets_404(self, client_for, outsider, project, url):
        assert client_for(outsider).get(url).status_code == 404

    def test_outsider_posts_are_404_and_write_nothing(self, client_for, outsider, project):
        client = client_for(outsider)
        assert client.post(PROJECT_EDIT, edit_data(project, name="Hijacked")).status_code == 404
        assert client.post(STATUS_NEW, status_data()).status_code == 404
        project.refresh_from_db()
        assert project.name == "ERP replacement"
        assert not StatusReport.objects.exists()

    def test_outsider_does_not_see_the_project_in_the_list(self, client_for, outsider, project):
        response = client_for(outsider).get(PROJECTS)
        assert b"MOD-ERP" not in response.content

    @pytest.mark.parametrize("reader", ["member", "executive"])
    def test_reader_sees_the_page_without_edit_buttons(self, client_for, request, reader, project):
        response = client_for(request.getfixturevalue(reader)).get(PROJECT)
        assert response.status_code == 200
        assert response.context["can_edit"] is False
        assert PROJECT_EDIT.encode() not in response.content
        assert STATUS_NEW.encode() not in response.content

    @pytest.mark.parametrize("reader", ["member", "executive"])
    def test_reader_gets_404_for_edit_and_status_forms(self, client_for, request, reader, project):
        client = client_for(request.getfixturevalue(reader))
        assert client.get(PROJECT_EDIT).status_code == 404
        assert client.post(PROJECT_EDIT, edit_data(project, name="Changed")).status_code == 404
        assert client.get(STATUS_NEW).status_code == 404
        assert client.post(STATUS_NEW, status_data()).status_code == 404
        project.refresh_from_db()
        assert (project.name, project.version) == ("ERP replacement", 1)
        assert not StatusReport.objects.exists()

    @pytest.mark.parametrize("editor", ["project_manager", "owner"])
    def test_project_and_program_managers_see_edit_and_status_buttons(self, client_for, request, editor, project):
        response = client_for(request.getfixturevalue(editor)).get(PROJECT)
        assert response.context["can_edit"] is True
        assert PROJECT_EDIT.encode() in response.content
        assert STATUS_NEW.encode() in response.content


# --- Project list -------------------------------------------------------------------------


@pytest.mark.django_db
class TestProjectList:
    def test_lists_visible_projects_with_latest_rag(self, client_for, executive, project, outsider):
        report(project, Rag.RED)
        response = client_for(executive).get(PROJECTS)
        assert [p.code for p in response.context["page"].object_list] == ["MOD-ERP"]
        assert b'class="rag rag-red"' in response.content

    def test_filters_by_health_search_and_program(self, client_for, executive, portfolio, program, project):
        report(project, Rag.RED)
        other_program = ProgramFactory(portfolio=portfolio, code="INFRA")
        report(ProjectFactory(program=other_program, code="INFRA-NET", name="Network"), Rag.GREEN)
        client = client_for(executive)

        def codes(**params):
            return [p.code for p in client.get(PROJECTS, params).context["page"].object_list]

        assert codes(health="red") == ["MOD-ERP"]
        assert codes(q="netw") == ["INFRA-NET"]
        assert codes(program=other_program.pk) == ["INFRA-NET"]
        assert codes(portfolio=portfolio.pk) == ["INFRA-NET", "MOD-ERP"]

    def test_program_choices_hide_programs_the_user_cannot_see(self, client_for, member, program, outsider):
        form = client_for(member).get(PROJECTS).context["filter"].form
        assert list(form.fields["program"].queryset) == [program]

    def test_sorts_by_a_whitelisted_column_and_reverses(self, client_for, executive, program, project):
        ProjectFactory(program=program, code="MOD-AAA", name="Zeta", priority=Project.Priority.LOW)
        ProjectFactory(program=program, code="MOD-ZZZ", name="Alpha", priority=Project.Priority.CRITICAL)
        client = client_for(executive)

        def codes(sort):
            response = client.get(PROJECTS, {"sort": sort})
            return [p.code for p in response.context["page"].object_list], response.context["sort"]

        assert codes("name") == (["MOD-ZZZ", "MOD-ERP", "MOD-AAA"], "name")
        assert codes("-name") == (["MOD-AAA", "MOD-ERP", "MOD-ZZZ"], "-name")
        assert codes("priority") == (["MOD-ZZZ", "MOD-ERP", "MOD-AAA"], "priority")
        # Unknown keys (e.g. a column name someone guessed) fall back to the default order.
        assert codes("digest") == (["MOD-AAA", "MOD-ERP", "MOD-ZZZ"], "code")

    def test_sorts_health_worst_first(self, client_for, executive, program, project):
        report(project, Rag.GREEN)
        report(ProjectFactory(program=program, code="MOD-A"), Rag.AMBER)
        report(ProjectFactory(program=program, code="MOD-R"), Rag.RED)
        ProjectFactory(program=program, code="MOD-N")
        response = client_for(executive).get(PROJECTS, {"sort": "health"})
        assert [p.code for p in response.context["page"].object_list] == ["MOD-R", "MOD-A", "MOD-ERP", "MOD-N"]
        assert b'aria-sort="ascending"' in response.content

    def test_paginates_and_keeps_filters_in_page_links(self, client_for, executive, program):
        for n in range(30):
            ProjectFactory(program=program, code=f"P{n:02}", status=Project.Status.ACTIVE)
        response = client_for(executive).get(PROJECTS, {"status": "active", "sort": "-code"})
        page = response.context["page"]
        assert (page.paginator.count, len(page.object_list)) == (30, 25)
        assert b"?status=active&amp;sort=-code&amp;page=2" in response.content

    def test_query_count_does_not_grow_with_projects(self, client_for, executive, portfolio):
        def add(n):
            for _ in range(n):
                project = ProjectFactory(program=ProgramFactory(portfolio=portfolio), manager=UserFactory())
                report(project, Rag.AMBER, submitted_by=UserFactory())

        client = client_for(executive)
        add(3)
        small, _ = count_queries(client, PROJECTS, {"sort": "health"})
        add(27)
        large, response = count_queries(client, PROJECTS, {"sort": "health"})
        assert len(response.context["page"].object_list) == 25
        assert small == large
        print(f"\nQUERIES project list: {large}")


# --- Project page -------------------------------------------------------------------------


@pytest.mark.django_db
class TestProjectPage:
    def test_shows_details_and_history_newest_first(self, client_for, member, project, project_manager):
        older = report(project, Rag.GREEN, period_end=datetime.date(2026, 9, 30), summary="All good.")
        newer = report(
            project,
            Rag.RED,
            period_end=datetime.date(2026, 10, 31),
            summary="Vendor insolvent.",
            submitted_by=project_manager,
            percent_complete=Decimal("42.5"),
        )
        response = client_for(member).get(PROJECT)
        assert response.context["history"] == [newer, older]
        body = response.content.decode()
        assert body.index("Vendor insolvent.") < body.index("All good.")
        assert "42.5%" in body
        assert "31 Oct 2026" in body
        assert "30 Sep 2026" in body
        assert "Modernisation" in body
        assert 'class="rag rag-amber"' in body  # cost_rag of the factory's reports

    def test_query_count_does_not_grow_with_reports(self, client_for, project_manager, project):
        def add(n):
            for _ in range(n):
                # One report per period: each goes a month further back from October 2026.
                year, month = divmod(2026 * 12 + 9 - StatusReport.objects.filter(project=project).count(), 12)
                period_end = month_end(datetime.date(year, month + 1, 1))
                report(project, Rag.GREEN, period_end=period_end, submitted_by=UserFactory())

        client = client_for(project_manager)
        add(3)
        small, _ = count_queries(client, PROJECT)
        add(27)
        large, response = count_queries(client, PROJECT)
        assert len(response.context["history"]) == 30
        assert small == large
        print(f"\nQUERIES project page: {large}")


# --- Project edit -------------------------------------------------------------------------


@pytest.mark.django_db
class TestProjectEdit:
    def test_project_manager_saves_changes(self, client_for, project_manager, project):
        approved_gate(project, Project.Phase.CLOSING)  # moving the phase forward needs its stage gate
        response = client_for(project_manager).post(
            PROJECT_EDIT,
            edit_data(project, name="ERP v2", phase=Project.Phase.CLOSING, planned_finish="2027-01-29"),
        )
        assert response.status_code == 302
        assert response["Location"] == PROJECT
        project.refresh_from_db()
        assert (project.name, project.phase, project.planned_finish) == (
            "ERP v2",
            Project.Phase.CLOSING,
            datetime.date(2027, 1, 29),
        )
        assert project.version == 2

    def test_edit_form_carries_the_version(self, client_for, project_manager, project):
        response = client_for(project_manager).get(PROJECT_EDIT)
        assert b'type="hidden" name="version" value="1"' in response.content

    def test_finish_before_start_is_an_error_on_planned_finish(self, client_for, project_manager, project):
        response = client_for(project_manager).post(
            PROJECT_EDIT, edit_data(project, planned_start="2026-06-01", planned_finish="2026-01-01")
        )
        assert response.status_code == 200
        assert "planned_finish" in response.context["form"].errors
        assert b'id="id_planned_finish_error"' in response.content
        project.refresh_from_db()
        assert (project.planned_start, project.planned_finish, project.version) == (
            datetime.date(2026, 1, 5),
            datetime.date(2026, 12, 18),
            1,
        )

    def test_missing_version_is_an_error_and_writes_nothing(self, client_for, project_manager, project):
        data = edit_data(project, name="No version")
        del data["version"]
        response = client_for(project_manager).post(PROJECT_EDIT, data)
        assert "version" in response.context["form"].errors
        project.refresh_from_db()
        assert project.name == "ERP replacement"

    def test_stale_form_shows_message_and_does_not_overwrite(self, client_for, project_manager, owner, project):
        first, second = client_for(project_manager), client_for(owner)
        first_version = first.get(PROJECT_EDIT).context["form"]["version"].value()
        second_version = second.get(PROJECT_EDIT).context["form"]["version"].value()
        assert first_version == second_version == 1

        assert first.post(PROJECT_EDIT, edit_data(project, name="First", version=first_version)).status_code == 302
        stale = second.post(PROJECT_EDIT, edit_data(project, name="Second", version=second_version))
        assert stale.status_code == 409
        assert STALE_VERSION in stale.content.decode()
        project.refresh_from_db()
        assert (project.name, project.version) == ("First", 2)


# --- Status reports -----------------------------------------------------------------------


@pytest.mark.django_db
class TestStatusReport:
    def test_form_prefills_from_the_previous_report(self, client_for, project_manager, project):
        status_report_submit(
            actor=project_manager,
            project=project,
            period_end=datetime.date(2026, 10, 31),
            overall_rag=Rag.AMBER,
            schedule_rag=Rag.RED,
            cost_rag=Rag.GREEN,
            scope_rag=Rag.GREEN,
            risk_rag=Rag.AMBER,
            percent_complete=Decimal("40"),
            summary="Last month's summary.",
        )
        response = client_for(project_manager).get(STATUS_NEW)
        form = response.context["form"]
        assert form["schedule_rag"].value() == Rag.RED
        assert form["percent_complete"].value() == Decimal("40")
        assert form["summary"].value() == "Last month's summary."
        body = response.content.decode()
        assert 'class="rag-choice rag-choice-red"' in body
        assert 'type="radio" name="schedule_rag" value="red"' in body
        # The prefilled choice is checked.
        assert re.search(r'name="schedule_rag" value="red"[^>]* checked>', body)
        assert not re.search(r'name="schedule_rag" value="green"[^>]* checked>', body)

    def test_submit_appends_and_updates_health_on_the_program_page(self, client_for, project_manager, project):
        client = client_for(project_manager)
        first = client.post(STATUS_NEW, status_data(period_end="2026-10-31", overall_rag=Rag.GREEN))
        assert first.status_code == 302
        assert first["Location"] == PROJECT
        assert client.get(PROGRAM).context["program"].health == Rag.GREEN

        second = client.post(STATUS_NEW, status_data(period_end="2026-11-30", overall_rag=Rag.RED))
        assert second.status_code == 302
        reports = list(StatusReport.objects.filter(project=project).order_by("period_end"))
        assert [r.overall_rag for r in reports] == [Rag.GREEN, Rag.RED]
        assert reports[1].submitted_by == project_manager
        assert reports[1].percent_complete == Decimal("55.5")

        history = client.get(PROJECT).context["history"]
        assert [r.overall_rag for r in history] == [Rag.RED, Rag.GREEN]
        program_page = client.get(PROGRAM)
        assert program_page.context["program"].health == Rag.RED
        assert program_page.context["program"].red_count == 1
        assert [p.latest_status_report.overall_rag for p in program_page.context["projects"]] == [Rag.RED]

    def test_rag_out_of_range_is_an_error_on_the_field(self, client_for, project_manager, project):
        response = client_for(project_manager).post(STATUS_NEW, status_data(cost_rag="purple"))
        assert response.status_code == 200
        assert "cost_rag" in response.context["form"].errors
        assert b'id="id_cost_rag_error"' in response.content
        assert not StatusReport.objects.exists()
        project.refresh_from_db()
        assert project.latest_status_report is None

    def test_percent_150_is_an_error_on_the_field(self, client_for, project_manager, project):
        response = client_for(project_manager).post(STATUS_NEW, status_data(percent_complete="150"))
        assert "percent_complete" in response.context["form"].errors
        assert b'id="id_percent_complete_error"' in response.content
        assert not StatusReport.objects.exists()

    def test_missing_summary_is_an_error_on_the_field(self, client_for, project_manager, project):
        response = client_for(project_manager).post(STATUS_NEW, status_data(summary=""))
        assert "summary" in response.context["form"].errors
        assert not StatusReport.objects.exists()

    def test_team_member_with_a_second_role_elsewhere_still_cannot_submit(self, client_for, member, project):
        MembershipFactory(user=member, role=Membership.Role.PROJECT_MANAGER, project=ProjectFactory())
        assert client_for(member).post(STATUS_NEW, status_data()).status_code == 404
        assert not StatusReport.objects.filter(project=project).exists()


@pytest.mark.django_db
class TestOneReportPerPeriod:
    def test_submitting_the_same_period_again_shows_a_correction_and_files_nothing(
        self, client_for, project_manager, project
    ):
        client = client_for(project_manager)
        assert client.post(STATUS_NEW, status_data(period_end="2026-11-30")).status_code == 302
        again = client.post(STATUS_NEW, status_data(period_end="2026-11-30", overall_rag=Rag.RED))
        assert again.status_code == 200
        body = again.content.decode()
        assert "MOD-ERP already has a report for November 2026" in body
        assert "What this correction changes" in body
        assert again.context["changes"] == [("Overall", "Amber", "Red")]
        report = StatusReport.objects.get(project=project)
        assert reverse("projects:status-report-correct", args=["MOD-ERP", report.pk]) in body
        assert report.overall_rag == Rag.AMBER

    def test_submitting_the_prefilled_form_unchanged_files_no_duplicate(self, client_for, project_manager, project):
        client = client_for(project_manager)
        assert client.post(STATUS_NEW, status_data(period_end="2026-11-30")).status_code == 302
        client.post(STATUS_NEW, status_data(period_end="2026-11-30"))
        assert StatusReport.objects.filter(project=project).count() == 1

    def test_correction_replaces_the_report_and_is_audited(self, client_for, project_manager, project):
        client = client_for(project_manager)
        client.post(STATUS_NEW, status_data(period_end="2026-11-30"))
        report = StatusReport.objects.get(project=project)
        url = reverse("projects:status-report-correct", args=["MOD-ERP", report.pk])
        response = client.post(url, status_data(period_end="2026-10-31", summary="Corrected."))
        assert response.status_code == 302
        report.refresh_from_db()
        assert (report.summary, report.period_end) == ("Corrected.", datetime.date(2026, 11, 30))
        assert StatusReport.objects.filter(project=project).count() == 1
        audit = AuditEntry.objects.get(object_type="projects.statusreport", object_id=str(report.pk), action="update")
        assert audit.actor == project_manager
        assert list(audit.changes) == ["summary"]

    def test_new_form_for_a_period_that_has_a_report_opens_its_correction(self, client_for, project_manager, project):
        Project.objects.filter(pk=project.pk).update(planned_finish=datetime.date(2999, 12, 31))
        current = reporting_period_current()
        client = client_for(project_manager)
        assert client.post(STATUS_NEW, status_data(period_end=current.isoformat())).status_code == 302
        report = StatusReport.objects.get(project=project)
        response = client.get(STATUS_NEW)
        assert response.status_code == 302
        assert response["Location"] == reverse("projects:status-report-correct", args=["MOD-ERP", report.pk])

    def test_form_defaults_to_the_period_after_the_latest(self, client_for, project_manager, project):
        client = client_for(project_manager)
        client.post(STATUS_NEW, status_data(period_end="2026-10-31"))
        assert client.get(STATUS_NEW).context["form"]["period_end"].value() == datetime.date(2026, 11, 30)

    def test_period_after_the_current_month_is_an_error_on_the_field(self, client_for, project_manager, project):
        Project.objects.filter(pk=project.pk).update(planned_finish=datetime.date(2999, 12, 31))
        beyond = month_end(reporting_period_current() + datetime.timedelta(days=1))
        response = client_for(project_manager).post(STATUS_NEW, status_data(period_end=beyond.isoformat()))
        assert response.status_code == 200
        assert "after the current reporting period" in response.context["form"].errors["period_end"][0]
        assert not StatusReport.objects.exists()

    def test_period_before_the_project_starts_is_an_error_on_the_field(self, client_for, project_manager, project):
        response = client_for(project_manager).post(STATUS_NEW, status_data(period_end="2025-06-30"))
        assert "before the project starts" in response.context["form"].errors["period_end"][0]
        assert not StatusReport.objects.exists()

    def test_reader_gets_404_for_the_correction_form(self, client_for, project_manager, member, project):
        client_for(project_manager).post(STATUS_NEW, status_data(period_end="2026-11-30"))
        report = StatusReport.objects.get(project=project)
        url = reverse("projects:status-report-correct", args=["MOD-ERP", report.pk])
        assert client_for(member).post(url, status_data(summary="x")).status_code == 404
        assert StatusReport.objects.get().summary != "x"
