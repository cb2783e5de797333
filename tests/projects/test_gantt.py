"""The server-rendered Gantt chart is well-formed SVG showing what the schedule says."""

import xml.etree.ElementTree as ET
from datetime import date, datetime

import pytest

from projects.charts.gantt import GanttLink, GanttRow, render_gantt

SVG = "{http://www.w3.org/2000/svg}"


def _rows():
    return [
        GanttRow(
            key=1, label="Build", start=datetime(2026, 3, 2, 8), finish=datetime(2026, 3, 20, 17), is_summary=True
        ),
        GanttRow(
            key=2,
            label="Design <b>",
            start=datetime(2026, 3, 2, 8),
            finish=datetime(2026, 3, 6, 17),
            level=1,
            is_critical=True,
            percent_complete=50,
            baseline_start=datetime(2026, 3, 2, 8),
            baseline_finish=datetime(2026, 3, 4, 17),
        ),
        GanttRow(key=3, label="Code", start=datetime(2026, 3, 9, 8), finish=datetime(2026, 3, 20, 17), level=1),
        GanttRow(
            key=4,
            label="Go live",
            start=datetime(2026, 3, 20, 17),
            finish=datetime(2026, 3, 20, 17),
            is_milestone=True,
            is_critical=True,
        ),
    ]


@pytest.mark.parametrize("zoom", ["week", "month", "quarter"])
def test_gantt_is_well_formed_with_bars_milestones_links_and_today(zoom):
    svg = render_gantt(
        _rows(), [GanttLink(2, 3, "FS", True), GanttLink(3, 4, "FS")], zoom=zoom, today=date(2026, 3, 10)
    )
    root = ET.fromstring(svg)
    classes = [el.get("class", "") for el in root.iter()]
    assert classes.count("gantt-bar critical") == 1
    assert classes.count("gantt-bar") == 1
    assert classes.count("gantt-milestone critical") == 1
    assert classes.count("gantt-summary") == 1
    assert classes.count("gantt-baseline") == 1
    assert classes.count("gantt-progress") == 1
    assert classes.count("gantt-link critical") == 1
    assert classes.count("gantt-link") == 1
    assert classes.count("gantt-today") == 1


def test_gantt_escapes_labels():
    svg = render_gantt(_rows())
    assert "Design &lt;b&gt;" in svg
    assert "<b>" not in svg


def test_later_task_is_drawn_further_right():
    root = ET.fromstring(render_gantt(_rows()))
    bars = [el for el in root.iter(f"{SVG}rect") if el.get("class", "").startswith("gantt-bar")]
    assert float(bars[0].get("x")) < float(bars[1].get("x"))


def test_unknown_zoom_is_refused():
    with pytest.raises(ValueError, match="zoom"):
        render_gantt(_rows(), zoom="decade")
