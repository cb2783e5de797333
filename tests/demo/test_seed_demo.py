"""seed_demo: deterministic, a login for every role, and never silently on top of data."""

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F, Max, Q
from django.urls import reverse

from budgets.models import (
    BudgetLine,
    Contract,
    CostCategory,
    CostEntry,
    Currency,
    ExchangeRate,
    FiscalPeriod,
    Forecast,
    LifecycleCostEstimate,
    LifecycleCostLine,
    Vendor,
)
from budgets.selectors.earned_value import program_evm, project_evm
from demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from demo.planning import CODE_PREFIX as PROPOSAL
from demo.planning import PROPOSALS
from demo.seed import demo_seed
from portfolio.models import Membership, Portfolio, Program
from projects.models import Baseline, BaselineTask, Calendar, Dependency, Project, StatusReport, Task
from projects.services.schedule import schedule_recompute

TODAY = date(2026, 11, 26)
# The projects the project stages build, running or planned; the planning stage adds proposals
# beside them with a sketch of a plan (tests/planning/test_demo.py checks those).
BUILT = ~Q(code__startswith=PROPOSAL)

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, list]:
    """What must not change between two seeds with the same number."""
    return {
        "portfolios": list(Portfolio.objects.order_by("code").values_list("code", "name")),
        "programs": list(Program.objects.order_by("code").values_list("code", "name", "manager__username")),
        "projects": list(
            Project.objects.order_by("code").values_list("code", "name", "manager__username", "planned_start")
        ),
        "reports": list(
            StatusReport.objects.order_by("project__code", "period_end").values_list(
                "project__code", "period_end", "overall_rag", "percent_complete"
            )
        ),
        "users": sorted(get_user_model().objects.values_list("username", flat=True)),
    }


def test_same_seed_builds_the_same_demo_and_another_seed_a_different_one():
    demo_seed(scale="small", seed=1, today=TODAY, history=False)
    first = snapshot()
    demo_seed(scale="small", seed=1, today=TODAY, reset=True, history=False)
    again = snapshot()
    demo_seed(scale="small", seed=2, today=TODAY, reset=True, history=False)
    other = snapshot()

    assert first == again
    assert first["projects"] != other["projects"]
    assert len(first["programs"]) == 2
    assert len(first["projects"]) == 8 + len(PROPOSALS)


def test_small_seed_creates_a_login_for_every_role():
    call_command("seed_demo", "--scale", "small", "--seed", "1", "--no-progress", "--no-history", stdout=StringIO())
    users = get_user_model().objects.in_bulk([login.username for login in DEMO_LOGINS], field_name="username")

    assert set(users) == {login.username for login in DEMO_LOGINS}
    admin = users["admin"]
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password(DEMO_PASSWORD)
    for login in DEMO_LOGINS:
        user = users[login.username]
        assert user.password == admin.password, f"{login.username} does not share the demo password"
        if login.role is not None:
            assert Membership.objects.filter(user=user, role=login.role).exists(), login.username
            assert not user.is_superuser


def test_demo_logins_reach_what_their_role_allows():
    demo_seed(scale="small", seed=1, today=TODAY, history=False)
    users = get_user_model().objects.in_bulk([login.username for login in DEMO_LOGINS], field_name="username")

    assert Program.objects.editable_by(users["program_manager"]).count() == 1
    assert Project.objects.editable_by(users["project_manager"]).count() == 2
    assert Project.objects.visible_to(users["team_member"]).count() == 2
    assert not Project.objects.editable_by(users["team_member"]).exists()
    assert Project.objects.visible_to(users["executive"]).count() == Project.objects.count()
    assert not Project.objects.editable_by(users["executive"]).exists()
    assert Portfolio.objects.editable_by(users["portfolio_admin"]).count() == Portfolio.objects.count()


def test_every_reported_project_points_at_its_newest_report():
    demo_seed(scale="small", seed=1, today=TODAY, history=False)

    reported = Project.objects.filter(status_reports__isnull=False).distinct()
    assert reported.exists()
    for project in reported.select_related("latest_status_report"):
        newest = project.status_reports.order_by("-period_end").first()
        assert project.latest_status_report == newest
    assert set(StatusReport.objects.values_list("overall_rag", flat=True)) == {"green", "amber", "red"}


def test_seeding_again_without_reset_is_refused_and_changes_nothing():
    call_command("seed_demo", "--scale", "small", "--seed", "1", "--no-progress", "--no-history", stdout=StringIO())
    before = snapshot()

    with pytest.raises(CommandError, match="already exists"):
        call_command("seed_demo", "--scale", "small", "--seed", "2", "--no-progress", "--no-history", stdout=StringIO())

    assert snapshot() == before


def test_if_empty_skips_when_data_exists(capsys):
    call_command("seed_demo", "--scale", "small", "--seed", "1", "--no-progress", "--no-history")
    before = snapshot()

    call_command("seed_demo", "--scale", "small", "--seed", "2", "--if-empty", "--no-history")

    assert "not seeding" in capsys.readouterr().out
    assert snapshot() == before


def test_reset_replaces_the_demo():
    call_command("seed_demo", "--scale", "small", "--seed", "2", "--no-progress", "--no-history", stdout=StringIO())
    old = snapshot()

    call_command(
        "seed_demo", "--scale", "small", "--seed", "1", "--reset", "--no-progress", "--no-history", stdout=StringIO()
    )

    new = snapshot()
    assert new["programs"] != old["programs"]
    assert len(new["projects"]) == 8 + len(PROPOSALS)
    assert get_user_model().objects.filter(username="admin").count() == 1


# --- schedules and money (issues "Scheduling engine" and "Money", part 7) --------------------


def schedule_and_money_snapshot() -> dict[str, list]:
    """The schedules and money a seed builds, by natural keys (not pks)."""
    return {
        "tasks": list(
            Task.objects.order_by("project__code", "sort_order").values_list(
                "project__code",
                "outline_number",
                "name",
                "duration_minutes",
                "start",
                "finish",
                "percent_complete",
                "cost",
            )
        ),
        "links": sorted(
            Dependency.objects.values_list(
                "predecessor__project__code",
                "predecessor__outline_number",
                "successor__project__code",
                "successor__outline_number",
                "type",
                "lag_minutes",
            )
        ),
        "budget": list(
            BudgetLine.objects.order_by(
                "project__code", "budget_version", "period__start", "category__code"
            ).values_list("project__code", "budget_version", "period__start", "category__code", "amount")
        ),
        "actuals": list(
            CostEntry.objects.order_by("source", "external_ref").values_list(
                "source", "external_ref", "project__code", "date", "amount", "currency_id"
            )
        ),
        "lcce": list(
            LifecycleCostLine.objects.order_by(
                "estimate__program__code", "estimate__number", "phase", "fiscal_year", "category__code"
            ).values_list("estimate__program__code", "estimate__number", "phase", "fiscal_year", "amount")
        ),
    }


def test_small_seed_schedules_every_project_with_computed_dates_and_a_baseline():
    demo_seed(scale="small", seed=1, today=TODAY, history=False)

    for project in Project.objects.filter(BUILT):
        tasks = Task.objects.filter(project=project)
        assert 20 <= tasks.count() <= 80, project.code
        assert not tasks.filter(Q(start__isnull=True) | Q(finish__isnull=True)).exists(), project.code
        assert tasks.filter(is_summary=True, parent__isnull=True).count() == 6
        assert tasks.filter(is_milestone=True, name="Go-live").count() == 1
        assert project.forecast_finish == tasks.aggregate(last=Max("finish"))["last"]
        assert project.status_date is not None
        assert project.calendar_id is not None
        baseline = Baseline.objects.get(project=project, number=0)
        assert BaselineTask.objects.filter(baseline=baseline).count() == tasks.count()
        # Progress matches the project's phase.
        if project.phase == Project.Phase.INITIATION or project.planned_start > TODAY:
            assert not tasks.filter(percent_complete__gt=0).exists(), project.code
        if project.phase == Project.Phase.EXECUTION and project.planned_start < TODAY:
            assert tasks.filter(percent_complete=100, actual_finish__isnull=False).exists(), project.code
    assert Dependency.objects.exclude(predecessor__project=F("successor__project")).exists()
    assert set(Dependency.objects.values_list("type", flat=True)) >= {"FS", "SS", "FF"}
    assert Dependency.objects.exclude(lag_minutes=0).exists()
    standard = Calendar.objects.get(name="Standard", project__isnull=True)
    assert standard.exceptions.filter(name="Christmas Day").exists()
    # Some running project has slipped against its baseline.
    slipped = BaselineTask.objects.filter(task__is_summary=False, finish__lt=F("task__finish"))
    assert slipped.exists()


def test_seeded_dates_are_what_the_scheduling_service_computes():
    demo_seed(scale="small", seed=1, today=TODAY, history=False)

    for project in Project.objects.all():
        outcome = schedule_recompute(project=project)
        assert outcome.changed_count == 0, project.code


def test_small_seed_builds_the_money_of_every_project_and_program():
    demo_seed(scale="small", seed=1, today=TODAY, history=False)

    assert set(Currency.objects.values_list("code", flat=True)) >= {"EUR", "USD", "GBP"}
    assert ExchangeRate.objects.filter(from_currency="USD", to_currency="EUR").count() >= 12
    assert CostCategory.objects.count() == 10
    assert FiscalPeriod.objects.filter(calendar__portfolio__isnull=False).exists()
    for project in Project.objects.filter(BUILT):
        current = BudgetLine.objects.filter(project=project, budget_version="current")
        original = BudgetLine.objects.filter(project=project, budget_version="original")
        assert current.count() == original.count() > 0, project.code
        assert project.contingency_reserve > 0
    started = Project.objects.filter(planned_start__lte=TODAY)
    for project in started:
        assert CostEntry.objects.filter(project=project, source="ledger").exists(), project.code
    refs = list(CostEntry.objects.values_list("source", "external_ref"))
    assert len(refs) == len(set(refs))
    invoices = CostEntry.objects.filter(source="invoice")
    assert invoices.exists()
    assert not invoices.filter(contract__isnull=True).exists()
    assert not invoices.exclude(vendor=F("contract__vendor")).exists()
    assert Forecast.objects.exists()
    assert Vendor.objects.exclude(risk_rating="low").exists()
    for program in Program.objects.all():
        assert Contract.objects.filter(program=program).exists()
        estimates = dict(LifecycleCostEstimate.objects.filter(program=program).values_list("number", "status"))
        assert estimates == {1: "approved", 2: "draft"}, program.code
        assert LifecycleCostLine.objects.filter(estimate__program=program, estimate__number=2).exists()
        assert program.management_reserve > 0
    # Earned value works on the seeded data, for a project and a program.
    running = Project.objects.filter(phase=Project.Phase.EXECUTION, planned_start__lt=TODAY).first()
    report = project_evm(project=running, as_of=TODAY)
    assert report.figures.ev > 0
    assert report.figures.ac > 0
    assert program_evm(program=running.program, as_of=TODAY).figures.bac > 0


def test_same_seed_builds_the_same_schedules_and_money():
    demo_seed(scale="small", seed=1, today=TODAY, history=False)
    first = schedule_and_money_snapshot()
    demo_seed(scale="small", seed=1, today=TODAY, reset=True, history=False)
    again = schedule_and_money_snapshot()
    demo_seed(scale="small", seed=2, today=TODAY, reset=True, history=False)
    other = schedule_and_money_snapshot()

    assert first == again
    assert first["tasks"] != other["tasks"]
    assert first["actuals"] != other["actuals"]


def test_every_seeded_project_renders_a_gantt_of_its_tasks(client, settings):
    # Plain static storage: the manifest one (DEBUG off) needs `collectstatic`.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    demo_seed(scale="small", seed=1, today=TODAY, history=False)
    client.force_login(get_user_model().objects.get(username="admin"))

    for project in Project.objects.filter(BUILT):
        response = client.get(reverse("projects:schedule", args=[project.code]))
        assert response.status_code == 200, project.code
        chart = response.context["chart"]
        assert 'class="gantt"' in chart
        for name in ("Design approved", "Go-live"):
            assert name in chart, (project.code, name)


# --- staffing, risks and governance, and adding them to an older demo ---------------------


def test_small_seed_builds_staffing_risks_and_governance_for_the_demo_program():
    from governance.models import StageGate
    from risks.models import Risk
    from staffing.models import Allocation

    demo_seed(scale="small", seed=1, today=TODAY, history=False)
    program = Program.objects.get(manager__username="program_manager")
    assert Risk.objects.filter(program=program, project__isnull=False).exists()
    assert Risk.objects.filter(program=program, project__isnull=True).exists()
    assert Allocation.objects.filter(project__program=program).exists()
    assert StageGate.objects.filter(project__program=program, decision="pending").exists()


def test_small_seed_numbers_change_requests_once_per_program():
    from django.db.models import Count

    from governance.models import ChangeRequest

    demo_seed(scale="small", seed=1, today=TODAY, history=False)
    per_program = ChangeRequest.objects.values("program").annotate(
        n=Count("pk"), numbers=Count("number", distinct=True)
    )
    assert per_program
    assert all(row["n"] == row["numbers"] for row in per_program)
    several = [row for row in per_program if row["n"] > 1]
    assert several  # some program has requests from more than one project to tell apart
    for cr in ChangeRequest.objects.select_related("project"):
        assert cr.program_id == cr.project.program_id


def test_stages_rebuild_only_the_late_stages_on_an_existing_demo():
    from demo import governance, risks, staffing

    demo_seed(scale="small", seed=1, today=TODAY, history=False)
    projects_before = list(Project.objects.order_by("pk").values_list("pk", "code", "phase"))
    out = StringIO()
    call_command("seed_demo", "--stages", "staffing,risks,governance", "--seed", "2", stdout=out)
    assert "Seeded staffing,risks,governance (small)" in out.getvalue()
    first = {**staffing.counts(), **risks.counts(), **governance.counts()}
    assert all(first[label] > 0 for label in ("people", "allocations", "risks", "stage gates", "benefits"))
    # The stages delete their own rows first: running again does not pile up a second set.
    call_command("seed_demo", "--stages", "staffing,risks,governance", "--seed", "2", stdout=StringIO())
    assert {**staffing.counts(), **risks.counts(), **governance.counts()} == first
    assert list(Project.objects.order_by("pk").values_list("pk", "code", "phase")) == projects_before


def test_stages_refuse_an_unknown_stage_and_an_empty_database():
    with pytest.raises(CommandError, match="Unknown stage 'money'"):
        call_command("seed_demo", "--stages", "money", stdout=StringIO())
    with pytest.raises(CommandError, match="no demo data"):
        call_command("seed_demo", "--stages", "risks", stdout=StringIO())


def test_seed_computes_every_rollup_and_a_year_of_trend_history():
    from core.changes import current_versions
    from reporting.models import MetricSnapshot, PortfolioRollup, ProgramRollup, ProjectRollup

    demo_seed(scale="small", seed=1, today=TODAY)

    projects = list(Project.objects.values_list("pk", flat=True))
    rollups = {r.project_id: r for r in ProjectRollup.objects.all()}
    versions = current_versions("project", projects)
    assert set(rollups) == set(projects)
    assert all(rollups[pk].computed_at and rollups[pk].input_version == versions[pk] for pk in projects)
    assert ProgramRollup.objects.filter(computed_at__isnull=False).count() == Program.objects.count()
    assert PortfolioRollup.objects.filter(computed_at__isnull=False).count() == Portfolio.objects.count()
    days = sorted(set(MetricSnapshot.objects.filter(project__isnull=False).values_list("day", flat=True)))
    assert days[-1] == TODAY
    assert (TODAY - days[0]).days >= 357  # a year back, one point a week
    assert len(days) >= 52
    for program in Program.objects.all():
        assert MetricSnapshot.objects.filter(program=program).count() == len(days)


def test_seed_without_history_still_computes_the_rollups():
    from reporting.models import MetricSnapshot, ProjectRollup

    demo_seed(scale="small", seed=1, today=TODAY, history=False)

    assert ProjectRollup.objects.filter(computed_at__isnull=False).count() == Project.objects.count()
    assert not MetricSnapshot.objects.exists()


def test_small_seed_holds_a_conversation_and_evidence_on_the_demo_programs_pending_gate(media_storage):
    from django.contrib.contenttypes.models import ContentType

    from collab.models import Attachment, AttachmentVersion, Comment
    from core.models import Notification
    from governance.models import GateCriterion, StageGate
    from tests.conftest import stored_files

    demo_seed(scale="small", seed=1, today=TODAY, history=False)
    program = Program.objects.get(manager__username="program_manager")
    gates = StageGate.objects.filter(project__program=program, decision="pending")
    criteria = GateCriterion.objects.filter(gate__in=gates)
    on_criteria = {
        "content_type": ContentType.objects.get_for_model(GateCriterion),
        "object_id__in": criteria.values("pk"),
    }
    evidence = Attachment.objects.get(**on_criteria, name="signed-business-case.pdf")
    assert evidence.versions.get().content_type == "application/pdf"
    on_gates = {"content_type": ContentType.objects.get_for_model(StageGate), "object_id__in": gates.values("pk")}
    question = Comment.objects.get(**on_gates, parent__isnull=True)
    assert question.author == gates.get(pk=question.object_id).project.manager
    assert question.replies.get().author.username == "program_manager"
    assert Notification.objects.filter(user__username="program_manager", kind="mentioned").exists()
    # Seeding again from scratch removes them with their files.
    assert stored_files(media_storage) == [evidence.versions.get().file.name]
    demo_seed(scale="small", seed=1, today=TODAY, history=False, reset=True)
    assert Attachment.objects.count() == 1
    assert stored_files(media_storage) == [AttachmentVersion.objects.get().file.name]
