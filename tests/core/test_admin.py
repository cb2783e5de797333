"""The admin shows the audit log and cannot change it."""

import pytest

from core.models import AuditEntry
from tests.factories.users import UserFactory

CHANGELIST = "/admin/core/auditentry/"


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def entry():
    return AuditEntry.objects.create(
        action=AuditEntry.Action.UPDATE, object_type="project", object_id="1", object_repr="ERP", changes={}
    )


@pytest.mark.django_db
class TestAuditEntryAdmin:
    def test_list_and_view_but_no_add_link(self, superuser_client, entry):
        listing = superuser_client.get(CHANGELIST)
        assert listing.status_code == 200
        assert b"ERP" in listing.content
        assert b"Add audit entry" not in listing.content
        assert b"delete_selected" not in listing.content
        detail = superuser_client.get(f"{CHANGELIST}{entry.pk}/change/")
        assert detail.status_code == 200
        assert b'name="_save"' not in detail.content

    def test_add_change_and_delete_are_refused(self, superuser_client, entry):
        assert superuser_client.get(f"{CHANGELIST}add/").status_code == 403
        assert superuser_client.post(f"{CHANGELIST}add/", {"action": "create"}).status_code == 403
        changed = superuser_client.post(f"{CHANGELIST}{entry.pk}/change/", {"object_repr": "Forged"})
        assert changed.status_code == 403
        assert superuser_client.post(f"{CHANGELIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
        entry.refresh_from_db()
        assert entry.object_repr == "ERP"

    def test_the_admin_index_offers_no_add_link_for_the_audit_log(self, superuser_client):
        assert f'href="{CHANGELIST}add/"'.encode() not in superuser_client.get("/admin/").content
