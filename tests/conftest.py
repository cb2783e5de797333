"""Shared fixtures: a cast of users around one program.

- owner: program manager of `program` (edits the program and everything in it)
- project_manager: project manager of `project`
- member: team member of `project` (reads it, edits nothing)
- executive: executive on the portfolio (reads everything in it, edits nothing)
- outsider: holds a role only in another portfolio (sees none of this: 404)
"""

import pytest
from django.test import Client

from portfolio.models import Membership
from tests.factories.portfolio import MembershipFactory, PortfolioFactory, ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.users import UserFactory

Role = Membership.Role


@pytest.fixture
def portfolio(db):
    return PortfolioFactory(code="CORP", name="Corporate portfolio")


@pytest.fixture
def program(portfolio):
    return ProgramFactory(portfolio=portfolio, code="MOD", name="Modernisation")


@pytest.fixture
def project(program):
    return ProjectFactory(program=program, code="MOD-ERP", name="ERP replacement")


@pytest.fixture
def owner(program):
    user = UserFactory(username="owner")
    MembershipFactory(user=user, role=Role.PROGRAM_MANAGER, program=program)
    return user


@pytest.fixture
def project_manager(project):
    user = UserFactory(username="pm")
    MembershipFactory(user=user, role=Role.PROJECT_MANAGER, project=project)
    return user


@pytest.fixture
def member(project):
    user = UserFactory(username="member")
    MembershipFactory(user=user, role=Role.TEAM_MEMBER, project=project)
    return user


@pytest.fixture
def executive(portfolio):
    user = UserFactory(username="exec")
    MembershipFactory(user=user, role=Role.EXECUTIVE, portfolio=portfolio)
    return user


@pytest.fixture
def outsider(db):
    user = UserFactory(username="outsider")
    other = ProgramFactory(code="OTHER", name="Other program")
    MembershipFactory(user=user, role=Role.PROGRAM_MANAGER, program=other)
    return user


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_for():
    """`client_for(user)` returns a Django test client logged in as that user."""
    return login
