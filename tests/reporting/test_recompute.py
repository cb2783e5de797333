"""recompute_all and the roll-up rows on the small demo: a project's row equals what the pages'
selectors say; programs and portfolios are sums and recomputed ratios of the level below;
recomputing is idempotent."""

from decimal import Decimal

import pytest
from django.core.management import call_command
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

pytestmark = pytest.mark.django_db

BOOKKEEPING = {"id", "computed_at", "enqueued_at", "input_version"}


def figures_of(row) -> dict:
    return {k: v for k, v in model_to_dict(row).items() if k not in BOOKKEEPING}


@pytest.fixture
def demo():
    seed_small_demo()
    counts = rollups.recompute_all(as_of=DEMO_TODAY)
    return counts


def test_recompute_all_writes_a_row_per_project_program_and_portfolio(demo):
    assert demo["projects"] == Project.objects.count() == ProjectRollup.objects.count()
    assert demo["programs"] == ProgramRollup.objects.count() > 0
    assert demo["portfolios"] == PortfolioRollup.objects.count() > 0
    assert demo["gone"] == 0


def test_project_row_equals_the_pages_selectors(demo):
    for row in ProjectRollup.objects.select_related("project__program__portfolio"):
        project = row.project
        report = project_evm(project=project, as_of=evm_day(project, DEMO_TODAY), labour_forecasts=labour_forecasts)
        f = report.figures
        assert row.bac == f.bac.quantize(Decimal("0.01"))
        assert row.ev == f.ev.quantize(Decimal("0.01"))
        assert row.ac == f.ac.quantize(Decimal("0.01"))
        assert row.cpi == (f.cpi.quantize(Decimal("0.0001")) if f.cpi is not None else None)
        assert row.spi == (f.spi.quantize(Decimal("0.0001")) if f.spi is not None else None)
        exposure = project_exposure(project=project).total
        assert row.emv == exposure.emv
        assert row.exposure_uncovered == exposure.uncovered
        assert row.forecast_finish == project.forecast_finish_day
        report_row = project.latest_status_report
        assert row.reported_rag == (report_row.overall_rag if report_row else "")


def test_program_row_sums_its_open_projects(demo):
    for program_row in ProgramRollup.objects.select_related("program"):
        rows = list(
            ProjectRollup.objects.filter(project__program=program_row.program).filter(
                project__in=Project.objects.filter(open_projects_q())
            )
        )
        ev = sum((r.ev for r in rows if r.ev is not None), Decimal(0))
        ac = sum((r.ac for r in rows if r.ac is not None), Decimal(0))
        assert program_row.projects_open == len(rows)
        if ac:
            assert program_row.cpi == (ev / ac).quantize(Decimal("0.0001"))
        assert program_row.projects_red + program_row.projects_amber + program_row.projects_green <= len(rows)


def test_recompute_is_idempotent(demo):
    project = Project.objects.order_by("pk").first()
    before = figures_of(ProjectRollup.objects.get(project=project))
    assert rollups.project_rollup_recompute(project_id=project.pk, as_of=DEMO_TODAY) == rollups.CURRENT
    assert figures_of(ProjectRollup.objects.get(project=project)) == before


def test_a_bumped_version_makes_it_recompute(demo):
    project = Project.objects.order_by("pk").first()
    changes.inputs_changed(projects=[project])
    assert rollups.project_rollup_recompute(project_id=project.pk, as_of=DEMO_TODAY) == rollups.RECOMPUTED
    row = ProjectRollup.objects.get(project=project)
    assert row.input_version == changes.current_versions("project", [project.pk])[project.pk]


def test_recompute_all_twice_gives_identical_rows(demo):
    def snapshot():
        return [
            sorted((figures_of(r) for r in model.objects.all()), key=lambda d: sorted(d.items()).__repr__())
            for model in (ProjectRollup, ProgramRollup, PortfolioRollup)
        ]

    first = snapshot()
    call_command("recompute", "--all", "--as-of", DEMO_TODAY.isoformat())
    assert snapshot() == first
