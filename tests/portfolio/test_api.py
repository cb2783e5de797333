"""/api/v1/portfolios/, objectives/, programs/ and memberships/: access, validation, writes."""

from decimal import Decimal

import pytest

from core.models import AuditEntry
from portfolio.models import Membership, Portfolio, Program, ProgramObjective, StrategicObjective
from projects.models import Project
from projects.services import status_report_submit
from tests.factories.portfolio import MembershipFactory, PortfolioFactory, StrategicObjectiveFactory
from tests.factories.projects import ProjectFactory
from tests.factories.users import UserFactory

PORTFOLIOS = "/api/v1/portfolios/"
OBJECTIVES = "/api/v1/objectives/"
PROGRAMS = "/api/v1/programs/"
MEMBERSHIPS = "/api/v1/memberships/"
Role = Membership.Role
READERS = ["member", "executive"]


def fields_of(response) -> list:
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.django_db
class TestPortfolios:
    @pytest.mark.parametrize("who", ["owner", "project_manager", "member", "executive", "portfolio_admin"])
    def test_anyone_with_a_role_inside_sees_the_portfolio(self, request, api_for, portfolio, who):
        client = api_for(request.getfixturevalue(who))
        assert [row["code"] for row in client.get(PORTFOLIOS).json()["results"]] == ["CORP"]
        response = client.get(f"{PORTFOLIOS}{portfolio.pk}/")
        assert (response.status_code, response["ETag"]) == (200, '"1"')

    def test_outsider_gets_404_and_does_not_see_it_listed(self, api_for, outsider, portfolio):
        client = api_for(outsider)
        assert "CORP" not in [row["code"] for row in client.get(PORTFOLIOS).json()["results"]]
        assert client.get(f"{PORTFOLIOS}{portfolio.pk}/").status_code == 404
        assert client.patch(f"{PORTFOLIOS}{portfolio.pk}/", {"name": "x"}, format="json").status_code == 404

    @pytest.mark.parametrize("who", ["owner", "member", "executive"])
    def test_only_portfolio_admins_edit_it(self, request, api_for, portfolio, who):
        url = f"{PORTFOLIOS}{portfolio.pk}/"
        response = api_for(request.getfixturevalue(who)).patch(url, {"name": "Renamed"}, format="json")
        assert response.status_code == 403
        assert Portfolio.objects.get(pk=portfolio.pk).name == "Corporate portfolio"

    def test_portfolio_admin_edits_with_if_match(self, api_for, portfolio_admin, portfolio):
        client, url = api_for(portfolio_admin), f"{PORTFOLIOS}{portfolio.pk}/"
        response = client.patch(url, {"name": "Group portfolio"}, format="json", HTTP_IF_MATCH='"1"')
        assert (response.status_code, response["ETag"]) == (200, '"2"')
        assert client.patch(url, {"name": "Late"}, format="json", HTTP_IF_MATCH='"1"').status_code == 412
        assert Portfolio.objects.get(pk=portfolio.pk).name == "Group portfolio"

    def test_bad_currency_is_400_naming_it(self, api_for, portfolio_admin, portfolio):
        url = f"{PORTFOLIOS}{portfolio.pk}/"
        response = api_for(portfolio_admin).patch(url, {"base_currency": "euro"}, format="json")
        assert response.status_code == 400
        assert set(fields_of(response)) == {"base_currency"}

    def test_only_administrators_create_portfolios(self, api_for, portfolio_admin, portfolio):
        payload = {"code": "LABS", "name": "Labs"}
        assert api_for(portfolio_admin).post(PORTFOLIOS, payload, format="json").status_code == 403
        root = UserFactory(username="root", is_superuser=True, is_staff=True)
        response = api_for(root).post(PORTFOLIOS, payload, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["program_count"] == 0
        created = Portfolio.objects.get(code="LABS")
        assert AuditEntry.objects.filter(object_type="portfolio.portfolio", object_id=str(created.pk)).exists()

    def test_duplicate_code_is_400_and_nothing_written(self, api_for, portfolio):
        root = UserFactory(username="root", is_superuser=True, is_staff=True)
        response = api_for(root).post(PORTFOLIOS, {"code": "CORP", "name": "Again"}, format="json")
        assert (response.status_code, fields_of(response)) == (400, ["code"])
        assert Portfolio.objects.count() == 1

    def test_deleting_a_portfolio_with_programs_is_409(self, api_for, portfolio_admin, portfolio, program):
        response = api_for(portfolio_admin).delete(f"{PORTFOLIOS}{portfolio.pk}/")
        assert response.status_code == 409
        assert "programs" in response.json()["detail"]
        assert Portfolio.objects.filter(pk=portfolio.pk).exists()
        assert not AuditEntry.objects.filter(action="delete").exists()


@pytest.mark.django_db
class TestObjectives:
    def test_readers_see_objectives_outsider_gets_404(self, api_for, executive, outsider, portfolio):
        objective = StrategicObjectiveFactory(portfolio=portfolio, code="GROW")
        url = f"{OBJECTIVES}{objective.pk}/"
        assert [r["code"] for r in api_for(executive).get(OBJECTIVES).json()["results"]] == ["GROW"]
        assert api_for(executive).patch(url, {"title": "x"}, format="json").status_code == 403
        assert api_for(outsider).get(OBJECTIVES).json()["results"] == []
        assert api_for(outsider).get(url).status_code == 404

    def test_portfolio_admin_creates_objective(self, api_for, portfolio_admin, portfolio):
        payload = {"portfolio": portfolio.pk, "code": "GROW", "title": "Grow revenue"}
        response = api_for(portfolio_admin).post(OBJECTIVES, payload, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["portfolio_code"] == "CORP"

    @pytest.mark.parametrize("who", ["owner", "executive"])
    def test_others_may_not_create_objectives(self, request, api_for, portfolio, who):
        payload = {"portfolio": portfolio.pk, "code": "GROW", "title": "Grow revenue"}
        assert api_for(request.getfixturevalue(who)).post(OBJECTIVES, payload, format="json").status_code == 403
        assert not StrategicObjective.objects.exists()

    def test_duplicate_code_in_portfolio_is_400_naming_code(self, api_for, portfolio_admin, portfolio):
        StrategicObjectiveFactory(portfolio=portfolio, code="GROW")
        payload = {"portfolio": portfolio.pk, "code": "GROW", "title": "Again"}
        response = api_for(portfolio_admin).post(OBJECTIVES, payload, format="json")
        assert (response.status_code, fields_of(response)) == (400, ["code"])
        assert StrategicObjective.objects.count() == 1

    def test_same_code_in_another_portfolio_is_fine(self, api_for, portfolio_admin, portfolio):
        StrategicObjectiveFactory(code="GROW")
        payload = {"portfolio": portfolio.pk, "code": "GROW", "title": "Grow"}
        assert api_for(portfolio_admin).post(OBJECTIVES, payload, format="json").status_code == 201


@pytest.mark.django_db
class TestPrograms:
    def url(self, program) -> str:
        return f"{PROGRAMS}{program.pk}/"

    def test_list_shows_health_from_projects_latest_reports(self, api_for, owner, program, project):
        status_report_submit(
            actor=owner,
            project=project,
            period_end="2026-11-30",
            overall_rag="red",
            schedule_rag="red",
            cost_rag="green",
            scope_rag="green",
            risk_rag="amber",
            percent_complete=Decimal("10"),
            summary="Blocked.",
        )
        ProjectFactory(program=program, code="MOD-HR")
        rows = api_for(owner).get(PROGRAMS).json()["results"]
        assert [(r["code"], r["project_count"], r["health"]) for r in rows] == [("MOD", 2, "red")]
        rows = api_for(owner).get(PROGRAMS, {"health": "red"}).json()["results"]
        assert [(r["code"], r["project_count"]) for r in rows] == [("MOD", 2)]

    @pytest.mark.parametrize("who", ["owner", "project_manager", "member", "executive"])
    def test_cast_sees_the_program(self, request, api_for, program, who):
        client = api_for(request.getfixturevalue(who))
        assert [row["code"] for row in client.get(PROGRAMS).json()["results"]] == ["MOD"]
        assert client.get(self.url(program)).status_code == 200

    def test_outsider_gets_404_and_sees_only_own_program(self, api_for, outsider, program):
        client = api_for(outsider)
        assert [row["code"] for row in client.get(PROGRAMS).json()["results"]] == ["OTHER"]
        assert client.get(self.url(program)).status_code == 404

    @pytest.mark.parametrize("who", ["project_manager", "member", "executive"])
    def test_non_managers_get_403(self, request, api_for, program, who):
        client = api_for(request.getfixturevalue(who))
        assert client.patch(self.url(program), {"name": "x"}, format="json").status_code == 403
        assert client.delete(self.url(program)).status_code == 403
        assert Program.objects.get(pk=program.pk).name == "Modernisation"

    def test_program_manager_sets_weighted_objectives(self, api_for, owner, portfolio, program):
        grow, save = (StrategicObjectiveFactory(portfolio=portfolio, code=c) for c in ("GROW", "SAVE"))
        payload = {"objectives": [{"objective": grow.pk, "weight": "70"}, {"objective": save.pk, "weight": "30"}]}
        response = api_for(owner).patch(self.url(program), payload, format="json", HTTP_IF_MATCH='"1"')
        assert response.status_code == 200, response.json()
        assert response["ETag"] == '"2"'
        shown = [(o["objective_code"], o["weight"]) for o in response.json()["objectives"]]
        assert shown == [("GROW", "70.00"), ("SAVE", "30.00")]
        stored = ProgramObjective.objects.filter(program=program).order_by("-weight")
        assert [(link.objective.code, link.weight) for link in stored] == [("GROW", 70), ("SAVE", 30)]

    def test_patch_without_objectives_keeps_them(self, api_for, owner, portfolio, program):
        grow = StrategicObjectiveFactory(portfolio=portfolio, code="GROW")
        ProgramObjective.objects.create(program=program, objective=grow, weight=Decimal("40"))
        response = api_for(owner).patch(self.url(program), {"status": "on_hold"}, format="json")
        assert response.status_code == 200
        assert [o["objective_code"] for o in response.json()["objectives"]] == ["GROW"]

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"objectives": [{"objective": "OBJ", "weight": "150"}]}, "objectives[0].weight"),
            ({"objectives": [{"objective": "OBJ", "weight": "-5"}]}, "objectives[0].weight"),
            ({"objectives": [{"objective": 999999, "weight": "5"}]}, "objectives[0].objective"),
            ({"objectives": [{"objective": "OBJ"}, {"objective": "OBJ"}]}, "objectives"),
            ({"objectives": "GROW"}, "objectives"),
            ({"start_date": "2026-06-01", "finish_date": "2026-01-01"}, "finish_date"),
            ({"contingency_reserve": "-1"}, "contingency_reserve"),
            ({"contingency_reserve": "1e400"}, "contingency_reserve"),
            ({"status": "dormant"}, "status"),
            ({"manager": 999999}, "manager"),
            ({"portfolio": 999999}, "portfolio"),
        ],
    )
    def test_bad_input_is_400_naming_field_and_nothing_written(
        self, api_for, owner, portfolio, program, payload, field
    ):
        objective = StrategicObjectiveFactory(portfolio=portfolio, code="GROW")
        if "objectives" in payload and isinstance(payload["objectives"], list):
            for link in payload["objectives"]:
                link["objective"] = objective.pk if link["objective"] == "OBJ" else link["objective"]
        response = api_for(owner).patch(self.url(program), payload, format="json")
        assert response.status_code == 400, response.json()
        assert fields_of(response) == [field]
        program.refresh_from_db()
        assert program.version == 1
        assert not ProgramObjective.objects.exists()

    def test_patched_objective_items_are_whole(self, api_for, owner, portfolio, program):
        grow = StrategicObjectiveFactory(portfolio=portfolio, code="GROW")
        client = api_for(owner)
        response = client.patch(self.url(program), {"objectives": [{"weight": "50"}]}, format="json")
        assert (response.status_code, fields_of(response)) == (400, ["objectives[0].objective"])
        response = client.patch(self.url(program), {"objectives": [{"objective": grow.pk}]}, format="json")
        assert response.status_code == 200
        assert ProgramObjective.objects.get(program=program).weight == 100

    def test_objective_of_another_portfolio_is_400_and_rolled_back(self, api_for, owner, program):
        foreign = StrategicObjectiveFactory(code="ELSEWHERE")
        MembershipFactory(user=owner, role=Role.EXECUTIVE, portfolio=foreign.portfolio)  # so it is visible
        payload = {"name": "Renamed", "objectives": [{"objective": foreign.pk, "weight": "50"}]}
        response = api_for(owner).patch(self.url(program), payload, format="json")
        assert (response.status_code, fields_of(response)) == (400, ["objectives"])
        program.refresh_from_db()
        assert (program.name, program.version) == ("Modernisation", 1)
        assert not ProgramObjective.objects.exists()

    def test_portfolio_admin_creates_program_with_objectives(self, api_for, portfolio_admin, portfolio):
        grow = StrategicObjectiveFactory(portfolio=portfolio, code="GROW")
        payload = {
            "portfolio": portfolio.pk,
            "code": "NEW",
            "name": "New ventures",
            "contingency_reserve": "250000.00",
            "objectives": [{"objective": grow.pk, "weight": "100"}],
        }
        response = api_for(portfolio_admin).post(PROGRAMS, payload, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["objectives"][0]["objective_code"] == "GROW"
        assert Program.objects.get(code="NEW").objective_links.get().weight == 100

    @pytest.mark.parametrize("who", ["owner", "executive"])
    def test_program_creation_needs_portfolio_admin(self, request, api_for, portfolio, who):
        payload = {"portfolio": portfolio.pk, "code": "NEW", "name": "New"}
        response = api_for(request.getfixturevalue(who)).post(PROGRAMS, payload, format="json")
        assert response.status_code == 403
        assert not Program.objects.filter(code="NEW").exists()

    def test_portfolio_cannot_be_changed(self, api_for, portfolio_admin, program):
        other = PortfolioFactory(code="OTHERPF")
        MembershipFactory(user=portfolio_admin, role=Role.PORTFOLIO_ADMIN, portfolio=other)
        response = api_for(portfolio_admin).patch(self.url(program), {"portfolio": other.pk}, format="json")
        assert (response.status_code, fields_of(response)) == (400, ["portfolio"])

    def test_deleting_a_program_with_projects_is_409(self, api_for, owner, program, project):
        response = api_for(owner).delete(self.url(program))
        assert response.status_code == 409
        assert Program.objects.filter(pk=program.pk).exists()

    def test_program_manager_deletes_empty_program(self, api_for, owner, program):
        assert api_for(owner).delete(self.url(program), HTTP_IF_MATCH='"1"').status_code == 204
        assert not Program.objects.filter(pk=program.pk).exists()


@pytest.mark.django_db
def in_reach(portfolio, **kwargs):
    """Someone a portfolio's managers may name in a membership: they already hold a role in it
    (a team member on a project of another program). Anyone else joins by invitation (access)."""
    from tests.factories.portfolio import ProgramFactory

    user = UserFactory(**kwargs)
    elsewhere = ProjectFactory(program=ProgramFactory(portfolio=portfolio))
    MembershipFactory(user=user, role=Role.TEAM_MEMBER, project=elsewhere)
    return user


class TestMemberships:
    def test_program_manager_grants_a_project_role(self, api_for, owner, project):
        newcomer = in_reach(project.program.portfolio, username="newcomer")
        payload = {"user": newcomer.pk, "role": Role.TEAM_MEMBER, "project": project.pk}
        response = api_for(owner).post(MEMBERSHIPS, payload, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["username"], body["scope_kind"], body["scope_code"]) == ("newcomer", "project", "MOD-ERP")
        assert "MOD-ERP" in Project.objects.visible_to(newcomer).values_list("code", flat=True)
        assert AuditEntry.objects.filter(object_type="portfolio.membership", action="create").exists()

    @pytest.mark.parametrize("who", ["project_manager", "member", "executive"])
    def test_others_may_not_grant_roles(self, request, api_for, project, who):
        client = api_for(request.getfixturevalue(who))
        payload = {"user": in_reach(project.program.portfolio).pk, "role": Role.TEAM_MEMBER, "project": project.pk}
        before = Membership.objects.count()
        assert client.post(MEMBERSHIPS, payload, format="json").status_code == 403
        assert Membership.objects.count() == before

    def test_readers_list_memberships_outsider_does_not(self, api_for, owner, member, executive, outsider):
        usernames = {row["username"] for row in api_for(executive).get(MEMBERSHIPS).json()["results"]}
        assert {"owner", "member", "exec"} <= usernames
        assert "outsider" not in usernames
        outsiders_view = {row["username"] for row in api_for(outsider).get(MEMBERSHIPS).json()["results"]}
        assert outsiders_view == {"outsider"}
        mine = api_for(member).get(MEMBERSHIPS, {"user": member.pk}).json()["results"]
        assert [(r["role"], r["scope_code"]) for r in mine] == [("team_member", "MOD-ERP")]

    def test_outsider_gets_404_for_a_membership(self, api_for, owner, outsider):
        membership = owner.memberships.get()
        assert api_for(outsider).get(f"{MEMBERSHIPS}{membership.pk}/").status_code == 404
        assert api_for(outsider).delete(f"{MEMBERSHIPS}{membership.pk}/").status_code == 404

    @pytest.mark.parametrize(
        ("scope", "field"),
        [({}, "scope"), ({"program": "PROGRAM", "project": "PROJECT"}, "scope"), ({"program": 999999}, "program")],
    )
    def test_bad_scope_is_400(self, api_for, owner, program, project, scope, field):
        scope = {k: {"PROGRAM": program.pk, "PROJECT": project.pk}.get(v, v) for k, v in scope.items()}
        payload = {"user": in_reach(program.portfolio).pk, "role": Role.TEAM_MEMBER, **scope}
        before = Membership.objects.count()
        response = api_for(owner).post(MEMBERSHIPS, payload, format="json")
        assert (response.status_code, fields_of(response)) == (400, [field])
        assert Membership.objects.count() == before

    def test_duplicate_membership_is_400_naming_role(self, api_for, owner, member, project):
        payload = {"user": member.pk, "role": Role.TEAM_MEMBER, "project": project.pk}
        response = api_for(owner).post(MEMBERSHIPS, payload, format="json")
        assert (response.status_code, fields_of(response)) == (400, ["role"])

    def test_unknown_role_is_400(self, api_for, owner, project):
        payload = {"user": in_reach(project.program.portfolio).pk, "role": "overlord", "project": project.pk}
        response = api_for(owner).post(MEMBERSHIPS, payload, format="json")
        assert (response.status_code, fields_of(response)) == (400, ["role"])

    def test_memberships_are_not_updated_in_place(self, api_for, owner, member):
        membership = member.memberships.get()
        response = api_for(owner).patch(f"{MEMBERSHIPS}{membership.pk}/", {"role": "executive"}, format="json")
        assert response.status_code == 405
        assert Membership.objects.get(pk=membership.pk).role == Role.TEAM_MEMBER

    def test_program_manager_removes_a_role(self, api_for, owner, member, project):
        membership = member.memberships.get()
        assert api_for(member).delete(f"{MEMBERSHIPS}{membership.pk}/").status_code == 403
        assert api_for(owner).delete(f"{MEMBERSHIPS}{membership.pk}/").status_code == 204
        assert not Membership.objects.filter(pk=membership.pk).exists()
        assert AuditEntry.objects.filter(object_type="portfolio.membership", action="delete").exists()
