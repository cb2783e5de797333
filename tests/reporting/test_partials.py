"""The health and "as of" partials: computed beside reported, the rule in text, the stale notice."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from core import changes
from reporting.selectors import NOT_COMPUTED, program_rollup_for, project_rollups, rollup_state
from tests.factories.reporting import ProgramRollupFactory, ProjectRollupFactory

STALE = "Figures are being recomputed; these are from"


def _render(name, **context):
    return render_to_string(f"includes/{name}", context)


@pytest.mark.django_db
class TestRollupState:
    def test_no_row_is_not_computed_yet_and_stale(self, project):
        state = project_rollups([project])[project.pk]
        assert not state.exists
        assert state.stale
        assert state.health_label == NOT_COMPUTED
        html = _render("_rollup_asof.html", state=state)
        assert "Not computed yet" in html
        assert STALE not in html

    def test_current_row_says_as_of_its_time(self, project):
        at = timezone.now().replace(hour=9, minute=7, second=0, microsecond=0)
        ProjectRollupFactory(project=project, computed_at=at)
        state = project_rollups([project])[project.pk]
        assert not state.stale
        html = _render("_rollup_asof.html", state=state)
        assert "as of" in html
        assert timezone.localtime(at).strftime("%H:%M") in html
        assert STALE not in html

    def test_row_behind_its_input_version_is_stale_and_keeps_its_time(self, project):
        at = timezone.now() - dt.timedelta(minutes=5)
        ProjectRollupFactory(project=project, computed_at=at)
        changes.inputs_changed(projects=[project])
        state = project_rollups([project])[project.pk]
        assert state.stale
        html = _render("_rollup_asof.html", state=state)
        assert f"{STALE} " in html
        assert timezone.localtime(at).strftime("%H:%M") in html

    def test_overall_reason_is_the_worst_dimensions_rule(self, program):
        ProgramRollupFactory(
            program=program,
            health_overall="red",
            health_cost="red",
            health_schedule="amber",
            health_reasons={"cost": "CPI 0.82 < 0.90", "schedule": "slip 7 working days > 5"},
            reported_rag="green",
            health_disagrees=True,
        )
        state = program_rollup_for(program)
        assert state.reason == "CPI 0.82 < 0.90"
        assert [d.reason for d in state.dimensions if d.key == "schedule"] == ["slip 7 working days > 5"]

    def test_unknown_version_counts_as_never_changed(self):
        assert rollup_state(None, 1).stale


@pytest.mark.django_db
class TestHealthPartial:
    def test_badge_says_computed_and_reported_and_flags_disagreement(self, project):
        ProjectRollupFactory(
            project=project,
            health_overall="red",
            health_cost="red",
            health_reasons={"cost": "CPI 0.82 < 0.90"},
            reported_rag="green",
            health_disagrees=True,
        )
        state = project_rollups([project])[project.pk]
        html = _render("_health.html", state=state)
        assert "Computed" in html
        assert "Reported" in html
        assert 'class="rag rag-red" title="Computed health: Red' in html
        assert 'class="rag rag-green">Green<' in html
        assert "differs from reported" in html
        # The rule is text, not only colour: in the title and for screen readers on lists.
        assert 'title="Computed health: Red — CPI 0.82 &lt; 0.90"' in html
        assert 'class="visually-hidden">(CPI 0.82 &lt; 0.90)' in html

    def test_detail_prints_the_rule_and_each_dimension(self, project):
        ProjectRollupFactory(
            project=project, health_overall="amber", health_schedule="amber", health_reasons={"schedule": "slip 7 > 5"}
        )
        state = project_rollups([project])[project.pk]
        html = _render("_health.html", state=state, detail=True)
        assert '<span class="health-reason">slip 7 &gt; 5</span>' in html
        assert "<dt>Data freshness</dt>" in html

    def test_agreeing_health_has_no_flag_and_page_reported_rag_wins(self, project):
        ProjectRollupFactory(project=project, health_overall="green", reported_rag="")
        state = project_rollups([project])[project.pk]
        html = _render("_health.html", state=state, reported="amber")
        assert "differs from reported" not in html
        assert 'class="rag rag-amber">Amber<' in html

    def test_no_row_says_not_computed_yet(self, project):
        html = _render("_health.html", state=project_rollups([project])[project.pk])
        assert "Not computed yet" in html
        assert "Not reported" in html


@pytest.mark.django_db
def test_states_for_many_projects_take_two_queries(program, django_assert_num_queries):
    from tests.factories.projects import ProjectFactory

    projects = [ProjectFactory(program=program) for _ in range(6)]
    for project in projects[:3]:
        ProjectRollupFactory(project=project)
    with django_assert_num_queries(2):
        states = project_rollups(projects)
    assert sum(state.exists for state in states.values()) == 3
