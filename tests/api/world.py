"""The data the generated API tests run against: the small demo (every resource, the six demo
roles on realistic scopes) plus a second portfolio built with the factories, managed by an
outsider who holds no role in the demo's. So every role has objects in its scope and objects
outside it, and the outsider sees only its own corner.

Not fixtures (tests/conftest.py keeps those): functions the two generated suites call."""

import uuid
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from core.models import ApiToken, AuditEntry
from core.services import api_token_create, audit_record
from integrations.models import WebhookDelivery
from portfolio.models import Program
from portfolio.roles import Role
from tests.conftest import seed_small_demo
from tests.factories.access import InvitationFactory
from tests.factories.budgets import BudgetLineFactory, ContractFactory, VendorFactory
from tests.factories.integrations import WebhookSubscriptionFactory
from tests.factories.portfolio import MembershipFactory, ProgramFactory
from tests.factories.projects import ProjectFactory, StatusReportFactory, TaskFactory
from tests.factories.risks import IssueFactory, MitigationActionFactory, RiskFactory
from tests.factories.staffing import AllocationFactory, PersonFactory, RoleFactory
from tests.factories.users import UserFactory

# The demo's logins, one per role, and the outsider (a program manager elsewhere).
DEMO_ROLES = ("portfolio_admin", "executive", "program_manager", "project_manager", "team_member", "finance_analyst")
ROLES = (*DEMO_ROLES, "outsider")
# Logins that also get a read-only token (ApiToken.Scope.READ): the widest writers, whose every
# write must still be refused.
READ_ONLY_ROLES = ("portfolio_admin", "finance_analyst")


# A public address written as one, so the URL check (integrations.transport.check_url) passes
# without a DNS lookup and an update of the subscription is judged on its own merits offline.
HOOK_URL = "https://93.184.215.14/keel"


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role name -> user
    tokens: dict = field(default_factory=dict)  # role name -> API token secret
    read_only_tokens: dict = field(default_factory=dict)  # role name -> read-only token secret


def build_world() -> World:
    seed_small_demo()
    outsider = UserFactory(username="outsider")
    other = ProgramFactory(code="OTHER", name="Other program")
    MembershipFactory(user=outsider, role=Role.PROGRAM_MANAGER, program=other)
    project = ProjectFactory(program=other, code="OTH-1", name="Other project")
    StatusReportFactory(project=project)
    TaskFactory(project=project)
    risk = RiskFactory(project=project)
    MitigationActionFactory(risk=risk)
    IssueFactory(project=project)
    person = PersonFactory(portfolio=other.portfolio)
    AllocationFactory(person=person, project=project, role=RoleFactory(portfolio=other.portfolio))
    BudgetLineFactory(project=project)
    ContractFactory(program=other, vendor=VendorFactory())
    # The audit log: an entry in the outsider's scope (the factories write none).
    audit_record(actor=outsider, action=AuditEntry.Action.UPDATE, obj=risk, changes={"title": ["a", "b"]})
    # Integrations and user administration: a webhook with a delivery and an invitation on the
    # demo's portfolio, on its first program and on the outsider's program.
    first = Program.objects.exclude(pk=other.pk).order_by("pk").first()
    for scope in ({"portfolio": first.portfolio}, {"program": first}, {"program": other}):
        hook = WebhookSubscriptionFactory(portfolio=scope.get("portfolio"), program=scope.get("program"), url=HOOK_URL)
        WebhookDelivery.objects.create(subscription=hook, event_id=uuid.uuid4(), event="webhook.test", payload={})
        InvitationFactory(**scope)

    world = World()
    users = get_user_model().objects.filter(username__in=DEMO_ROLES)
    world.users = {user.username: user for user in users} | {"outsider": outsider}
    for role, user in world.users.items():
        world.tokens[role] = api_token_create(user=user, name="generated API tests")[1]
    for role in READ_ONLY_ROLES:
        world.read_only_tokens[role] = api_token_create(
            user=world.users[role], name="generated API tests, read-only", scope=ApiToken.Scope.READ
        )[1]
    return world


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}
