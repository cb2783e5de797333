"""recompute_all, `manage.py recompute` and the recompute services: on the small demo a project's
row equals what the pages' selectors say and a program's row sums its open projects' rows;
recomputing is idempotent, a bumped version recomputes, and `--all` twice gives the same rows."""

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict

from budgets.selectors import project_evm
from core import changes
from projects.models import Project, open_projects_q
from reporting.models import PortfolioRollup, ProgramRollup, ProjectRollup
from reporting.services import rollups
from reporting.services.figures import evm_day
from risks.selectors import project_exposure
from staffing.selectors import labour_forecasts
from tests.conftest import DEMO_TODAY, seed_small_demo
from tests.factories.projects import ProjectFactory

pytestmark = pytest.mark.django_db

BOOKKEEPING = {"id", "computed_at", "enqueued_at", "input_version"}
CENT, RATIO = Decimal("0.01"), Decimal("0.0001")


def figures_of(row) -> dict:
    return {k: v for k, v in model_to_dict(row).items() if k not in BOOKKEEPING}


def every_row() -> list[list[dict]]:
    return [
        sorted((figures_of(r) for r in model.objects.all()), key=repr)
        for model in (ProjectRollup, ProgramRollup, PortfolioRollup)
    ]


def test_recompute_all_on_the_small_demo():
    # One seed for every assertion: seeding the demo is the slow part.
    seed_small_demo()
    calls = []
    counts = rollups.recompute_all(as_of=DEMO_TODAY, progress=lambda done, total: calls.append((done, total)))

    assert counts["projects"] == Project.objects.count() == ProjectRollup.objects.count()
    assert counts["programs"] == ProgramRollup.objects.count() > 0
    assert counts["portfolios"] == PortfolioRollup.objects.count() > 0
    assert counts["gone"] == 0
    total = counts["projects"] + counts["programs"] + counts["portfolios"]
    assert calls[0] == (1, total)
    assert calls[-1] == (total, total)

    # A project's row is what the cost, risk and schedule pages compute.
    for row in ProjectRollup.objects.select_related("project__program__portfolio", "project__latest_status_report"):
        project = row.project
        f = project_evm(project=project, as_of=evm_day(project, DEMO_TODAY), labour_forecasts=labour_forecasts).figures
        assert row.bac == f.bac.quantize(CENT)
        assert row.ev == f.ev.quantize(CENT)
        assert row.ac == f.ac.quantize(CENT)
        assert row.cpi == (f.cpi.quantize(RATIO) if f.cpi is not None else None)
        assert row.spi == (f.spi.quantize(RATIO) if f.spi is not None else None)
        exposure = project_exposure(project=project).total
        assert row.emv == exposure.emv
        assert row.exposure_uncovered == exposure.uncovered
        assert row.forecast_finish == project.forecast_finish_day
        report = project.latest_status_report
        assert row.reported_rag == (report.overall_rag if report else "")
        assert row.health_disagrees == bool(
            row.reported_rag and row.health_overall and row.reported_rag != row.health_overall
        )

    # A program's row: sums of its open projects' rows, ratios recomputed from the sums.
    for program_row in ProgramRollup.objects.select_related("program"):
        rows = list(
            ProjectRollup.objects.filter(
                project__program=program_row.program, project__in=Project.objects.filter(open_projects_q())
            )
        )
        ev = sum((r.ev for r in rows if r.ev is not None), Decimal(0))
        ac = sum((r.ac for r in rows if r.ac is not None), Decimal(0))
        assert program_row.projects_open == len(rows)
        assert program_row.ev == (ev if any(r.ev is not None for r in rows) else None)
        assert program_row.cpi == ((ev / ac).quantize(RATIO) if ac else None)
        assert program_row.projects_red == sum(1 for r in rows if r.health_overall == "red")
        assert program_row.projects_disagreeing == sum(1 for r in rows if r.health_disagrees)
    assert PortfolioRollup.objects.get().projects_open == sum(r.projects_open for r in ProgramRollup.objects.all())

    # Idempotent: current the second time, same values.
    project = Project.objects.order_by("pk").first()
    before = figures_of(ProjectRollup.objects.get(project=project))
    assert rollups.project_rollup_recompute(project_id=project.pk, as_of=DEMO_TODAY) == rollups.CURRENT
    assert figures_of(ProjectRollup.objects.get(project=project)) == before

    # `recompute --all` again: the very same rows.
    first = every_row()
    call_command("recompute", "--all", "--as-of", DEMO_TODAY.isoformat(), stdout=io.StringIO())
    assert every_row() == first


def test_a_bumped_version_makes_it_recompute_and_marks_the_program(project):
    assert rollups.project_rollup_recompute(project_id=project.pk) == rollups.RECOMPUTED
    assert rollups.project_rollup_recompute(project_id=project.pk) == rollups.CURRENT
    program_version = changes.current_versions("program", [project.program_id])[project.program_id]
    changes.inputs_changed(projects=[project])
    assert rollups.project_rollup_recompute(project_id=project.pk) == rollups.RECOMPUTED
    row = ProjectRollup.objects.get(project=project)
    assert row.input_version == changes.current_versions("project", [project.pk])[project.pk]
    assert changes.current_versions("program", [project.program_id])[project.program_id] == program_version + 1


def test_a_later_day_recomputes_even_when_current(project):
    rollups.project_rollup_recompute(project_id=project.pk, as_of=DEMO_TODAY)
    later = DEMO_TODAY.replace(day=27)
    assert rollups.project_rollup_recompute(project_id=project.pk, as_of=later) == rollups.RECOMPUTED
    assert ProjectRollup.objects.get(project=project).as_of == later


def test_recompute_command_for_one_project(project, capsys):
    ProjectFactory(program=project.program, code="MOD-OTHER")
    call_command("recompute", "--project", project.code)
    assert "Recomputed 1 projects, 1 programs, 1 portfolios (0 gone)." in capsys.readouterr().out
    assert list(ProjectRollup.objects.values_list("project__code", flat=True)) == [project.code]
    assert ProgramRollup.objects.filter(program=project.program).exists()


def test_recompute_command_refuses_bad_input(project):
    with pytest.raises(CommandError, match="Name --all or --project CODE"):
        call_command("recompute")
    with pytest.raises(CommandError, match="No project with code NOPE"):
        call_command("recompute", "--project", "NOPE")
    with pytest.raises(CommandError, match="--as-of takes a day"):
        call_command("recompute", "--all", "--as-of", "yesterday")


def test_a_deleted_project_is_gone(project):
    pk = project.pk
    project.delete()
    assert rollups.project_rollup_recompute(project_id=pk) == rollups.GONE
