"""Nightly snapshots copy the roll-ups, idempotently; the demo backfill aggregates programs and
portfolios from their projects' snapshots of the same day."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.models import MetricSnapshot, PortfolioRollup, ProgramRollup
from reporting.services import rollups, snapshots
from tests.factories.projects import ProjectFactory
from tests.factories.reporting import ProjectRollupFactory

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 26)


def _take_counting(day):
    with CaptureQueriesContext(connection) as captured:
        written = snapshots.snapshots_take(day=day)
    return written, len(captured)


def test_take_copies_every_roll_up_once_per_day(project, program, portfolio):
    ProjectRollupFactory(project=project, cpi=Decimal("0.9100"), bac=Decimal("1000.00"), health_overall="amber")
    ProgramRollup.objects.create(program=program, cpi=Decimal("0.9500"), health_overall="green")
    PortfolioRollup.objects.create(portfolio=portfolio, cpi=Decimal("0.9700"))

    assert snapshots.snapshots_take(day=DAY) == 3

    row = MetricSnapshot.objects.get(project=project, day=DAY)
    assert (row.cpi, row.bac, row.health_overall) == (Decimal("0.9100"), Decimal("1000.00"), "amber")
    assert MetricSnapshot.objects.get(program=program, day=DAY).cpi == Decimal("0.9500")
    assert MetricSnapshot.objects.get(portfolio=portfolio, day=DAY).cpi == Decimal("0.9700")


def test_taking_a_day_again_replaces_its_snapshots(project):
    rollup = ProjectRollupFactory(project=project, cpi=Decimal("0.9100"))
    snapshots.snapshots_take(day=DAY)
    rollup.cpi = Decimal("0.8000")
    rollup.save()

    snapshots.snapshots_take(day=DAY)
    snapshots.snapshots_take(day=DAY + dt.timedelta(days=1))

    assert MetricSnapshot.objects.filter(project=project).count() == 2
    assert MetricSnapshot.objects.get(project=project, day=DAY).cpi == Decimal("0.8000")


def test_take_runs_the_same_queries_for_one_project_or_many(program):
    ProjectRollupFactory(project=ProjectFactory(program=program))
    few = _take_counting(DAY)
    for _ in range(5):
        ProjectRollupFactory(project=ProjectFactory(program=program))
    many = _take_counting(DAY + dt.timedelta(days=1))

    assert (few[0], many[0]) == (1, 6)
    assert few[1] == many[1]


def _figures(values_by_code):
    def project_figures(project, *, as_of):
        values = values_by_code[project.code]
        return {**values, "bac": values["bac"] + (as_of - DAY).days}

    return project_figures


def test_backfill_aggregates_programs_from_their_projects_snapshots_of_each_day(
    program, portfolio, project, monkeypatch
):
    other = ProjectFactory(program=program, code="MOD-CRM")
    monkeypatch.setattr(
        rollups,
        "project_figures",
        _figures(
            {
                "MOD-ERP": {
                    "bac": Decimal(1000),
                    "pv": Decimal(400),
                    "ev": Decimal(300),
                    "ac": Decimal(500),
                    "percent_complete": Decimal(30),
                    "health_overall": "red",
                    "reported_rag": "green",
                    "people_overallocated": 1,
                    "slip_working_days": 12,
                },
                "MOD-CRM": {
                    "bac": Decimal(3000),
                    "pv": Decimal(600),
                    "ev": Decimal(700),
                    "ac": Decimal(500),
                    "percent_complete": Decimal(70),
                    "health_overall": "green",
                    "reported_rag": "amber",
                    "people_overallocated": 0,
                    "slip_working_days": None,
                },
            }
        ),
    )

    written = snapshots.snapshots_backfill(days=28, step=7, today=DAY + dt.timedelta(days=28))

    days = [DAY + dt.timedelta(days=d) for d in (0, 7, 14, 21, 28)]
    assert written == 5 * 4  # two projects, their program and portfolio, on five days (today included)
    assert sorted(set(MetricSnapshot.objects.values_list("day", flat=True))) == days
    first = MetricSnapshot.objects.get(program=program, day=DAY)
    assert first.bac == Decimal(4000)
    assert (first.ev, first.ac, first.pv) == (Decimal(1000), Decimal(1000), Decimal(1000))
    assert first.cpi == Decimal("1.0000")  # from the sums, not the mean of 0.6 and 1.4
    assert first.percent_complete == Decimal("60.00")  # BAC-weighted: (30 * 1000 + 70 * 3000) / 4000
    assert first.health_overall == "red"
    assert first.reported_rag == "amber"
    assert first.slip_working_days == 12
    assert first.people_overallocated == 1
    assert MetricSnapshot.objects.get(program=program, day=days[-1]).bac == Decimal(4056)  # 1028 + 3028
    assert MetricSnapshot.objects.get(portfolio=portfolio, day=DAY).cpi == Decimal("1.0000")
    assert MetricSnapshot.objects.get(project=other, day=DAY).cpi is None  # not in the figures given

    again = snapshots.snapshots_backfill(days=28, step=7, today=DAY + dt.timedelta(days=28))
    assert again == written
    assert MetricSnapshot.objects.count() == written


def test_ratio_of_nothing_is_not_defined():
    row = snapshots.aggregate([MetricSnapshot(ev=Decimal(5), ac=Decimal(0), pv=None)], program_id=1, day=DAY)

    assert row.cpi is None
    assert row.spi is None
    assert row.health_overall == ""
