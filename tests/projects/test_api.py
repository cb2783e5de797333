"""/api/v1/projects/ and /api/v1/status-reports/: access, validation, ETag/If-Match."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.models import AuditEntry
from projects import services as project_services
from projects.models import Project, StatusReport
from projects.services import month_end, reporting_period_current, status_report_submit
from tests.factories.governance import approved_gate
from tests.factories.portfolio import ProgramFactory
from tests.factories.projects import ProjectFactory

PROJECTS = "/api/v1/projects/"
REPORTS = "/api/v1/status-reports/"


def detail(project) -> str:
    return f"{PROJECTS}{project.pk}/"


def report_payload(project, **overrides) -> dict:
    payload = {
        "project": project.pk,
        "period_end": "2026-11-30",
        "overall_rag": "amber",
        "schedule_rag": "amber",
        "cost_rag": "green",
        "scope_rag": "green",
        "risk_rag": "red",
        "percent_complete": "55.00",
        "summary": "Data migration slipped a week.",
    }
    return payload | overrides


def submit_report(project, actor, **fields):
    data = report_payload(project) | fields
    data.pop("project")
    data["period_end"] = datetime.date.fromisoformat(data["period_end"])
    data["percent_complete"] = Decimal(data["percent_complete"])
    return status_report_submit(actor=actor, project=project, **data)


@pytest.mark.django_db
class TestProjectAccess:
    @pytest.mark.parametrize("who", ["owner", "project_manager", "member", "executive"])
    def test_cast_with_a_role_lists_and_reads_project(self, request, api_for, project, who):
        client = api_for(request.getfixturevalue(who))
        listed = client.get(PROJECTS).json()["results"]
        assert [row["code"] for row in listed] == ["MOD-ERP"]
        response = client.get(detail(project))
        assert response.status_code == 200
        assert response["ETag"] == '"1"'
        assert response.json()["program_code"] == "MOD"

    def test_outsider_gets_404_for_project_and_does_not_see_it_listed(self, api_for, outsider, project):
        ProjectFactory(program=outsider.memberships.get().program, code="OTHER-1")
        client = api_for(outsider)
        assert [row["code"] for row in client.get(PROJECTS).json()["results"]] == ["OTHER-1"]
        response = client.get(detail(project))
        assert response.status_code == 404
        assert response.json() == {"status": 404, "detail": "Not found.", "errors": []}

    def test_outsider_gets_404_not_403_for_writes(self, api_for, outsider, project):
        client = api_for(outsider)
        assert client.patch(detail(project), {"name": "Mine"}, format="json").status_code == 404
        assert client.delete(detail(project)).status_code == 404
        assert Project.objects.get(pk=project.pk).name == "ERP replacement"

    @pytest.mark.parametrize("who", ["member", "executive"])
    def test_readers_get_403_for_writes(self, request, api_for, project, who):
        client = api_for(request.getfixturevalue(who))
        response = client.patch(detail(project), {"name": "Renamed"}, format="json")
        assert response.status_code == 403
        assert response.json()["status"] == 403
        assert client.put(detail(project), {"name": "Renamed"}, format="json").status_code == 403
        assert client.delete(detail(project)).status_code == 403
        project.refresh_from_db()
        assert (project.name, project.version) == ("ERP replacement", 1)

    @pytest.mark.parametrize("who", ["owner", "project_manager"])
    def test_managers_may_edit(self, request, api_for, project, who):
        client = api_for(request.getfixturevalue(who))
        approved_gate(project, "closing")  # moving the phase forward needs its stage gate
        response = client.patch(detail(project), {"name": "ERP rollout", "phase": "closing"}, format="json")
        assert response.status_code == 200, response.json()
        assert response["ETag"] == '"2"'
        project.refresh_from_db()
        assert (project.name, project.phase, project.version) == ("ERP rollout", "closing", 2)
        entry = AuditEntry.objects.get(object_type="projects.project", action="update")
        assert entry.changes["name"] == ["ERP replacement", "ERP rollout"]

    def test_anonymous_gets_401(self, api_for, project):
        client = api_for(None)
        response = client.get(PROJECTS)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert client.get(detail(project)).status_code == 401
        assert client.patch(detail(project), {"name": "x"}, format="json").status_code == 401

    def test_project_manager_may_not_delete_but_program_manager_may(self, api_for, owner, project_manager, project):
        submit_report(project, project_manager)  # the history goes with the project
        assert api_for(project_manager).delete(detail(project)).status_code == 403
        assert Project.objects.filter(pk=project.pk).exists()
        assert api_for(owner).delete(detail(project)).status_code == 204
        assert not Project.objects.filter(pk=project.pk).exists()
        assert not StatusReport.objects.exists()
        assert AuditEntry.objects.filter(object_type="projects.project", action="delete").count() == 1


@pytest.mark.django_db
class TestProjectCreate:
    def payload(self, for_program, **overrides):
        data = {
            "program": for_program.pk,
            "code": "MOD-CRM",
            "name": "CRM consolidation",
            "planned_start": "2026-02-02",
            "planned_finish": "2026-09-30",
            "priority": 2,
        }
        return data | overrides

    def test_program_manager_creates_project(self, api_for, owner, program):
        response = api_for(owner).post(PROJECTS, self.payload(program), format="json")
        assert response.status_code == 201, response.json()
        assert response["ETag"] == '"1"'
        body = response.json()
        assert (body["program_code"], body["portfolio_code"], body["health"]) == ("MOD", "CORP", None)
        created = Project.objects.get(code="MOD-CRM")
        assert created.program == program
        assert AuditEntry.objects.filter(object_type="projects.project", object_id=str(created.pk)).exists()

    @pytest.mark.parametrize("who", ["project_manager", "member", "executive"])
    def test_who_can_see_the_program_but_not_edit_it_gets_403(self, request, api_for, program, project, who):
        response = api_for(request.getfixturevalue(who)).post(PROJECTS, self.payload(program), format="json")
        assert response.status_code == 403
        assert Project.objects.count() == 1

    def test_invisible_program_is_400_naming_program(self, api_for, outsider, program):
        response = api_for(outsider).post(PROJECTS, self.payload(program), format="json")
        assert response.status_code == 400
        assert [e["field"] for e in response.json()["errors"]] == ["program"]
        assert response.json()["errors"][0]["code"] == "does_not_exist"
        assert not Project.objects.exists()

    def test_unknown_program_is_400_naming_program(self, api_for, owner, program):
        response = api_for(owner).post(PROJECTS, self.payload(program, program=999999), format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "program"
        assert not Project.objects.exists()

    @pytest.mark.parametrize("bad", ["abc", None, 10**30, [1], "1e999", -1, 0, True])
    def test_malformed_program_id_is_400(self, api_for, owner, program, bad):
        response = api_for(owner).post(PROJECTS, self.payload(program, program=bad), format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "program"

    @pytest.mark.parametrize("offset", [0.5, "0.5"])
    def test_a_fractional_program_id_is_400_not_the_program_below_it(self, api_for, owner, program, offset):
        bad = program.pk + offset if isinstance(offset, float) else f"{program.pk}{offset[1:]}"
        response = api_for(owner).post(PROJECTS, self.payload(program, program=bad), format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "program"
        assert not Project.objects.exists()

    def test_finish_before_start_is_400_naming_planned_finish(self, api_for, owner, program):
        payload = self.payload(program, planned_start="2026-06-01", planned_finish="2026-05-01")
        response = api_for(owner).post(PROJECTS, payload, format="json")
        assert response.status_code == 400
        assert [e["field"] for e in response.json()["errors"]] == ["planned_finish"]
        assert not Project.objects.exists()

    def test_duplicate_code_is_400_naming_code(self, api_for, owner, program, project):
        response = api_for(owner).post(PROJECTS, self.payload(program, code="MOD-ERP"), format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "code"
        assert response.json()["errors"][0]["code"] == "unique"
        assert Project.objects.count() == 1
        assert not AuditEntry.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("code", "lower case"),
            ("code", ""),
            ("name", "x" * 201),
            ("priority", 9),
            ("phase", "dreaming"),
            ("planned_start", "2026-02-30"),
            ("manager", 999999),
            ("name", "nul\x00byte"),
        ],
    )
    def test_bad_field_is_400_naming_it(self, api_for, owner, program, field, value):
        response = api_for(owner).post(PROJECTS, self.payload(program, **{field: value}), format="json")
        assert response.status_code == 400
        assert field in [e["field"] for e in response.json()["errors"]]
        assert not Project.objects.exists()

    def test_malformed_json_is_400(self, api_for, owner, program):
        response = api_for(owner).post(PROJECTS, '{"code": "X",', content_type="application/json")
        assert response.status_code == 400
        assert response.json()["status"] == 400
        assert "JSON" in response.json()["detail"]

    def test_json_array_body_is_400(self, api_for, owner, program):
        response = api_for(owner).post(PROJECTS, [self.payload(program)], format="json")
        assert response.status_code == 400
        assert not Project.objects.exists()


@pytest.mark.django_db
class TestProjectUpdate:
    def test_patch_finish_before_existing_start_is_400(self, api_for, owner, project):
        response = api_for(owner).patch(detail(project), {"planned_finish": "2025-01-01"}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "planned_finish"
        project.refresh_from_db()
        assert (project.planned_finish, project.version) == (datetime.date(2026, 12, 18), 1)

    def test_program_cannot_be_changed(self, api_for, owner, project):
        elsewhere = ProgramFactory(portfolio=project.program.portfolio, code="ELSE")
        response = api_for(owner).patch(detail(project), {"program": elsewhere.pk}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "program"
        assert Project.objects.get(pk=project.pk).program_id == project.program_id

    def test_put_replaces_fields_and_accepts_the_same_program(self, api_for, owner, project):
        client = api_for(owner)
        body = client.get(detail(project)).json()
        body |= {"name": "ERP v2", "planned_finish": "2027-03-31"}
        response = client.put(detail(project), body, format="json", HTTP_IF_MATCH='"1"')
        assert response.status_code == 200, response.json()
        project.refresh_from_db()
        assert (project.name, project.planned_finish) == ("ERP v2", datetime.date(2027, 3, 31))

    def test_duplicate_code_on_update_is_400(self, api_for, owner, program, project):
        other = ProjectFactory(program=program, code="MOD-HR")
        response = api_for(owner).patch(detail(other), {"code": "MOD-ERP"}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "code"
        assert Project.objects.get(pk=other.pk).code == "MOD-HR"


@pytest.mark.django_db
class TestETag:
    def test_if_match_with_current_etag_succeeds_and_returns_the_next(self, api_for, owner, project):
        client = api_for(owner)
        etag = client.get(detail(project))["ETag"]
        response = client.patch(detail(project), {"priority": 1}, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == 200
        assert response["ETag"] == '"2"'
        assert response.json()["version"] == 2

    def test_weak_etag_is_accepted(self, api_for, owner, project):
        response = api_for(owner).patch(detail(project), {"priority": 1}, format="json", HTTP_IF_MATCH='W/"1"')
        assert response.status_code == 200

    @pytest.mark.parametrize("header", ['"abc"', "garbage", '"1", "2"'])
    def test_malformed_if_match_is_412(self, api_for, owner, project, header):
        response = api_for(owner).patch(detail(project), {"name": "X"}, format="json", HTTP_IF_MATCH=header)
        assert response.status_code == 412
        assert response.json()["status"] == 412
        assert Project.objects.get(pk=project.pk).name == "ERP replacement"

    def test_stale_if_match_on_delete_is_412(self, api_for, owner, project):
        client = api_for(owner)
        client.patch(detail(project), {"priority": 1}, format="json")
        response = client.delete(detail(project), HTTP_IF_MATCH='"1"')
        assert response.status_code == 412
        assert Project.objects.filter(pk=project.pk).exists()
        assert client.delete(detail(project), HTTP_IF_MATCH='"2"').status_code == 204

    def test_two_writers_with_one_etag_one_wins_one_gets_412(self, api_for, owner, project_manager, project):
        first, second = api_for(owner), api_for(project_manager)
        etag = first.get(detail(project))["ETag"]
        assert second.get(detail(project))["ETag"] == etag

        won = first.patch(detail(project), {"name": "Owner's name"}, format="json", HTTP_IF_MATCH=etag)
        lost = second.patch(detail(project), {"name": "PM's name"}, format="json", HTTP_IF_MATCH=etag)

        assert (won.status_code, lost.status_code) == (200, 412)
        project.refresh_from_db()
        assert (project.name, project.version) == ("Owner's name", 2)
        assert AuditEntry.objects.filter(object_type="projects.project", action="update").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_with_one_etag_exactly_one_wins(api_for, owner, project_manager, project, monkeypatch):
    """Two threads, each with its own database connection, PATCH the same ETag at once.

    Both requests are held until each has read the row and passed the If-Match check, so the
    outcome is decided where it must be: in versioned_update's single checking UPDATE."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL not available")
    names = {"owner": "Owner's name", "pm": "PM's name"}
    clients = {"owner": api_for(owner), "pm": api_for(project_manager)}
    etag = clients["owner"].get(detail(project))["ETag"]
    start, both_checked = threading.Barrier(2, timeout=30), threading.Barrier(2, timeout=30)
    real_update = project_services.versioned_update

    def update_when_both_have_checked(**kwargs):
        both_checked.wait()
        return real_update(**kwargs)

    monkeypatch.setattr(project_services, "versioned_update", update_when_both_have_checked)
    results: dict[str, int] = {}
    failures: list[BaseException] = []

    def write(who):
        try:
            start.wait()
            response = clients[who].patch(detail(project), {"name": names[who]}, format="json", HTTP_IF_MATCH=etag)
            results[who] = response.status_code
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(who,)) for who in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    assert sorted(results.values()) == [200, 412], results
    winner = next(who for who, code in results.items() if code == 200)
    project.refresh_from_db()
    assert (project.name, project.version) == (names[winner], 2)
    assert AuditEntry.objects.filter(object_type="projects.project", action="update").count() == 1


@pytest.mark.django_db
class TestStatusReports:
    @pytest.mark.parametrize("who", ["project_manager", "owner", "portfolio_admin"])
    def test_editors_submit_reports_and_the_project_shows_the_latest(self, request, api_for, project, who):
        author = request.getfixturevalue(who)
        client = api_for(author)
        response = client.post(REPORTS, report_payload(project), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["project_code"], body["submitted_by_username"]) == ("MOD-ERP", author.username)
        shown = client.get(detail(project)).json()
        assert (shown["health"], shown["percent_complete"], shown["last_reported"]) == ("amber", "55.00", "2026-11-30")

    @pytest.mark.parametrize("who", ["member", "executive"])
    def test_readers_get_403_and_nothing_is_written(self, request, api_for, project, who):
        response = api_for(request.getfixturevalue(who)).post(REPORTS, report_payload(project), format="json")
        assert response.status_code == 403
        assert not StatusReport.objects.exists()

    def test_invisible_project_is_400_naming_project(self, api_for, outsider, project):
        response = api_for(outsider).post(REPORTS, report_payload(project), format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "project"
        assert not StatusReport.objects.exists()

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("overall_rag", "purple"),
            ("risk_rag", ""),
            ("percent_complete", "150"),
            ("percent_complete", "-1"),
            ("percent_complete", "NaN"),
            ("period_end", "last week"),
            ("summary", ""),
        ],
    )
    def test_bad_field_is_400_naming_it(self, api_for, project_manager, project, field, value):
        payload = report_payload(project, **{field: value})
        response = api_for(project_manager).post(REPORTS, payload, format="json")
        assert response.status_code == 400
        assert [e["field"] for e in response.json()["errors"]] == [field]
        assert not StatusReport.objects.exists()
        assert Project.objects.get(pk=project.pk).latest_status_report is None

    def test_reports_are_corrected_in_place_and_never_deleted(self, api_for, owner, project):
        report = submit_report(project, owner)
        client, url = api_for(owner), f"{REPORTS}{report.pk}/"
        assert client.get(url).status_code == 200
        response = client.patch(url, {"summary": "Rewritten", "overall_rag": "red"}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["summary"] == "Rewritten"
        assert client.put(url, report_payload(project, summary="Put"), format="json").status_code == 200
        response = client.delete(url)
        assert response.status_code == 405
        assert response.json()["status"] == 405
        assert StatusReport.objects.get().summary == "Put"
        audit = AuditEntry.objects.filter(
            object_type="projects.statusreport", object_id=str(report.pk), action="update"
        ).order_by("pk")
        assert audit[0].changes["summary"] == ["Data migration slipped a week.", "Rewritten"]
        assert audit[0].changes["overall_rag"] == ["amber", "red"]

    def test_second_report_for_a_period_is_400_naming_period_end(self, api_for, project_manager, project):
        client = api_for(project_manager)
        assert client.post(REPORTS, report_payload(project), format="json").status_code == 201
        response = client.post(REPORTS, report_payload(project, summary="Again"), format="json")
        assert response.status_code == 400
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == ["period_end"]
        assert "already has a report for November 2026" in errors[0]["message"]
        assert StatusReport.objects.get().summary == "Data migration slipped a week."

    def test_correction_cannot_move_the_period(self, api_for, owner, project):
        report = submit_report(project, owner)
        response = api_for(owner).patch(f"{REPORTS}{report.pk}/", {"period_end": "2026-10-31"}, format="json")
        assert response.status_code == 400
        assert [e["field"] for e in response.json()["errors"]] == ["period_end"]
        assert StatusReport.objects.get().period_end == datetime.date(2026, 11, 30)

    def test_reader_cannot_correct_a_report(self, api_for, owner, member, project):
        report = submit_report(project, owner)
        response = api_for(member).patch(f"{REPORTS}{report.pk}/", {"summary": "x"}, format="json")
        assert response.status_code == 403
        assert StatusReport.objects.get().summary == "Data migration slipped a week."

    @pytest.mark.parametrize(
        ("period_end", "words"),
        [
            ("2026-11-15", "the month's last day (30 Nov 2026)"),
            ("2025-12-31", "before the project starts"),
            ("2027-01-31", "after the project finishes"),
        ],
    )
    def test_period_outside_the_project_or_not_a_month_end_is_400(
        self, api_for, project_manager, project, period_end, words
    ):
        response = api_for(project_manager).post(REPORTS, report_payload(project, period_end=period_end), format="json")
        assert response.status_code == 400
        errors = response.json()["errors"]
        assert [e["field"] for e in errors] == ["period_end"]
        assert words in errors[0]["message"]
        assert not StatusReport.objects.exists()

    def test_period_after_the_current_month_is_400_and_never_latest(self, api_for, project_manager, project):
        Project.objects.filter(pk=project.pk).update(planned_finish=datetime.date(2999, 12, 31))
        beyond = month_end(reporting_period_current() + datetime.timedelta(days=1))
        client = api_for(project_manager)
        response = client.post(REPORTS, report_payload(project, period_end=beyond.isoformat()), format="json")
        assert response.status_code == 400
        assert [e["field"] for e in response.json()["errors"]] == ["period_end"]
        assert "after the current reporting period" in response.json()["errors"][0]["message"]
        current = reporting_period_current().isoformat()
        assert client.post(REPORTS, report_payload(project, period_end=current), format="json").status_code == 201
        assert Project.objects.get(pk=project.pk).latest_status_report.period_end.isoformat() == current

    def test_outsider_gets_404_and_empty_list(self, api_for, owner, outsider, project):
        report = submit_report(project, owner)
        client = api_for(outsider)
        assert client.get(REPORTS).json()["results"] == []
        assert client.get(f"{REPORTS}{report.pk}/").status_code == 404

    def test_member_reads_history_filtered_by_project(self, api_for, owner, member, project):
        submit_report(project, owner, period_end="2026-10-31", overall_rag="green")
        submit_report(project, owner, period_end="2026-11-30", overall_rag="red")
        rows = api_for(member).get(REPORTS, {"project": project.pk, "ordering": "period_end"}).json()["results"]
        assert [(r["period_end"], r["overall_rag"]) for r in rows] == [("2026-10-31", "green"), ("2026-11-30", "red")]


@pytest.mark.django_db
class TestProjectFilters:
    def test_filterset_search_ordering_and_pagination(self, api_for, owner, program, project):
        ProjectFactory(program=program, code="MOD-HR", name="HR system", priority=1)
        ProjectFactory(program=program, code="MOD-WEB", name="Website", status=Project.Status.ON_HOLD)
        submit_report(project, owner, overall_rag="red")
        client = api_for(owner)

        def codes(params):
            response = client.get(PROJECTS, params)
            assert response.status_code == 200, response.json()
            return [row["code"] for row in response.json()["results"]]

        assert codes({"health": "red"}) == ["MOD-ERP"]
        assert codes({"status": "on_hold"}) == ["MOD-WEB"]
        assert codes({"q": "hr"}) == ["MOD-HR"]
        assert codes({"search": "website"}) == ["MOD-WEB"]
        assert codes({"ordering": "-code"}) == ["MOD-WEB", "MOD-HR", "MOD-ERP"]
        page = client.get(PROJECTS, {"page_size": 2, "page": 2}).json()
        assert (page["count"], [r["code"] for r in page["results"]]) == (3, ["MOD-WEB"])

    def test_bad_filter_value_is_400_naming_it(self, api_for, owner, project):
        response = api_for(owner).get(PROJECTS, {"status": "sleeping"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "status"

    def test_page_out_of_range_is_404_with_reason(self, api_for, owner, project):
        response = api_for(owner).get(PROJECTS, {"page": 9})
        assert response.status_code == 404
        assert response.json()["detail"] == "Invalid page."
