"""Risk analysis inputs: a task's three-point estimate (service, schedule table, API), duration
ranges by WBS branch and correlation groups (services, the inputs page, the API)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import AuditEntry
from core.services import StaleVersionError
from projects.models import CorrelationGroup, DurationRange, Task
from projects.services.schedule import task_create
from projects.services.uncertainty import (
    BRANCH_NOT_SUMMARY,
    ESTIMATE_BOTH_OR_NEITHER,
    GROUP_TOO_FEW_TASKS,
    correlation_group_create,
    correlation_group_delete,
    correlation_group_update,
    duration_range_create,
    duration_range_delete,
    duration_range_update,
    task_estimate_update,
)
from tests.factories.projects import ProjectFactory

DAY = 480
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def plan(project, owner):
    """Phase 1 (Design 5d, Build 10d) and Training 3d."""
    project.planned_start = dt.date(2026, 3, 2)
    project.save()
    phase = task_create(actor=owner, project=project, name="Phase 1", duration_minutes=0)
    task_create(actor=owner, project=project, name="Design", duration_minutes=5 * DAY, parent=phase)
    task_create(actor=owner, project=project, name="Build", duration_minutes=10 * DAY, parent=phase)
    task_create(actor=owner, project=project, name="Training", duration_minutes=3 * DAY)
    return {t.name: t for t in Task.objects.filter(project=project)}


def page(project):
    return reverse("projects:uncertainty", args=[project.pk])


# -- services ----------------------------------------------------------------------------------


class TestTaskEstimate:
    def test_sets_and_clears_an_estimate_with_an_audit_entry(self, plan, owner):
        design = plan["Design"]
        task = task_estimate_update(
            actor=owner, task=design, optimistic_minutes=4 * DAY, pessimistic_minutes=8 * DAY, distribution="pert"
        )
        assert (task.optimistic_minutes, task.pessimistic_minutes, task.duration_distribution) == (
            4 * DAY,
            8 * DAY,
            "pert",
        )
        assert AuditEntry.objects.filter(object_type="projects.task", object_id=str(design.pk)).exists()
        task = task_estimate_update(actor=owner, task=task, optimistic_minutes=None, pessimistic_minutes=None)
        assert task.optimistic_minutes is None
        assert task.pessimistic_minutes is None

    @pytest.mark.parametrize(
        ("low", "high", "field"),
        [
            (6 * DAY, 8 * DAY, "optimistic_minutes"),  # above the planned 5 days
            (4 * DAY, 4 * DAY, "pessimistic_minutes"),  # below it
            (None, 8 * DAY, "optimistic_minutes"),  # half an estimate
            (4 * DAY, None, "pessimistic_minutes"),
        ],
    )
    def test_refuses_an_estimate_not_around_the_plan_naming_the_field(self, plan, owner, low, high, field):
        with pytest.raises(ValidationError) as caught:
            task_estimate_update(actor=owner, task=plan["Design"], optimistic_minutes=low, pessimistic_minutes=high)
        assert field in caught.value.message_dict
        plan["Design"].refresh_from_db()
        assert plan["Design"].optimistic_minutes is None

    def test_refuses_an_unknown_distribution_and_a_summary_task(self, plan, owner):
        with pytest.raises(ValidationError) as caught:
            task_estimate_update(
                actor=owner, task=plan["Design"], optimistic_minutes=DAY, pessimistic_minutes=9 * DAY, distribution="x"
            )
        assert "duration_distribution" in caught.value.message_dict
        with pytest.raises(ValidationError) as caught:
            task_estimate_update(actor=owner, task=plan["Phase 1"], optimistic_minutes=0, pessimistic_minutes=99 * DAY)
        assert "optimistic_minutes" in caught.value.message_dict

    def test_stale_version_is_refused(self, plan, owner):
        with pytest.raises(StaleVersionError):
            task_estimate_update(
                actor=owner,
                task=plan["Design"],
                optimistic_minutes=DAY,
                pessimistic_minutes=9 * DAY,
                expected_version=plan["Design"].version + 5,
            )


class TestDurationRanges:
    def test_create_update_delete_for_a_branch_and_for_all_tasks(self, plan, owner, project):
        phase = plan["Phase 1"]
        branch = duration_range_create(
            actor=owner, project=project, branch=phase, low_percent=Decimal("10"), high_percent=Decimal("30")
        )
        every = duration_range_create(
            actor=owner, project=project, branch=None, low_percent=Decimal("5"), high_percent=Decimal("15")
        )
        assert DurationRange.objects.filter(project=project).count() == 2
        branch = duration_range_update(actor=owner, duration_range=branch, data={"high_percent": Decimal("50")})
        assert branch.high_percent == Decimal("50")
        duration_range_delete(actor=owner, duration_range=every)
        assert list(DurationRange.objects.filter(project=project)) == [branch]
        assert AuditEntry.objects.filter(object_type="projects.durationrange").count() >= 4

    def test_branch_must_be_a_summary_task_of_the_project(self, plan, owner, project, program):
        with pytest.raises(ValidationError) as caught:
            duration_range_create(
                actor=owner, project=project, branch=plan["Design"], low_percent=Decimal(1), high_percent=Decimal(2)
            )
        assert caught.value.message_dict["branch"] == [BRANCH_NOT_SUMMARY]
        other = ProjectFactory(program=program, code="MOD-X")
        with pytest.raises(ValidationError) as caught:
            duration_range_create(
                actor=owner, project=other, branch=plan["Phase 1"], low_percent=Decimal(1), high_percent=Decimal(2)
            )
        assert "branch" in caught.value.message_dict

    def test_one_range_per_branch_and_one_for_all_tasks(self, plan, owner, project):
        duration_range_create(
            actor=owner, project=project, branch=None, low_percent=Decimal(1), high_percent=Decimal(2)
        )
        with pytest.raises(ValidationError) as caught:
            duration_range_create(
                actor=owner, project=project, branch=None, low_percent=Decimal(1), high_percent=Decimal(2)
            )
        assert "branch" in caught.value.message_dict

    @pytest.mark.parametrize(("low", "high", "field"), [("-1", "10", "low_percent"), ("10", "101", "high_percent")])
    def test_percentages_between_0_and_100(self, plan, owner, project, low, high, field):
        with pytest.raises(ValidationError) as caught:
            duration_range_create(
                actor=owner, project=project, branch=None, low_percent=Decimal(low), high_percent=Decimal(high)
            )
        assert field in caught.value.message_dict


class TestCorrelationGroups:
    def test_create_update_delete(self, plan, owner, project):
        group = correlation_group_create(
            actor=owner,
            project=project,
            name="Crew A",
            coefficient=Decimal("0.6"),
            tasks=[plan["Design"], plan["Build"]],
        )
        assert set(group.tasks.all()) == {plan["Design"], plan["Build"]}
        group = correlation_group_update(
            actor=owner, group=group, data={"tasks": [plan["Design"], plan["Build"], plan["Training"]]}
        )
        assert group.tasks.count() == 3
        correlation_group_delete(actor=owner, group=group)
        assert not CorrelationGroup.objects.exists()

    def test_needs_two_tasks_of_the_project_and_a_coefficient_in_0_1(self, plan, owner, project, program):
        with pytest.raises(ValidationError) as caught:
            correlation_group_create(
                actor=owner, project=project, name="G", coefficient=Decimal("0.5"), tasks=[plan["Design"]]
            )
        assert caught.value.message_dict["tasks"] == [GROUP_TOO_FEW_TASKS]
        other = ProjectFactory(program=program, code="MOD-X")
        with pytest.raises(ValidationError) as caught:
            correlation_group_create(
                actor=owner, project=other, name="G", coefficient=Decimal("0.5"), tasks=[plan["Design"], plan["Build"]]
            )
        assert "tasks" in caught.value.message_dict
        with pytest.raises(ValidationError) as caught:
            correlation_group_create(
                actor=owner,
                project=project,
                name="G",
                coefficient=Decimal("1.5"),
                tasks=[plan["Design"], plan["Build"]],
            )
        assert "coefficient" in caught.value.message_dict

    def test_name_unique_in_the_project(self, plan, owner, project):
        tasks = [plan["Design"], plan["Build"]]
        correlation_group_create(actor=owner, project=project, name="G", coefficient=Decimal("0.5"), tasks=tasks)
        with pytest.raises(ValidationError) as caught:
            correlation_group_create(actor=owner, project=project, name="G", coefficient=Decimal("0.5"), tasks=tasks)
        assert "name" in caught.value.message_dict


# -- the schedule table ------------------------------------------------------------------------


def edit_data(task, **changes):
    data = {
        "name": task.name,
        "duration_days": str(task.duration_minutes / DAY),
        "percent_complete": str(task.percent_complete),
        "constraint_type": task.constraint_type,
        "constraint_day": "",
        "parent": task.parent_id or "",
        "version": task.version,
    }
    data.update(changes)
    return data


class TestScheduleTable:
    def test_columns_show_the_estimate_in_days(self, plan, owner, project, client_for):
        task_estimate_update(
            actor=owner, task=plan["Design"], optimistic_minutes=4 * DAY, pessimistic_minutes=9 * DAY + 240
        )
        body = client_for(owner).get(reverse("projects:schedule", args=[project.code])).content.decode()
        assert "Optimistic" in body
        assert "Pessimistic" in body
        assert "Distribution" in body
        assert 'data-col="optimistic">4<' in body
        assert 'data-col="pessimistic">9.5<' in body

    def test_inline_edit_sets_the_estimate_in_days(self, plan, owner, project, client_for):
        design = plan["Design"]
        url = reverse("projects:schedule-task", args=[project.code, design.pk])
        response = client_for(owner).post(
            url,
            edit_data(design, optimistic_days="3.5", pessimistic_days="8", duration_distribution="uniform"),
            **HTMX,
        )
        assert response.status_code == 200
        design.refresh_from_db()
        assert (design.optimistic_minutes, design.pessimistic_minutes, design.duration_distribution) == (
            int(3.5 * DAY),
            8 * DAY,
            "uniform",
        )
        assert 'data-col="optimistic">3.5<' in response.content.decode()

    def test_inline_edit_refuses_an_estimate_outside_the_plan_on_the_field(self, plan, owner, project, client_for):
        design = plan["Design"]
        url = reverse("projects:schedule-task", args=[project.code, design.pk])
        response = client_for(owner).post(url, edit_data(design, optimistic_days="6", pessimistic_days="8"), **HTMX)
        assert response.status_code == 422
        assert response.context["edit_form"].errors["optimistic_days"]
        response = client_for(owner).post(url, edit_data(design, optimistic_days="3"), **HTMX)
        assert response.status_code == 422
        assert response.context["edit_form"].errors["pessimistic_days"] == [ESTIMATE_BOTH_OR_NEITHER]
        design.refresh_from_db()
        assert design.optimistic_minutes is None

    def test_edit_without_the_new_fields_keeps_the_estimate(self, plan, owner, project, client_for):
        design = task_estimate_update(
            actor=owner,
            task=plan["Design"],
            optimistic_minutes=4 * DAY,
            pessimistic_minutes=8 * DAY,
            distribution="pert",
        )
        url = reverse("projects:schedule-task", args=[project.code, design.pk])
        data = edit_data(design, optimistic_days="4", pessimistic_days="8")
        response = client_for(owner).post(url, data, **HTMX)
        assert response.status_code == 200
        design.refresh_from_db()
        assert design.duration_distribution == "pert"


# -- the inputs page ---------------------------------------------------------------------------


class TestInputsPage:
    def test_editor_sees_forms_and_the_estimate_summary(self, plan, owner, project, client_for):
        task_estimate_update(actor=owner, task=plan["Build"], optimistic_minutes=8 * DAY, pessimistic_minutes=15 * DAY)
        response = client_for(owner).get(page(project))
        assert response.status_code == 200
        body = response.content.decode()
        for text in ("Task three-point estimates", "Duration ranges", "Correlation groups", "Cost ranges"):
            assert text in body
        assert 'id="range-add-form"' in body
        assert 'id="group-add-form"' in body
        assert 'id="cost-range-add-form"' in body
        assert [row["task"].name for row in response.context["estimates"]] == ["Build"]
        assert reverse("projects:schedule", args=[project.code]) in body
        # The branch choices are the summary tasks (and "all tasks").
        choices = [label for _, label in response.context["range_form"].fields["branch"].choices]
        assert len(choices) == 2
        assert "Phase 1" in choices[1]

    def test_viewer_reads_without_forms_and_cannot_post(self, plan, owner, member, project, client_for):
        duration_range_create(
            actor=owner, project=project, branch=None, low_percent=Decimal(5), high_percent=Decimal(9)
        )
        response = client_for(member).get(page(project))
        assert response.status_code == 200
        body = response.content.decode()
        assert "All tasks" in body
        assert "range-add-form" not in body
        assert "cost-range-add-form" not in body
        assert "Delete" not in body
        add = reverse("projects:uncertainty-range-add", args=[project.pk])
        assert client_for(member).post(add, {"low_percent": "1", "high_percent": "2"}).status_code == 404
        assert DurationRange.objects.count() == 1

    def test_outsider_gets_404(self, plan, outsider, project, client_for):
        assert client_for(outsider).get(page(project)).status_code == 404
        add = reverse("projects:uncertainty-group-add", args=[project.pk])
        assert client_for(outsider).post(add, {"name": "x"}).status_code == 404

    def test_add_edit_delete_a_range(self, plan, owner, project, client_for):
        client = client_for(owner)
        add = reverse("projects:uncertainty-range-add", args=[project.pk])
        response = client.post(
            add,
            {"branch": plan["Phase 1"].pk, "low_percent": "10", "high_percent": "40", "distribution": "pert"},
        )
        assert response.status_code == 302
        rng = DurationRange.objects.get()
        assert (rng.branch, rng.distribution) == (plan["Phase 1"], "pert")
        opened = client.get(page(project) + f"?edit=range-{rng.pk}")
        assert f'id="range{rng.pk}_high_percent"' in opened.content.decode()
        save = reverse("projects:uncertainty-range", args=[project.pk, rng.pk])
        data = {"branch": plan["Phase 1"].pk, "low_percent": "10", "high_percent": "60", "distribution": "pert"}
        assert client.post(save, {**data, "version": rng.version}).status_code == 302
        rng.refresh_from_db()
        assert rng.high_percent == Decimal("60")
        stale = client.post(save, {**data, "high_percent": "70", "version": rng.version - 1})
        assert stale.status_code == 409
        delete = reverse("projects:uncertainty-range-delete", args=[project.pk, rng.pk])
        assert client.post(delete, {"version": rng.version}).status_code == 302
        assert not DurationRange.objects.exists()

    def test_refused_range_shows_the_error_with_422(self, plan, owner, project, client_for):
        add = reverse("projects:uncertainty-range-add", args=[project.pk])
        response = client_for(owner).post(
            add, {"branch": "", "low_percent": "10", "high_percent": "140", "distribution": "triangular"}
        )
        assert response.status_code == 422
        assert response.context["range_form"].errors["high_percent"]

    def test_add_and_edit_a_group(self, plan, owner, project, client_for):
        client = client_for(owner)
        add = reverse("projects:uncertainty-group-add", args=[project.pk])
        response = client.post(add, {"name": "Crew", "coefficient": "0.7", "tasks": [plan["Design"].pk]})
        assert response.status_code == 422
        assert response.context["group_form"].errors["tasks"] == [GROUP_TOO_FEW_TASKS]
        response = client.post(
            add, {"name": "Crew", "coefficient": "0.7", "tasks": [plan["Design"].pk, plan["Build"].pk]}
        )
        assert response.status_code == 302
        group = CorrelationGroup.objects.get()
        save = reverse("projects:uncertainty-group", args=[project.pk, group.pk])
        response = client.post(
            save,
            {
                "name": "Crew A",
                "coefficient": "0.5",
                "tasks": [plan["Design"].pk, plan["Training"].pk],
                "version": group.version,
            },
        )
        assert response.status_code == 302
        group.refresh_from_db()
        assert group.name == "Crew A"
        assert set(group.tasks.all()) == {plan["Design"], plan["Training"]}
        body = client.get(page(project)).content.decode()
        assert "Crew A" in body
        assert "Training" in body

    def test_page_query_count_does_not_grow_with_rows(
        self, plan, owner, project, client_for, django_assert_max_num_queries
    ):
        client = client_for(owner)
        correlation_group_create(
            actor=owner, project=project, name="G1", coefficient=Decimal("0.5"), tasks=[plan["Design"], plan["Build"]]
        )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            client.get(page(project))
        for n in range(2, 6):
            correlation_group_create(
                actor=owner,
                project=project,
                name=f"G{n}",
                coefficient=Decimal("0.5"),
                tasks=[plan["Design"], plan["Training"]],
            )
        with django_assert_max_num_queries(len(captured)):
            client.get(page(project))


# -- the API -----------------------------------------------------------------------------------

TASKS = "/api/v1/tasks/"
RANGES = "/api/v1/duration-ranges/"
GROUPS = "/api/v1/correlation-groups/"


def fields_of(response) -> list:
    return [error["field"] for error in response.json()["errors"]]


class TestApi:
    def test_task_three_point_fields(self, plan, owner, api_for):
        client = api_for(owner)
        design = plan["Design"]
        response = client.patch(
            f"{TASKS}{design.pk}/",
            {"optimistic_minutes": 4 * DAY, "pessimistic_minutes": 7 * DAY, "duration_distribution": "pert"},
            format="json",
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["optimistic_minutes"], body["pessimistic_minutes"], body["duration_distribution"]) == (
            4 * DAY,
            7 * DAY,
            "pert",
        )

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"optimistic_minutes": 6 * DAY, "pessimistic_minutes": 7 * DAY}, "optimistic_minutes"),
            ({"optimistic_minutes": DAY, "pessimistic_minutes": 2 * DAY}, "pessimistic_minutes"),
            ({"optimistic_minutes": DAY}, "pessimistic_minutes"),
            ({"optimistic_minutes": -1, "pessimistic_minutes": 7 * DAY}, "optimistic_minutes"),
            ({"duration_distribution": "normal"}, "duration_distribution"),
        ],
    )
    def test_task_bounds_are_400_naming_the_field(self, plan, owner, api_for, payload, field):
        response = api_for(owner).patch(f"{TASKS}{plan['Design'].pk}/", payload, format="json")
        assert response.status_code == 400
        assert field in fields_of(response)

    def test_duration_range_crud(self, plan, owner, project, api_for):
        client = api_for(owner)
        response = client.post(
            RANGES,
            {"project": project.pk, "branch": plan["Phase 1"].pk, "low_percent": "10", "high_percent": "25"},
            format="json",
        )
        assert response.status_code == 201, response.json()
        pk = response.json()["id"]
        assert response.json()["branch_name"] == "Phase 1"
        listed = client.get(RANGES, {"project": project.pk}).json()["results"]
        assert [r["id"] for r in listed] == [pk]
        response = client.patch(f"{RANGES}{pk}/", {"high_percent": "35"}, format="json")
        assert response.status_code == 200
        assert response.json()["high_percent"] == "35.00"
        assert client.delete(f"{RANGES}{pk}/").status_code == 204
        assert not DurationRange.objects.exists()

    @pytest.mark.parametrize(
        ("payload", "field"),
        [
            ({"branch": "DESIGN", "low_percent": "1", "high_percent": "2"}, "branch"),
            ({"low_percent": "1", "high_percent": "200"}, "high_percent"),
            ({"low_percent": "1", "high_percent": "2", "distribution": "normal"}, "distribution"),
        ],
    )
    def test_duration_range_400s(self, plan, owner, project, api_for, payload, field):
        if payload.get("branch") == "DESIGN":
            payload = {**payload, "branch": plan["Design"].pk}
        response = api_for(owner).post(RANGES, {"project": project.pk, **payload}, format="json")
        assert response.status_code == 400
        assert field in fields_of(response)

    def test_correlation_group_crud_and_400(self, plan, owner, project, api_for):
        client = api_for(owner)
        response = client.post(
            GROUPS,
            {"project": project.pk, "name": "Crew", "coefficient": "0.5", "tasks": [plan["Design"].pk]},
            format="json",
        )
        assert response.status_code == 400
        assert "tasks" in fields_of(response)
        response = client.post(
            GROUPS,
            {
                "project": project.pk,
                "name": "Crew",
                "coefficient": "0.5",
                "tasks": [plan["Design"].pk, plan["Build"].pk],
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        pk = response.json()["id"]
        response = client.patch(f"{GROUPS}{pk}/", {"coefficient": "1.5"}, format="json")
        assert response.status_code == 400
        assert "coefficient" in fields_of(response)
        response = client.patch(f"{GROUPS}{pk}/", {"tasks": [plan["Design"].pk, plan["Training"].pk]}, format="json")
        assert response.status_code == 200
        assert sorted(response.json()["tasks"]) == sorted([plan["Design"].pk, plan["Training"].pk])
        assert client.delete(f"{GROUPS}{pk}/").status_code == 204

    def test_access_viewer_403_on_write_outsider_404(self, plan, owner, member, outsider, project, api_for):
        rng = duration_range_create(
            actor=owner, project=project, branch=None, low_percent=Decimal(5), high_percent=Decimal(9)
        )
        assert api_for(member).get(f"{RANGES}{rng.pk}/").status_code == 200
        assert api_for(member).patch(f"{RANGES}{rng.pk}/", {"high_percent": "10"}, format="json").status_code == 403
        response = api_for(member).post(
            RANGES, {"project": project.pk, "low_percent": "1", "high_percent": "2"}, format="json"
        )
        assert response.status_code in (400, 403)
        assert api_for(outsider).get(f"{RANGES}{rng.pk}/").status_code == 404
        assert api_for(outsider).get(RANGES).json()["results"] == []

    def test_list_query_counts_do_not_grow(self, plan, owner, project, api_for, django_assert_max_num_queries):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = api_for(owner)
        tasks = [plan["Design"], plan["Build"]]
        correlation_group_create(actor=owner, project=project, name="G0", coefficient=Decimal("0.5"), tasks=tasks)
        duration_range_create(
            actor=owner, project=project, branch=None, low_percent=Decimal(1), high_percent=Decimal(2)
        )
        with CaptureQueriesContext(connection) as groups_first:
            client.get(GROUPS)
        with CaptureQueriesContext(connection) as ranges_first:
            client.get(RANGES)
        for n in range(1, 6):
            correlation_group_create(
                actor=owner, project=project, name=f"G{n}", coefficient=Decimal("0.5"), tasks=tasks
            )
        duration_range_create(
            actor=owner, project=project, branch=plan["Phase 1"], low_percent=Decimal(1), high_percent=Decimal(2)
        )
        with django_assert_max_num_queries(len(groups_first)):
            assert len(client.get(GROUPS).json()["results"]) == 6
        with django_assert_max_num_queries(len(ranges_first)):
            assert len(client.get(RANGES).json()["results"]) == 2
