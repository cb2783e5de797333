"""A team member never learns the codes of projects they cannot see from a contract (issue 12,
defect 7): not on the contract list or page, the program's cost page, the Excel export or the API."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories.projects import ProjectFactory

from .test_views_support import *  # noqa: F403


@pytest.fixture
def hidden(contract, program):
    project = ProjectFactory(program=program, code="MOD-HIDDEN", name="Hidden project")
    contract.projects.add(project)
    return project


@pytest.mark.django_db
class TestContractsHideInvisibleProjects:
    def test_pages(self, client_for, member, contract, hidden):
        client = client_for(member)
        for url in (
            reverse("budgets:contract-list", args=["MOD"]),
            reverse("budgets:contract-detail", args=["MOD", contract.pk]),
            reverse("budgets:project-costs", args=["MOD-ERP"]),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "MOD-HIDDEN" not in response.text, url

    def test_excel_export(self, client_for, member, contract, hidden):
        response = client_for(member).get(reverse("budgets:contract-export", args=["MOD"]))
        sheet = load_workbook(io.BytesIO(response.content)).active
        texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
        assert "MOD-ERP" in texts
        assert not any("MOD-HIDDEN" in text for text in texts)

    def test_api(self, api_for, member, contract, hidden):
        client = api_for(member)
        listed = client.get("/api/v1/contracts/").json()["results"]
        detail = client.get(f"/api/v1/contracts/{contract.pk}/").json()
        for body in (listed[0], detail):
            assert hidden.pk not in body["projects"]
            assert "MOD-HIDDEN" not in str(body)
