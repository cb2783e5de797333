"""visible_to / editable_by: the one place access is decided."""

import pytest

from portfolio.models import Portfolio, Program
from projects.models import Project
from tests.factories.users import UserFactory


@pytest.mark.django_db
class TestVisibility:
    def test_program_manager_sees_and_edits_program_and_its_projects(self, owner, program, project):
        assert list(Program.objects.visible_to(owner)) == [program]
        assert list(Program.objects.editable_by(owner)) == [program]
        assert list(Project.objects.editable_by(owner)) == [project]

    def test_executive_reads_portfolio_but_edits_nothing(self, executive, portfolio, program, project):
        assert list(Portfolio.objects.visible_to(executive)) == [portfolio]
        assert list(Project.objects.visible_to(executive)) == [project]
        assert not Program.objects.editable_by(executive).exists()
        assert not Project.objects.editable_by(executive).exists()

    def test_team_member_reads_project_and_its_program_only(self, member, program, project):
        assert list(Project.objects.visible_to(member)) == [project]
        assert list(Program.objects.visible_to(member)) == [program]
        assert not Project.objects.editable_by(member).exists()
        assert not Program.objects.editable_by(member).exists()

    def test_project_manager_edits_own_project_not_program(self, project_manager, project):
        assert list(Project.objects.editable_by(project_manager)) == [project]
        assert not Program.objects.editable_by(project_manager).exists()

    def test_outsider_sees_nothing_of_this_program(self, outsider, portfolio, program, project):
        assert portfolio not in Portfolio.objects.visible_to(outsider)
        assert program not in Program.objects.visible_to(outsider)
        assert project not in Project.objects.visible_to(outsider)

    def test_user_without_memberships_sees_nothing(self, project):
        nobody = UserFactory(username="nobody")
        assert not Project.objects.visible_to(nobody).exists()
        assert not Portfolio.objects.visible_to(nobody).exists()

    def test_superuser_sees_everything(self, project):
        admin = UserFactory(username="root", is_superuser=True, is_staff=True)
        assert list(Project.objects.visible_to(admin)) == [project]


@pytest.mark.django_db
def test_program_is_overseen_only_through_a_program_or_portfolio_role(owner, executive, member, program):
    assert list(Program.objects.overseen_by(owner)) == [program]
    assert list(Program.objects.overseen_by(executive)) == [program]
    assert program in Program.objects.visible_to(member)
    assert not Program.objects.overseen_by(member).exists()
