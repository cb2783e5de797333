"""Changing one's password happens in Keel's pages, not Django admin's (whose links lead a
non-staff user to the admin login)."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
class TestPasswordChange:
    def test_page_is_keels_with_a_way_back_to_the_profile_and_no_admin_link(self, client_for, member):
        response = client_for(member).get(reverse("password_change"))
        assert response.status_code == 200
        assert 'class="mainnav"' in response.text
        assert reverse("core:profile") in response.text
        assert 'href="/admin/' not in response.text

    def test_changing_the_password_lands_on_keels_done_page(self, client_for, member):
        member.set_password("old-secret-1")
        member.save()
        new = "a-new-Secret-42"
        data = {"old_password": "old-secret-1", "new_password1": new, "new_password2": new}
        response = client_for(member).post(reverse("password_change"), data, follow=True)
        assert response.redirect_chain[-1][0] == reverse("password_change_done")
        assert "Password changed" in response.text
        assert 'href="/admin/' not in response.text
        member.refresh_from_db()
        assert member.check_password(new)

    def test_wrong_old_password_is_a_field_error(self, client_for, member):
        data = {"old_password": "nope", "new_password1": "a-new-Secret-42", "new_password2": "a-new-Secret-42"}
        response = client_for(member).post(reverse("password_change"), data)
        assert response.status_code == 200
        assert response.context["form"].errors["old_password"]
