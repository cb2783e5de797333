"""An issue's page: every field, the risk it came from, the reserve drawdown, the change history
from the audit log, the overdue flag, who may see it, links to it, and a query count that does
not grow with the issue's history or the number of issues."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.models import Project
from risks import services
from risks.models import Issue
from tests.factories.risks import IssueFactory, RiskFactory


@pytest.fixture
def realised(project, owner):
    """A project risk realised by the program manager with 2,500 drawn from contingency."""
    Project.objects.filter(pk=project.pk).update(contingency_reserve=Decimal("10000"))
    risk = services.risk_create(
        actor=owner, project=project, title="Vendor insolvency", category="supply_chain", probability=4, impact=4
    )
    issue = services.risk_realise(
        actor=owner, risk=risk, amount=Decimal("2500"), reserve="contingency", note="Vendor went under"
    )
    return risk, issue


def url(issue) -> str:
    return reverse("risks:issue-detail", args=[issue.pk])


def test_issue_page_shows_every_field_the_risk_and_the_drawdown(client_for, owner, realised):
    risk, issue = realised
    services.issue_update(
        actor=owner,
        issue=issue,
        data={"status": "in_progress", "due_date": datetime.date(2030, 1, 31), "description": "Find a new vendor"},
    )
    page = client_for(owner).get(url(issue))
    assert page.status_code == 200
    html = page.content.decode()
    assert "MOD-I001" in html
    assert "Realised: Vendor insolvency" in html
    assert "In progress" in html
    assert "High" in html
    assert "31 Jan 2030" in html
    assert "Find a new vendor" in html
    assert reverse("risks:risk-detail", args=[risk.pk]) in html
    assert "2,500" in html
    assert "Contingency" in html
    assert "Vendor went under" in html
    assert reverse("risks:issue-edit", args=[issue.pk]) in html
    assert "overdue" not in html


def test_issue_page_lists_the_audit_history_oldest_first(client_for, owner, realised):
    _risk, issue = realised
    services.issue_update(actor=owner, issue=issue, data={"status": "in_progress"})
    issue.refresh_from_db()
    services.issue_update(actor=owner, issue=issue, data={"status": "resolved", "resolution": "New vendor signed"})
    page = client_for(owner).get(url(issue))
    history = page.context["history"]
    assert [entry.action for entry in history] == ["Created", "Updated", "Updated"]
    assert history[1].changes[0].field == "Status"
    assert (history[1].changes[0].old, history[1].changes[0].new) == ("open", "in_progress")
    assert "New vendor signed" in page.content.decode()


def test_open_issue_past_its_due_date_is_flagged_overdue_and_a_resolved_one_is_not(client_for, owner, project):
    late = IssueFactory(project=project, due_date=timezone.localdate() - datetime.timedelta(days=1))
    done = IssueFactory(
        project=project,
        due_date=timezone.localdate() - datetime.timedelta(days=1),
        status=Issue.Status.RESOLVED,
        resolution="Fixed",
        resolved_on=timezone.localdate(),
    )
    client = client_for(owner)
    assert client.get(url(late)).context["issue"].overdue is True
    assert client.get(url(done)).context["issue"].overdue is False
    assert b"issue-overdue" not in client.get(url(done)).content


def test_issue_without_risk_or_drawdown_says_so(client_for, owner, program):
    issue = IssueFactory(program=program)
    html = client_for(owner).get(url(issue)).content.decode()
    assert "Logged directly, not from a risk." in html
    assert "No reserve was drawn." in html


def test_member_reads_the_issue_without_edit_link(client_for, member, realised):
    _risk, issue = realised
    page = client_for(member).get(url(issue))
    assert page.status_code == 200
    assert reverse("risks:issue-edit", args=[issue.pk]) not in page.content.decode()


def test_outsider_gets_404_for_issue(client_for, outsider, realised):
    _risk, issue = realised
    assert client_for(outsider).get(url(issue)).status_code == 404


def test_member_gets_404_for_an_issue_of_a_project_they_are_not_on(client_for, member, other_project):
    issue = IssueFactory(project=other_project)
    assert client_for(member).get(url(issue)).status_code == 404


def test_anonymous_is_sent_to_login(client, realised):
    _risk, issue = realised
    assert client.get(url(issue)).status_code == 302


def test_issue_lists_and_the_risk_page_link_to_the_issue(client_for, owner, project, realised):
    risk, issue = realised
    program_issue = IssueFactory(program=project.program)
    client = client_for(owner)
    project_list = client.get(reverse("risks:issue-list-project", args=[project.code])).content.decode()
    program_list = client.get(reverse("risks:issue-list-program", args=[project.program.code])).content.decode()
    risk_page = client.get(reverse("risks:risk-detail", args=[risk.pk])).content.decode()
    assert url(issue) in project_list
    assert url(program_issue) in program_list
    assert url(issue) in risk_page


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


# Measured on SQLite: session, user, the issue (with risk, drawdown, actor, owner, portfolio),
# the audit history, and the editable_by check.
ISSUE_PAGE_QUERIES = 7  # with the notification bell's unread count and the Planning entry's check


@pytest.mark.parametrize("viewer", ["executive", "owner"])
def test_issue_page_query_count_does_not_grow_with_history_or_issues(
    request, viewer, client_for, owner, project, program, realised
):
    _risk, issue = realised
    client = client_for(request.getfixturevalue(viewer))

    def grow(n: int) -> None:
        for k in range(n):
            current = Issue.objects.get(pk=issue.pk)
            services.issue_update(actor=owner, issue=current, data={"description": f"Update {k}", "severity": "low"})
            IssueFactory(project=project, risk=RiskFactory(project=project))
            IssueFactory(program=program)

    grow(2)
    few = _count(client, url(issue))
    grow(8)
    many = _count(client, url(issue))
    assert few == many == ISSUE_PAGE_QUERIES
