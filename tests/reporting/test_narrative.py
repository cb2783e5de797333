"""The generated narrative: what changed in the last period, each sentence linking to its records;
scoped by access; bounded; a fixed number of queries; offered as a draft on the status report form."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.models import ChangeRequest
from portfolio.models import Membership
from projects.models import Baseline, BaselineTask
from reporting import narrative as narr
from reporting.narrative import portfolio_narrative, program_narrative, project_narrative
from risks.models import Risk
from tests.factories.governance import ChangeRequestFactory
from tests.factories.portfolio import MembershipFactory
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.reporting import (
    MetricSnapshotFactory,
    ProgramRollupFactory,
    ProjectRollupFactory,
    report,
)
from tests.factories.risks import RiskFactory, RiskScoreHistoryFactory
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)
SINCE = TODAY - dt.timedelta(days=narr.PERIOD_DAYS)


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _before_and_now(project, before: dict | None = None, **now):
    """A snapshot of the period start (and an older one that must be ignored) and the roll-up now."""
    MetricSnapshotFactory(project=project, day=SINCE - dt.timedelta(days=7), health_overall="red", reported_rag="red")
    MetricSnapshotFactory(project=project, day=SINCE, **{"health_overall": "green", **(before or {})})
    return ProjectRollupFactory(project=project, **{"health_overall": "green", **now})


def _risk(**fields):
    """A risk raised within the period (the day before TODAY)."""
    risk = RiskFactory(**fields)
    Risk.objects.filter(pk=risk.pk).update(created_at=_at(TODAY - dt.timedelta(days=1)))
    return risk


def _kinds(narrative) -> list[str]:
    return [s.kind for s in narrative.sentences]


def _links(sentence) -> list[str]:
    return [url for _, url in sentence.parts if url]


def test_an_unchanged_period_says_nothing(project, project_manager):
    _before_and_now(project, before={"cpi": Decimal("0.98"), "reported_rag": "green"}, cpi=Decimal("0.97"))
    ProjectRollupFactory._meta.model.objects.filter(project=project).update(reported_rag="green")

    result = project_narrative(user=project_manager, project=project, today=TODAY)

    assert result.sentences == ()
    assert (result.since, result.until, result.days) == (SINCE, TODAY, narr.PERIOD_DAYS)
    html = render_to_string("reporting/_narrative.html", {"narrative": result})
    assert "What changed since 27 Oct 2026" in html
    assert "Nothing changed in this period." in html


def test_computed_health_change_names_the_rule_and_links_the_project(project, project_manager):
    _before_and_now(project, health_overall="red", health_cost="red", health_reasons={"cost": "CPI 0.82 < 0.90"})

    (sentence,) = project_narrative(user=project_manager, project=project, today=TODAY).sentences

    assert sentence.kind == "health"
    assert sentence.text == "MOD-ERP: computed health worsened from green to red (CPI 0.82 < 0.90)."
    assert _links(sentence) == ["/projects/MOD-ERP/"]


def test_reported_rag_change(project, project_manager):
    _before_and_now(project, before={"reported_rag": "green"}, reported_rag="amber")

    (sentence,) = project_narrative(user=project_manager, project=project, today=TODAY).sentences

    assert sentence.kind == "rag"
    assert "reported RAG worsened from green to amber" in sentence.text
    assert _links(sentence) == ["/projects/MOD-ERP/"]


def test_forecast_finish_slip(project, project_manager):
    _before_and_now(
        project,
        before={"forecast_finish": dt.date(2027, 3, 12)},
        forecast_finish=dt.date(2027, 4, 2),
        slip_working_days=15,
    )

    (sentence,) = project_narrative(user=project_manager, project=project, today=TODAY).sentences

    assert sentence.kind == "milestone"
    assert "forecast finish slipped from 12 Mar 2027 to 2 Apr 2027, 15 working days behind baseline" in sentence.text


def test_milestone_missed_in_the_period_links_the_schedule(project, project_manager):
    _before_and_now(project)
    late = TaskFactory(project=project, name="Go-live", is_milestone=True, duration_minutes=0, finish=_at(TODAY))
    early = TaskFactory(project=project, name="Design signed", is_milestone=True, duration_minutes=0, finish=_at(SINCE))
    baseline = Baseline.objects.create(project=project, number=0)
    BaselineTask.objects.create(baseline=baseline, task=late, finish=_at(TODAY - dt.timedelta(days=10)))
    # Before the period: not this period's news.
    BaselineTask.objects.create(baseline=baseline, task=early, finish=_at(SINCE - dt.timedelta(days=20)))

    (sentence,) = project_narrative(user=project_manager, project=project, today=TODAY).sentences

    assert sentence.text == (
        "Milestone “Go-live” of MOD-ERP missed its baseline date 16 Nov 2026; now forecast 26 Nov 2026."
    )
    assert _links(sentence) == ["/projects/MOD-ERP/schedule/", "/projects/MOD-ERP/"]


def test_cost_variance_moves_above_the_threshold(project, project_manager):
    _before_and_now(
        project,
        before={"cpi": Decimal("0.98"), "bac": Decimal("1000000"), "eac": Decimal("1010000")},
        cpi=Decimal("0.86"),
        bac=Decimal("1000000"),
        vac=Decimal("-160000"),
    )

    (sentence,) = project_narrative(user=project_manager, project=project, today=TODAY).sentences

    assert sentence.kind == "cost"
    assert "CPI fell from 0.98 to 0.86" in sentence.text
    assert "variance at completion moved from EUR\u00a0\u221210,000 to EUR\u00a0\u2212160,000" in sentence.text


def test_small_cost_moves_are_not_news(project, project_manager):
    _before_and_now(
        project,
        before={"cpi": Decimal("0.98"), "bac": Decimal("1000000"), "eac": Decimal("1010000")},
        cpi=Decimal("0.95"),
        bac=Decimal("1000000"),
        vac=Decimal("-30000"),
    )

    assert project_narrative(user=project_manager, project=project, today=TODAY).sentences == ()


def test_new_and_risen_high_risks_link_the_risk(project, project_manager):
    _before_and_now(project)
    new = _risk(project=project, title="Vendor insolvency", probability=5, impact=4)
    risen = RiskFactory(project=project, title="Key engineer leaves", probability=4, impact=3)
    RiskFactory(project=project, title="High all along", probability=4, impact=4)
    _risk(project=project, title="New but medium", probability=2, impact=3)
    old_day = _at(SINCE - dt.timedelta(days=40))
    Risk.objects.filter(title__in=["Key engineer leaves", "High all along"]).update(created_at=old_day)
    RiskScoreHistoryFactory(risk=risen, at=old_day, probability=2, impact=3, score=6)
    RiskScoreHistoryFactory(risk=risen, at=_at(TODAY - dt.timedelta(days=3)), probability=4, impact=3, score=12)

    first, second = project_narrative(user=project_manager, project=project, today=TODAY).sentences

    assert (first.kind, second.kind) == ("risk", "risk")
    assert first.text == f"New critical risk {new.reference} “Vendor insolvency” on MOD-ERP (score 20)."
    assert _links(first) == [f"/risks/{new.pk}/", "/projects/MOD-ERP/"]
    assert second.text == f"{risen.reference} “Key engineer leaves” rose to high on MOD-ERP (score 6 → 12)."
    assert _links(second) == [f"/risks/{risen.pk}/", "/projects/MOD-ERP/"]


def test_change_request_approved_in_the_period_links_the_request(project, project_manager):
    _before_and_now(project)
    approved = ChangeRequestFactory(
        project=project,
        title="Add the archive module",
        status=ChangeRequest.Status.APPROVED,
        decided_at=_at(TODAY - dt.timedelta(days=2)),
        cost_impact=Decimal("15000"),
        schedule_impact_days=10,
    )
    before = _at(SINCE - dt.timedelta(days=3))
    ChangeRequestFactory(project=project, status=ChangeRequest.Status.APPROVED, decided_at=before)
    ChangeRequestFactory(project=project, status=ChangeRequest.Status.SUBMITTED)

    (sentence,) = project_narrative(user=project_manager, project=project, today=TODAY).sentences

    assert sentence.kind == "change_request"
    currency = approved.currency_id
    assert sentence.text == (
        f"Change request {approved.reference} “Add the archive module” on MOD-ERP approved 24 Nov 2026 "
        f"(+{currency}\u00a015,000, +10 days)."
    )
    assert _links(sentence) == [f"/projects/MOD-ERP/change-requests/{approved.pk}/", "/projects/MOD-ERP/"]


# --- Access -----------------------------------------------------------------------------------


def _program_cost_move(program):
    MetricSnapshotFactory(project=None, program=program, day=SINCE, cpi=Decimal("1.00"), health_overall="green")
    ProgramRollupFactory(program=program, cpi=Decimal("0.80"), health_overall="green")


def test_program_money_only_for_its_overseers(program, project, owner, member):
    _program_cost_move(program)
    _before_and_now(project, health_overall="amber")

    for_owner = program_narrative(user=owner, program=program, today=TODAY)
    for_member = program_narrative(user=member, program=program, today=TODAY)

    assert any(s.kind == "cost" and s.text.startswith("Program MOD") for s in for_owner.sentences)
    assert [s.kind for s in for_member.sentences] == ["health"]  # their project's, no program money
    assert "MOD-ERP" in for_member.sentences[0].text
    in_portfolio = portfolio_narrative(user=member, portfolio=program.portfolio, today=TODAY)
    assert [s.kind for s in in_portfolio.sentences] == ["health"]


def test_projects_the_reader_cannot_see_never_appear(program, project, member):
    hidden = ProjectFactory(program=program, code="MOD-HR", name="HR system")
    _before_and_now(hidden, health_overall="red")
    _risk(project=hidden, probability=5, impact=5)
    ChangeRequestFactory(project=hidden, status=ChangeRequest.Status.APPROVED, decided_at=_at(TODAY))

    for result in (
        program_narrative(user=member, program=program, today=TODAY),
        portfolio_narrative(user=member, portfolio=program.portfolio, today=TODAY),
        project_narrative(user=member, project=hidden, today=TODAY),
    ):
        assert "MOD-HR" not in result.text


def test_portfolio_narrative_for_an_executive_covers_programs_and_projects(portfolio, program, project, executive):
    _program_cost_move(program)
    _before_and_now(project, reported_rag="red")

    result = portfolio_narrative(user=executive, portfolio=portfolio, today=TODAY)

    assert _kinds(result) == ["rag", "cost"]
    assert result.sentences[0].text.startswith("MOD-ERP")
    assert result.sentences[1].text.startswith("Program MOD Modernisation: CPI fell from 1.00 to 0.80")


def test_sentences_are_bounded_and_take_turns_by_kind(program, owner):
    for n in range(narr.MAX_SENTENCES + 3):
        _before_and_now(ProjectFactory(program=program, code=f"MOD-{n:02d}"), health_overall="red")
    _risk(program=program, probability=5, impact=5)

    result = program_narrative(user=owner, program=program, today=TODAY)

    assert len(result.sentences) == narr.MAX_SENTENCES + 1
    assert result.sentences[-1].text == "And 4 more changes."
    assert _kinds(result).count("risk") == 1  # one busy kind does not crowd out the others
    assert result == program_narrative(user=owner, program=program, today=TODAY)  # deterministic


def test_program_narratives_in_bulk_match_each_programs_own(portfolio, program, project, member, executive):
    _program_cost_move(program)
    _before_and_now(project, health_overall="amber")
    other = ProjectFactory(program__portfolio=portfolio, code="OTH-1", name="Other work")
    _before_and_now(other, reported_rag="red")
    _risk(project=other, probability=5, impact=5)
    programs = [program, other.program]

    for user in (executive, member):
        bulk = narr.program_narratives(user=user, programs=programs, today=TODAY)
        for each in programs:
            assert bulk[each.pk] == program_narrative(user=user, program=each, today=TODAY)
    assert "OTH-1" in narr.program_narratives(user=executive, programs=programs, today=TODAY)[other.program.pk].text
    assert narr.program_narratives(user=member, programs=programs, today=TODAY)[other.program.pk].sentences == ()


# --- The draft on the status report form ----------------------------------------------------


def test_status_report_form_loads_the_draft_slot(client_for, project, project_manager):
    body = client_for(project_manager).get(f"/projects/{project.code}/status/new/").content.decode()

    assert f'hx-get="/reporting/projects/{project.code}/narrative-draft/"' in body
    assert "js/narrative-draft.js" in body


def test_draft_fragment_shows_computed_health_beside_the_draft(client_for, project, project_manager):
    report(project, "green")
    _before_and_now(project, health_overall="red", health_cost="red", health_reasons={"cost": "CPI 0.82 < 0.90"})

    response = client_for(project_manager).get(
        f"/reporting/projects/{project.code}/narrative-draft/", headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'class="rag rag-red"' in body  # the computed overall health
    assert "CPI 0.82 &lt; 0.90" in body
    assert 'class="rag rag-green"' in body  # the reported RAG beside it
    assert 'id="narrative-draft-text"' in body
    assert "data-use-draft" in body
    assert "computed health worsened from green to red" in body


def test_draft_page_without_javascript(client_for, project, member):
    _before_and_now(project, health_overall="amber")

    body = client_for(member).get(f"/reporting/projects/{project.code}/narrative-draft/").content.decode()

    assert "<html" in body
    assert "computed health worsened from green to amber" in body
    assert 'id="narrative-draft-copy"' in body
    assert "data-use-draft" not in body  # nothing to put it into here


def test_outsider_gets_404_for_the_draft(client_for, project, outsider):
    assert client_for(outsider).get(f"/reporting/projects/{project.code}/narrative-draft/").status_code == 404


# --- Query counts -----------------------------------------------------------------------------


def _busy_program(program, count: int, start: int):
    for n in range(start, start + count):
        project = ProjectFactory(program=program, code=f"MOD-{n:03d}")
        _before_and_now(project, before={"cpi": Decimal("1.0")}, health_overall="red", cpi=Decimal("0.7"))
        _risk(project=project, probability=5, impact=5)
        ChangeRequestFactory(project=project, status=ChangeRequest.Status.APPROVED, decided_at=_at(TODAY))
        task = TaskFactory(project=project, is_milestone=True, duration_minutes=0, finish=_at(TODAY))
        baseline = Baseline.objects.create(project=project, number=0)
        BaselineTask.objects.create(baseline=baseline, task=task, finish=_at(TODAY - dt.timedelta(days=5)))


def _count(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


@pytest.mark.parametrize("who", ["owner", "member"])
def test_query_counts_do_not_grow_with_projects(request, portfolio, program, project, who):
    user = request.getfixturevalue(who)
    _program_cost_move(program)

    def counts():
        return (
            _count(lambda: portfolio_narrative(user=user, portfolio=portfolio, today=TODAY)),
            _count(lambda: program_narrative(user=user, program=program, today=TODAY)),
            _count(lambda: project_narrative(user=user, project=project, today=TODAY)),
        )

    _busy_program(program, 2, 0)
    small = counts()
    _busy_program(program, 10, 100)
    large = counts()

    assert small == large


def test_draft_query_count_does_not_grow(client_for, program, project, project_manager):
    client = client_for(project_manager)
    url = f"/reporting/projects/{project.code}/narrative-draft/"
    _before_and_now(project, health_overall="red")

    def count():
        return _count(lambda: client.get(url, headers={"HX-Request": "true"}))

    RiskFactory(project=project, probability=5, impact=5)
    small = count()
    for _ in range(5):
        RiskFactory(project=project, probability=5, impact=5)
        decided = _at(timezone.localdate())
        ChangeRequestFactory(project=project, status=ChangeRequest.Status.APPROVED, decided_at=decided)
    assert count() == small


def test_project_manager_of_one_project_gets_no_program_money(program, project):
    user = UserFactory(username="pm2")
    MembershipFactory(user=user, role=Membership.Role.PROJECT_MANAGER, project=project)
    _program_cost_move(program)

    result = program_narrative(user=user, program=program, today=TODAY)

    assert all(s.kind != "cost" for s in result.sentences)


def test_project_page_trends_fragment_shows_what_changed(client_for, project, member):
    _before_and_now(project, health_overall="amber")

    body = client_for(member).get(f"/reporting/projects/{project.code}/trends/", headers={"HX-Request": "true"})

    html = body.content.decode()
    assert "What changed since" in html
    assert "computed health worsened from green to amber" in html
