"""The beat sweep re-enqueues every roll-up that is missing, stale or of an earlier day, unless
one is already waiting; a fixed number of queries whatever the number of rows."""

import datetime as dt
from contextlib import ExitStack
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.changes import current_versions, inputs_changed
from reporting import tasks
from reporting.models import PortfolioRollup, ProgramRollup, ProjectRollup
from reporting.services import enqueue
from reporting.services.sweep import behind_ids, rollups_sweep
from tests.factories.projects import ProjectFactory


@pytest.fixture
def sent():
    """The recompute messages sent, by kind (the broker is mocked)."""
    calls = {"project": [], "program": [], "portfolio": []}
    with ExitStack() as stack:
        for kind in calls:
            task = getattr(tasks, f"{kind}_recompute")
            fake = stack.enter_context(mock.patch.object(task, "apply_async"))
            fake.side_effect = lambda args, kind=kind, **_: calls[kind].append(args[0])
        yield calls


def current(project, **fields) -> ProjectRollup:
    """A roll-up up to date: the source's version, computed today, nobody waiting."""
    values = {
        "input_version": current_versions("project", [project.pk])[project.pk],
        "computed_at": timezone.now(),
        "as_of": timezone.localdate(),
        "enqueued_at": None,
        **fields,
    }
    rollup, _ = ProjectRollup.objects.update_or_create(project=project, defaults=values)
    return rollup


@pytest.mark.django_db
def test_missing_stale_and_yesterdays_rollups_are_enqueued_current_ones_are_not(program, sent):
    missing = ProjectFactory(program=program)
    up_to_date = ProjectFactory(program=program)
    current(up_to_date)
    stale = ProjectFactory(program=program)
    current(stale)
    inputs_changed(projects=[stale])
    yesterday = ProjectFactory(program=program)
    current(yesterday, as_of=timezone.localdate() - dt.timedelta(days=1))
    never_computed = ProjectFactory(program=program)
    current(never_computed, computed_at=None)

    result = rollups_sweep()

    expected = sorted([missing.pk, stale.pk, yesterday.pk, never_computed.pk])
    assert sorted(sent["project"]) == expected
    assert result["project"] == {"behind": 4, "enqueued": 4}
    assert ProjectRollup.objects.get(project=missing).enqueued_at is not None  # claimed
    assert sent["program"] == [program.pk]  # no program roll-up yet either
    assert result["portfolio"]["enqueued"] == 1


@pytest.mark.django_db
def test_a_waiting_rollup_is_left_alone_until_its_mark_is_presumed_lost(project, sent):
    now = timezone.now()
    current(project, input_version=0, enqueued_at=now - dt.timedelta(minutes=1))
    assert behind_ids("project") == []
    ProjectRollup.objects.filter(project=project).update(enqueued_at=now - enqueue.REENQUEUE_AFTER - dt.timedelta(1))
    rollups_sweep()
    assert sent["project"] == [project.pk]


@pytest.mark.django_db
def test_a_second_sweep_sends_nothing_while_the_first_messages_wait(project, sent):
    rollups_sweep()
    rollups_sweep()
    assert sent["project"] == [project.pk]


@pytest.mark.django_db
def test_broker_down_releases_the_claim_for_the_next_sweep(project):
    with mock.patch.object(tasks.project_recompute, "apply_async", side_effect=ConnectionError("no broker")):
        result = rollups_sweep()
    assert result["project"] == {"behind": 1, "enqueued": 0}
    assert ProjectRollup.objects.get(project=project).enqueued_at is None
    assert behind_ids("project") == [project.pk]


@pytest.mark.django_db
def test_sweep_query_count_does_not_grow_with_rows(program, sent):
    def queries(n: int) -> int:
        for model in (ProjectRollup, ProgramRollup, PortfolioRollup):
            model.objects.all().delete()  # every level behind again, as on the first call
        for _ in range(n):
            ProjectFactory(program=program)
        with CaptureQueriesContext(connection) as ctx:
            rollups_sweep()
        return len(ctx)

    assert queries(2) == queries(12)


@pytest.mark.django_db
def test_the_task_runs_the_sweep(project, sent):
    assert tasks.rollups_sweep()["project"]["enqueued"] == 1
    assert sent["project"] == [project.pk]
