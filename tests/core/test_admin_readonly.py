"""Issue 12, defect 4: a write in /admin/ bypassed the audit log and the version lock, so a later
API PATCH with the stale ETag silently reverted it. Audited, versioned rows are read-only in the
admin (core.admin_site); the few admins that stay writable go through the services."""

from decimal import Decimal

import pytest
from django.contrib import admin

from budgets.models import BudgetLine
from core.admin_site import is_audited
from core.models import AuditEntry
from portfolio.models import Membership
from tests.factories.budgets import BudgetLineFactory
from tests.factories.users import UserFactory

D = Decimal


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def line(project):
    return BudgetLineFactory(project=project, amount=D("1000.00"))


def _change_url(obj) -> str:
    opts = obj._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/"


def test_an_admin_post_to_a_budget_line_change_form_is_refused(client_for, root, line):
    client = client_for(root)
    page = client.get(_change_url(line))
    assert page.status_code == 200  # still shown…
    assert b'name="_save"' not in page.content  # …without a save button
    audit_before = AuditEntry.objects.count()
    response = client.post(
        _change_url(line),
        {
            "project": line.project_id,
            "category": line.category_id,
            "period": line.period_id,
            "budget_version": line.budget_version,
            "amount": "999999.00",
            "currency": line.currency_id,
        },
    )
    assert response.status_code == 403
    line.refresh_from_db()
    assert (line.amount, line.version) == (D("1000.00"), 1)
    assert AuditEntry.objects.count() == audit_before


def test_a_stale_etag_patch_after_an_admin_edit_reverts_nothing(client_for, api_for, root, line):
    etag = api_for(root).get(f"/api/v1/budget-lines/{line.pk}/").headers["ETag"]
    client_for(root).post(
        _change_url(line),
        {
            "project": line.project_id,
            "category": line.category_id,
            "period": line.period_id,
            "budget_version": line.budget_version,
            "amount": "5.00",
            "currency": line.currency_id,
        },
    )
    line.refresh_from_db()
    admin_applied = line.amount == D("5.00")
    stale = api_for(root).patch(
        f"/api/v1/budget-lines/{line.pk}/", {"amount": "1000.00"}, format="json", HTTP_IF_MATCH=etag
    )
    if admin_applied:  # an admin write must then have moved the version on: the stale PATCH is refused
        assert stale.status_code == 412
    else:  # refused in the admin (this site): the ETag is still current and nothing is lost
        assert stale.status_code == 200
        line.refresh_from_db()
        assert line.version == 2


def test_add_and_delete_of_an_audited_row_are_refused(client_for, root, line):
    client = client_for(root)
    assert client.get("/admin/budgets/budgetline/add/").status_code == 403
    assert client.post(f"/admin/budgets/budgetline/{line.pk}/delete/", {"post": "yes"}).status_code == 403
    assert BudgetLine.objects.filter(pk=line.pk).exists()
    assert b"delete_selected" not in client.get("/admin/budgets/budgetline/").content


def test_every_audited_model_is_read_only_unless_its_admin_uses_the_services(rf, root):
    request = rf.get("/admin/")
    request.user = root
    writable = []
    for model, model_admin in admin.site._registry.items():
        if not is_audited(model):
            continue
        if getattr(model_admin, "saves_through_services", False):
            continue
        if model_admin.has_add_permission(request) or model_admin.has_change_permission(request, None):
            writable.append(model._meta.label)
        if model_admin.has_delete_permission(request, None):
            writable.append(model._meta.label)
    assert writable == []


def test_a_membership_granted_in_the_admin_is_audited(client_for, root, project):
    member = UserFactory(username="newcomer")
    response = client_for(root).post(
        "/admin/portfolio/membership/add/",
        {"user": member.pk, "role": Membership.Role.TEAM_MEMBER, "project": project.pk},
    )
    assert response.status_code == 302, response.content[:2000]
    grant = Membership.objects.get(user=member)
    assert AuditEntry.objects.filter(object_type__icontains="membership", object_id=str(grant.pk)).exists()
    client_for(root).post(f"/admin/portfolio/membership/{grant.pk}/delete/", {"post": "yes"})
    assert not Membership.objects.filter(user=member).exists()
    assert AuditEntry.objects.filter(object_id=str(grant.pk), action=AuditEntry.Action.DELETE).exists()
