"""Trend charts on the program and project pages: read from snapshots, scoped by membership,
program CPI/SPI only for readers who see the whole program."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from reporting.charts import index_scale, index_trend_chart
from reporting.models import MetricSnapshot

pytestmark = pytest.mark.django_db


HISTORY = [(Decimal("0.8123"), "red"), (Decimal("0.9500"), "amber"), (Decimal("1.0500"), "green")]


def _history(**scope):
    today = timezone.localdate()
    for weeks_ago, (cpi, health) in zip((2, 1, 0), HISTORY, strict=True):
        day = today - dt.timedelta(weeks=weeks_ago)
        MetricSnapshot.objects.create(day=day, cpi=cpi, spi=Decimal("1.0"), health_overall=health, **scope)


def test_program_trends_for_a_reader_of_the_whole_program(client_for, owner, program):
    _history(program=program)

    response = client_for(owner).get(f"/reporting/programs/{program.code}/trends/", headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body  # an htmx fragment
    assert body.count('class="health-cell health-') == 3
    assert "health-red" in body
    assert "health-green" in body
    assert "chart-index-trend" in body
    assert "latest CPI 1.05" in body


def test_program_cpi_hidden_from_a_reader_of_one_project(client_for, member, program):
    _history(program=program)

    body = client_for(member).get(f"/reporting/programs/{program.code}/trends/").content.decode()

    assert "chart-health-strip" in body
    assert "chart-index-trend" not in body
    assert "shown to people who see the whole program" in body


def test_project_trends_page_without_javascript(client_for, member, project):
    _history(project=project)

    response = client_for(member).get(f"/reporting/projects/{project.code}/trends/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert "chart-index-trend" in body


def test_outsider_gets_404_for_trends(client_for, outsider, program, project):
    client = client_for(outsider)

    assert client.get(f"/reporting/programs/{program.code}/trends/").status_code == 404
    assert client.get(f"/reporting/projects/{project.code}/trends/").status_code == 404


def test_no_snapshots_yet_says_so(client_for, owner, program):
    body = client_for(owner).get(f"/reporting/programs/{program.code}/trends/").content.decode()

    assert "No snapshots yet" in body
    assert "No health recorded yet." in body


def test_program_and_project_pages_load_their_trends(client_for, owner, program, project):
    client = client_for(owner)

    assert (
        f'hx-get="/reporting/programs/{program.code}/trends/"'
        in client.get(f"/programs/{program.code}/").content.decode()
    )
    assert (
        f'hx-get="/reporting/projects/{project.code}/trends/"'
        in client.get(f"/projects/{project.code}/").content.decode()
    )


def test_index_axis_fits_ordinary_and_extreme_values():
    assert index_scale([Decimal("0.85"), Decimal("1.07")]) == (Decimal("0.8"), Decimal("1.2"), Decimal("0.1"))
    bottom, top, step = index_scale([Decimal("-3"), Decimal("99999")])
    assert bottom <= -3
    assert top >= 99999
    assert (top - bottom) / step <= 8


def test_index_chart_draws_gaps_and_extremes_without_failing():
    day = dt.date(2026, 1, 5)
    points = [
        (day, Decimal("0.9"), None),
        (day + dt.timedelta(weeks=1), None, None),
        (day + dt.timedelta(weeks=2), Decimal("40"), Decimal("1.1")),
    ]

    svg = index_trend_chart(points, title="CPI and SPI")

    assert svg.count("<polyline") == 3  # CPI in two runs around the gap, SPI one
    assert "latest CPI 40.00, SPI 1.10" in svg


def test_project_page_fragment_shows_computed_health_beside_reported(client_for, member, project):
    from tests.factories.reporting import red_inside

    red_inside(project)  # reported green, computed red on "CPI 0.82 < 0.90"

    body = client_for(member).get(f"/reporting/projects/{project.code}/trends/", headers={"HX-Request": "true"})
    body = body.content.decode()

    assert 'id="computed-health"' in body
    assert "CPI 0.82 &lt; 0.90" in body or "CPI 0.82 < 0.90" in body
    assert "differs from reported" in body
    assert "as of" in body


def test_project_fragment_before_any_rollup_says_not_computed(client_for, member, project):
    body = client_for(member).get(f"/reporting/projects/{project.code}/trends/").content.decode()

    assert "Not computed yet" in body
