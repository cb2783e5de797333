"""The schedule import preview's resource mapping step in Chromium: a planner changes who a
file's resource is, previews again, and imports; the step passes axe at 1280 px and 390 px and
nothing widens the page at 390 px."""

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from portfolio.models import Membership
from projects.scheduling import read_mspdi, write_mspdi
from projects.scheduling.mspdi_model import MspdiAssignment, MspdiResource
from projects.services.schedule_import import schedule_import_upload
from staffing.models import ResourceMatch
from tests.factories.portfolio import MembershipFactory, PortfolioFactory, ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.staffing import PersonFactory, RoleFactory
from tests.factories.users import UserFactory

DATA = Path(__file__).resolve().parent.parent / "projects" / "data" / "mspdi"


def plan_file() -> bytes:
    document = read_mspdi((DATA / "sample.xml").read_bytes())
    resources = (
        MspdiResource(uid=1, name="Ann Archer", email="ann@corp.example", calendar_uid=3, standard_rate=Decimal(60)),
        MspdiResource(uid=2, name="Sam Smith", calendar_uid=4),
        MspdiResource(uid=3, name="Engineer"),
        MspdiResource(uid=4, name="Concrete", type=0),
    )
    work = [t for t in document.tasks if t.uid and not t.is_summary]
    assignments = tuple(
        MspdiAssignment(
            uid=n, task_uid=work[n].uid, resource_uid=r.uid, units=Decimal(1), work=dt.timedelta(hours=8 * (n + 1))
        )
        for n, r in enumerate(resources)
    )
    return write_mspdi(dataclasses.replace(document, resources=resources, assignments=assignments))


@pytest.fixture
def job(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    portfolio = PortfolioFactory(code="CORP")
    # No start of its own yet: the merge takes the file's (sample.xml is dated 2003).
    project = ProjectFactory(
        program=ProgramFactory(portfolio=portfolio, code="MOD"), code="MOD-ERP", planned_start=None, planned_finish=None
    )
    planner = UserFactory(username="planner")
    MembershipFactory(user=planner, role=Membership.Role.PROJECT_MANAGER, project=project)
    PersonFactory(portfolio=portfolio, name="Ann Archer", email="ann@corp.example")
    PersonFactory(portfolio=portfolio, name="Sam Smith", email="sam.one@corp.example")
    PersonFactory(portfolio=portfolio, name="Sam Smith", email="sam.two@corp.example")
    RoleFactory(portfolio=portfolio, code="ENG", name="Engineer")
    upload = SimpleUploadedFile("plan.xml", plan_file(), content_type="text/xml")
    return schedule_import_upload(user=planner, project=project, upload=upload, replace=False)


def open_as(chromium, live_server, username: str, width: int):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    context = chromium.new_context(viewport={"width": width, "height": 900}, base_url=live_server.url)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.mark.parametrize("width", [1280, 390])
def test_mapping_step_changes_a_match_and_imports_it(chromium, live_server, axe, job, width):
    context, page = open_as(chromium, live_server, "planner", width)
    try:
        page.goto(f"/projects/MOD-ERP/schedule/import/{job.pk}/")
        step = page.locator("#resource-mapping")
        step.wait_for()
        assert step.locator("tbody tr").count() == 4
        assert "same e-mail" in step.locator("tr[data-resource='1']").inner_text()
        assert "no match found" in step.locator("tr[data-resource='2']").inner_text()  # two Sam Smiths
        axe.assert_clean(page, where=f"mapping step at {width} px")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width

        page.select_option("#map-2", label="Sam Smith <sam.two@corp.example>")
        page.click("text=Preview with these matches")
        page.locator("#resource-mapping").wait_for()
        assert "your choice" in page.locator("tr[data-resource='2']").inner_text()
        page.click("button:has-text('Import')")
        page.wait_for_url("**/schedule/")
    finally:
        context.close()
    chosen = ResourceMatch.objects.select_related("person").get(resource__name="Sam Smith")
    assert chosen.person.email == "sam.two@corp.example"
    assert ResourceMatch.objects.get(resource__name="Engineer").role.name == "Engineer"
