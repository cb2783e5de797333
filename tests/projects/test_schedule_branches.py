"""HTML: paging a big schedule by WBS branch — it opens on its outline (summaries collapsed),
a summary's button expands its branch (the chart bars and the table rows of the same rows), a
branch bigger than the window gets windows of its own, the expanded branches survive edits,
and a small schedule behaves as it always did."""

import re

import pytest
from django.urls import reverse

from projects.models import Task
from projects.selectors.schedule import branch_windows, outline_order, project_schedule, subtree_ends
from projects.views.schedule import WINDOW
from tests.factories.projects import wbs_plan

HTMX = {"HTTP_HX_REQUEST": "true"}
CODE = "MOD-ERP"
PAGE = reverse("projects:schedule", args=[CODE])
FRAGMENT = reverse("projects:schedule-fragment", args=[CODE])
# A branch's fragment costs a fixed number of queries (session, user, project, rights, tasks,
# links, baselines, calendars, undo …) whatever the branch holds.
BRANCH_QUERIES = 20


def branch(pk):
    return reverse("projects:schedule-branch", args=[CODE, pk])


def names(response):
    return [row.task.name for row in response.context["rows"]]


def chart_keys(response):
    """The task pks of the chart's rows (label order): each row's bar carries data-key."""
    svg = response.context["chart"]
    return [int(k) for k in dict.fromkeys(re.findall(r'class="gantt-(?:bar|summary)[^"]*"[^>]*data-key="(\d+)"', svg))]


@pytest.fixture
def big(project):
    """12 branches of 20 tasks (252 rows, more than a window): opens collapsed."""
    return wbs_plan(project, [20] * 12)


@pytest.mark.django_db
class TestOpening:
    def test_a_big_schedule_opens_on_its_outline(self, client_for, member, big):
        response = client_for(member).get(PAGE)
        assert response.status_code == 200
        assert names(response) == [f"Branch {b}" for b in range(12)]
        assert all(row.is_open is False for row in response.context["rows"])
        body = response.content.decode()
        assert body.count('aria-expanded="false"') == 12
        assert "Showing 12 of 252 tasks" in body
        assert "Previous rows" not in body
        assert "Next rows" not in body
        # The chart has the same rows: each collapsed summary keeps its rolled-up bar.
        assert chart_keys(response) == [s.pk for s in big]

    def test_a_deeper_level_opens_when_it_fits(self, client_for, member, project):
        # 3 phases of 2 branches of 40: phases (3) + branches (6) fit, the tasks (240) do not.
        phases = wbs_plan(project, [0, 0, 0])
        for phase in phases:
            for summary in wbs_plan(project, [40, 40]):
                Task.objects.filter(pk=summary.pk).update(parent=phase)
        from projects.services.schedule import outline_renumber, schedule_recompute

        outline_renumber(project=project)
        schedule_recompute(project=project)
        response = client_for(member).get(PAGE)
        rows = response.context["rows"]
        assert len(rows) == 9
        assert [row.is_open for row in rows][:3] == [True, False, False]

    def test_a_small_schedule_shows_everything_as_before(self, client_for, project_manager, project):
        summaries = wbs_plan(project, [3, 4])
        response = client_for(project_manager).get(PAGE)
        assert len(response.context["rows"]) == 9
        body = response.content.decode()
        assert body.count('aria-expanded="true"') == 2
        assert "Showing" not in body
        # The forms post to the same URLs as before: no branch state pinned in them.
        assert 'action="' + reverse("projects:schedule-task-add", args=[CODE]) + '"' in body
        # Its summaries can still be collapsed.
        collapsed = client_for(project_manager).get(branch(summaries[0].pk), {"open": summaries[1].pk}, **HTMX)
        assert names(collapsed) == ["Branch 0", "Branch 1", "Task 1.0", "Task 1.1", "Task 1.2", "Task 1.3"]


@pytest.mark.django_db
class TestExpanding:
    def test_expanding_a_branch_shows_its_rows_in_table_and_chart(self, client_for, member, big):
        target = big[3]
        response = client_for(member).get(branch(target.pk), {"open": target.pk}, **HTMX)
        assert response.status_code == 200
        shown = names(response)
        assert shown[:4] == ["Branch 0", "Branch 1", "Branch 2", "Branch 3"]
        assert shown[4:24] == [f"Task 3.{i}" for i in range(20)]
        assert shown[24] == "Branch 4"
        assert chart_keys(response) == [row.task.pk for row in response.context["rows"]]
        body = response.content.decode()
        assert f'id="branch-{target.pk}" aria-expanded="true"' in body
        assert f'data-focus="branch-{target.pk}"' in body
        assert response["HX-Push-Url"] == f"{PAGE}?open={target.pk}"
        # Every link of the fragment keeps the branch open; collapsing it again drops it.
        assert f"open={target.pk}" in body
        assert f'hx-get="{branch(target.pk)}?open=0"' in body

    def test_a_plain_request_goes_to_the_page_with_that_state(self, client_for, member, big):
        response = client_for(member).get(branch(big[0].pk), {"open": big[0].pk})
        assert response.status_code == 302
        assert response["Location"] == f"{PAGE}?open={big[0].pk}"

    def test_outsiders_get_404_and_readers_the_fragment(self, client_for, big, outsider, executive):
        assert client_for(outsider).get(branch(big[0].pk), {"open": big[0].pk}, **HTMX).status_code == 404
        assert client_for(executive).get(branch(big[0].pk), {"open": big[0].pk}, **HTMX).status_code == 200

    def test_a_task_of_another_project_is_404(self, client_for, member, big, program):
        from tests.factories.projects import ProjectFactory

        other = wbs_plan(ProjectFactory(program=program, code="MOD-CRM"), [2])[0]
        assert client_for(member).get(branch(other.pk), {"open": other.pk}, **HTMX).status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, client, big):
        response = client.get(branch(big[0].pk), **HTMX)
        assert response.status_code == 302
        assert "login" in response["Location"]

    @pytest.mark.parametrize("who", ["member", "project_manager"])
    def test_queries_do_not_grow_with_the_branch(
        self, client_for, request, who, project, django_assert_max_num_queries
    ):
        client = client_for(request.getfixturevalue(who))
        small, large = wbs_plan(project, [5, 150] + [20] * 3)[:2]
        with django_assert_max_num_queries(BRANCH_QUERIES) as few:
            assert len(names(client.get(branch(small.pk), {"open": small.pk}, **HTMX))) == 10
        with django_assert_max_num_queries(BRANCH_QUERIES) as many:
            assert len(names(client.get(branch(large.pk), {"open": large.pk}, **HTMX))) == 155
        assert len(few.captured_queries) == len(many.captured_queries)


@pytest.mark.django_db
class TestBigBranches:
    def test_a_branch_bigger_than_the_window_gets_windows_of_its_own(self, client_for, member, project):
        summaries = wbs_plan(project, [30, 450, 30])
        big = summaries[1]
        client = client_for(member)
        first = client.get(branch(big.pk), {"open": big.pk}, **HTMX)
        rows = first.context["rows"]
        assert len(rows) == WINDOW
        assert names(first)[0] == "Branch 1"  # the branch starts a window of its own
        assert all(name.startswith("Task 1.") for name in names(first)[1:])
        body = first.content.decode()
        assert "Rows 2–201 of 453 shown" in body
        schedule = first.context["schedule"]
        assert (schedule.previous_first, schedule.next_first) == (0, 201)
        last = client.get(FRAGMENT, {"open": big.pk, "at": "401"}, **HTMX)
        assert names(last)[0] == "Task 1.399"
        assert names(last)[-2:] == ["Task 1.449", "Branch 2"]

    def test_windows_break_between_branches(self, project):
        wbs_plan(project, [120, 120, 10])
        ordered = outline_order(list(Task.objects.filter(project=project)))
        ends = subtree_ends(ordered)
        # Branch 1 (121 rows) does not fit after Branch 0 (121): it starts the second window.
        assert branch_windows(list(range(len(ordered))), ends, 200) == [0, 121]
        # A flat list of tasks still comes in windows of the size.
        assert branch_windows(list(range(450)), list(range(1, 451)), 200) == [0, 200, 400]

    def test_an_edit_deep_in_a_branch_keeps_it_expanded(self, client_for, project_manager, big):
        target = big[5]
        client = client_for(project_manager)
        opened = client.get(branch(target.pk), {"open": target.pk}, **HTMX)
        row = next(r for r in opened.context["rows"] if r.task.name == "Task 5.7")
        move = row.urls["move"]
        assert f"open={target.pk}" in move
        response = client.post(move, {"direction": "up", "version": row.task.version}, **HTMX)
        assert response.status_code == 200
        assert "Task 5.7" in names(response)
        assert next(r for r in response.context["rows"] if r.task.pk == target.pk).is_open is True
        assert response["HX-Push-Url"] == f"{PAGE}?open={target.pk}"
        assert f'data-focus="task-{row.task.pk}"' in response.content.decode()


@pytest.mark.django_db
class TestStateSurvivesEdits:
    def test_an_indent_under_a_collapsed_summary_expands_it_to_keep_the_row_in_view(
        self, client_for, project_manager, big
    ):
        client = client_for(project_manager)
        # Everything collapsed; Branch 2 is indented: it goes under Branch 1, which opens.
        response = client.post(reverse("projects:schedule-task-indent", args=[CODE, big[2].pk]) + "?open=0", **HTMX)
        assert response.status_code == 200
        assert f'data-focus="task-{big[2].pk}"' in response.content.decode()
        rows = {row.task.name: row for row in response.context["rows"]}
        assert rows["Branch 1"].is_open is True
        assert rows["Branch 2"].is_open is False  # its own tasks stay folded away
        assert "Task 1.0" in rows
        assert "Task 2.0" not in rows
        assert response["HX-Push-Url"] == f"{PAGE}?open={big[1].pk}"

    def test_undo_keeps_the_expanded_branches(self, client_for, project_manager, big):
        client = client_for(project_manager)
        task = Task.objects.get(project=big[0].project, name="Task 4.3")
        state = f"?open={big[4].pk}"
        client.post(reverse("projects:schedule-task-move", args=[CODE, task.pk]) + state, {"direction": "up"}, **HTMX)
        response = client.post(reverse("projects:schedule-undo", args=[CODE]) + state, {}, **HTMX)
        assert response.status_code == 200
        assert "Task 4.3" in names(response)
        assert response["HX-Push-Url"] == f"{PAGE}?open={big[4].pk}"

    def test_reload_with_the_state_shows_the_same_rows(self, client_for, member, big):
        client = client_for(member)
        expanded = client.get(branch(big[2].pk), {"open": big[2].pk}, **HTMX)
        reloaded = client.get(expanded["HX-Push-Url"])
        assert names(reloaded) == names(expanded)

    def test_schedule_without_state_is_unchanged_by_the_selector_default(self, project):
        wbs_plan(project, [20] * 12)
        everything = project_schedule(project=project)
        assert len(everything.rows) == 252
        assert everything.expanded is None


@pytest.mark.django_db
@pytest.mark.parametrize("write", ["insert", "move", "indent", "outdent", "link", "drag", "undo"])
def test_every_gantt_edit_keeps_the_expanded_branch(client_for, project_manager, big, write):
    from projects.models import Dependency

    client = client_for(project_manager)
    branch_pk = big[4].pk
    task = Task.objects.get(project=big[0].project, name="Task 4.5")
    link = Dependency.objects.get(successor=task)
    state = f"?open={branch_pk}"
    # Something to undo, away from the branch.
    elsewhere = Task.objects.get(project=big[0].project, name="Task 9.1")
    drag = reverse("projects:schedule-task-drag", args=[CODE, elsewhere.pk])
    client.post(drag + state, {"start": "2026-07-01"}, **HTMX)
    last = Task.objects.get(project=big[0].project, name="Task 4.19")
    target, data = {
        "insert": (reverse("projects:schedule-task-insert", args=[CODE, task.pk]), {"position": "below"}),
        "move": (reverse("projects:schedule-task-move", args=[CODE, task.pk]), {"direction": "up"}),
        "indent": (reverse("projects:schedule-task-indent", args=[CODE, big[5].pk]), {}),  # under Branch 4
        "outdent": (reverse("projects:schedule-task-outdent", args=[CODE, last.pk]), {}),  # after Branch 4
        "link": (reverse("projects:schedule-link-save", args=[CODE, link.pk]), {"type": "SS", "lag": "1d"}),
        "drag": (reverse("projects:schedule-task-drag", args=[CODE, task.pk]), {"start": "2026-06-01"}),
        "undo": (reverse("projects:schedule-undo", args=[CODE]), {}),
    }[write]
    response = client.post(target + state, data, **HTMX)
    assert response.status_code == 200, response.content.decode()[:500]
    assert "Task 4.5" in names(response)
    assert "Task 4.0" in names(response)  # the branch's other rows are still shown
    assert next(r for r in response.context["rows"] if r.task.pk == branch_pk).is_open is True
    assert str(branch_pk) in response["HX-Push-Url"]
    assert "Task 3.0" not in names(response)  # and the collapsed ones still collapsed
