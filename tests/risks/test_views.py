"""The risk pages: who sees and changes what, the heat map links, escalation and realisation
through the forms, the program card, and the inline mitigation actions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from risks import selectors
from risks.models import Issue, MitigationAction, Risk
from tests.factories.risks import IssueFactory, RiskFactory

D = Decimal


@pytest.fixture
def risks(project, program):
    return {
        "project": RiskFactory(project=project, title="Cutover overruns", probability=4, impact=5),
        "program": RiskFactory(program=program, title="Funding cut", probability=2, impact=3),
    }


class TestPages:
    def test_every_page_renders_for_the_program_manager(self, client_for, owner, project, program, portfolio, risks):
        client = client_for(owner)
        risk = risks["project"]
        IssueFactory(project=project)
        for url in (
            reverse("risks:project-register", args=[project.code]),
            reverse("risks:program-register", args=[program.code]),
            reverse("risks:program-register", args=[program.code]) + "?all=1&matrix=residual",
            reverse("risks:portfolio-risks", args=[portfolio.code]),
            reverse("risks:risk-detail", args=[risk.pk]),
            reverse("risks:risk-create-project", args=[project.code]),
            reverse("risks:risk-create-program", args=[program.code]),
            reverse("risks:risk-edit", args=[risk.pk]),
            reverse("risks:risk-realise", args=[risk.pk]),
            reverse("risks:issue-list-project", args=[project.code]),
            reverse("risks:issue-list-program", args=[program.code]),
            reverse("risks:issue-create-project", args=[project.code]),
            reverse("risks:issue-create-program", args=[program.code]),
            reverse("risks:issue-edit", args=[Issue.objects.get().pk]),
        ):
            response = client.get(url)
            assert response.status_code == 200, url

    def test_outsider_gets_404_everywhere(self, client_for, outsider, project, program, portfolio, risks):
        client = client_for(outsider)
        for url in (
            reverse("risks:project-register", args=[project.code]),
            reverse("risks:program-register", args=[program.code]),
            reverse("risks:portfolio-risks", args=[portfolio.code]),
            reverse("risks:risk-detail", args=[risks["project"].pk]),
            reverse("risks:risk-edit", args=[risks["project"].pk]),
            reverse("risks:issue-list-project", args=[project.code]),
            reverse("risks:risk-create-project", args=[project.code]),
        ):
            assert client.get(url).status_code == 404, url

    def test_member_reads_and_gets_403_on_write_pages(self, client_for, member, project, risks):
        client = client_for(member)
        risk = risks["project"]
        page = client.get(reverse("risks:risk-detail", args=[risk.pk]))
        assert page.status_code == 200
        assert b"Escalate" not in page.content
        assert b"Edit</a>" not in page.content
        assert client.get(reverse("risks:risk-edit", args=[risk.pk])).status_code == 403
        assert client.get(reverse("risks:risk-create-project", args=[project.code])).status_code == 403
        assert client.post(reverse("risks:risk-escalate", args=[risk.pk])).status_code == 403

    def test_project_manager_cannot_edit_a_program_risk(self, client_for, project_manager, program, risks):
        client = client_for(project_manager)
        assert client.get(reverse("risks:risk-edit", args=[risks["program"].pk])).status_code == 403
        assert client.get(reverse("risks:risk-create-program", args=[program.code])).status_code == 403
        assert client.get(reverse("risks:risk-edit", args=[risks["project"].pk])).status_code == 200


class TestRegister:
    def test_heat_map_cells_link_to_the_filtered_register(self, client_for, owner, project, risks):
        url = reverse("risks:project-register", args=[project.code])
        page = client_for(owner).get(url).content.decode()
        link = f"{url}?status=open&amp;status=mitigating&amp;probability=4&amp;impact=5"
        assert f'href="{link}"' in page
        filtered = client_for(owner).get(f"{url}?status=open&status=mitigating&probability=4&impact=5")
        assert [r.pk for r in filtered.context["page"].object_list] == [risks["project"].pk]

    def test_program_register_shows_program_and_escalated_risks_and_toggles_all(
        self, client_for, owner, project, program, risks
    ):
        escalated = RiskFactory(project=project, title="Escalated one", escalated_at="2026-01-01T00:00Z")
        client = client_for(owner)
        url = reverse("risks:program-register", args=[program.code])
        shown = {r.pk for r in client.get(url).context["page"].object_list}
        assert shown == {risks["program"].pk, escalated.pk}
        every = {r.pk for r in client.get(url + "?all=1").context["page"].object_list}
        assert every == {risks["program"].pk, escalated.pk, risks["project"].pk}

    def test_program_exposure_is_shown_only_to_those_who_oversee_the_program(
        self, client_for, owner, member, program, risks
    ):
        url = reverse("risks:program-register", args=[program.code])
        assert "exposure" in client_for(owner).get(url).context
        assert "exposure" not in client_for(member).get(url).context

    def test_sorting_by_emv_descending(self, client_for, owner, project, risks):
        small = RiskFactory(project=project, cost_impact=D("1"))
        url = reverse("risks:project-register", args=[project.code]) + "?sort=-emv"
        rows = list(client_for(owner).get(url).context["page"].object_list)
        assert rows[-1] == small


class TestForms:
    def test_project_manager_creates_a_risk_through_the_form(self, client_for, project_manager, project):
        url = reverse("risks:risk-create-project", args=[project.code])
        data = {"title": "Key engineer leaves", "category": "resource", "probability": "3", "impact": "4"}
        data |= {"response": "mitigate", "status": "open", "cost_impact": "20000", "schedule_impact_days": "10"}
        response = client_for(project_manager).post(url, data)
        risk = Risk.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("risks:risk-detail", args=[risk.pk])
        assert (risk.probability_percent, risk.emv) == (D("40"), D("8000.00"))

    def test_form_shows_the_service_refusal_next_to_the_field(self, client_for, project_manager, project):
        url = reverse("risks:risk-create-project", args=[project.code])
        data = {"title": "X", "category": "resource", "probability": "1", "probability_percent": "60", "impact": "4"}
        data |= {"response": "mitigate", "status": "open", "cost_impact": "0", "schedule_impact_days": "0"}
        response = client_for(project_manager).post(url, data)
        assert response.status_code == 400
        assert "probability_percent" in response.context["form"].errors

    def test_escalate_and_realise_through_the_risk_page(self, client_for, project_manager, project, risks):
        project.contingency_reserve = D("50000")
        project.save()
        client = client_for(project_manager)
        risk = risks["project"]
        assert client.post(reverse("risks:risk-escalate", args=[risk.pk]), {"note": "Too big"}).status_code == 302
        risk.refresh_from_db()
        assert risk.escalated_at is not None
        response = client.post(
            reverse("risks:risk-realise", args=[risk.pk]), {"reserve": "contingency", "amount": "1500", "note": "Hit"}
        )
        assert response.status_code == 302
        issue = Issue.objects.get()
        assert issue.risk == risk
        assert issue.reserve_transaction.amount == D("1500.00")

    def test_mitigation_actions_are_added_and_edited_inline(self, client_for, project_manager, risks):
        client = client_for(project_manager)
        risk = risks["project"]
        add = client.post(
            reverse("risks:mitigation-add", args=[risk.pk]),
            {"title": "Rehearse cutover", "status": "planned", "cost": "2500"},
            HTTP_HX_REQUEST="true",
        )
        assert add.status_code == 200
        assert b"Rehearse cutover" in add.content
        action = MitigationAction.objects.get()
        row = client.get(reverse("risks:mitigation-edit", args=[risk.pk, action.pk]), HTTP_HX_REQUEST="true")
        assert b'class="edit-row"' in row.content
        saved = client.post(
            reverse("risks:mitigation-edit", args=[risk.pk, action.pk]),
            {"title": "Rehearse cutover twice", "status": "done", "cost": "3000", "version": action.version},
            HTTP_HX_REQUEST="true",
        )
        assert saved.status_code == 200
        action.refresh_from_db()
        assert action.status == "done"
        assert action.completed_on is not None
        bad = client.post(
            reverse("risks:mitigation-add", args=[risk.pk]),
            {"title": "Negative", "status": "planned", "cost": "-1"},
            HTTP_HX_REQUEST="true",
        )
        assert b"has-error" in bad.content
        assert MitigationAction.objects.count() == 1


def test_program_summary_card(client_for, owner, member, program, project, risks):
    summary = selectors.program_risk_summary(program=program, user=owner)
    assert summary.by_band == {"low": 0, "medium": 1, "high": 0, "critical": 1}
    assert summary.exposure is not None
    assert selectors.program_risk_summary(program=program, user=member).exposure is None
    from django.template.loader import render_to_string

    html = render_to_string("risks/_program_summary.html", {"risk_summary": summary})
    assert reverse("risks:program-register", args=[program.code]) in html


def test_editing_only_the_level_derives_the_percentage(client_for, owner, project):
    risk = RiskFactory(project=project, probability=3, probability_percent=D("45"), impact=3)
    data = {"title": risk.title, "category": risk.category, "probability": "4", "probability_percent": "45"}
    data |= {"impact": "3", "response": "mitigate", "status": "open", "cost_impact": "1000"}
    data |= {"schedule_impact_days": "0", "version": risk.version}
    response = client_for(owner).post(reverse("risks:risk-edit", args=[risk.pk]), data)
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.probability, risk.probability_percent) == (4, D("60"))
