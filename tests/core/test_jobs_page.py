"""The administrators' jobs page (/admin-tools/jobs/): runs with status, times, progress and
error; filters; 404 for everyone else; the full recompute behind a confirmation."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from core.models import TaskRun
from reporting import tasks as reporting_tasks
from reporting.services import rollups
from reporting.views.jobs import BROKER_DOWN
from tests.conftest import login
from tests.factories.users import UserFactory

Status = TaskRun.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(username="ops", is_staff=True)


def _run(task_id, *, name="reporting.project_recompute", status=Status.SUCCEEDED, **fields):
    queued = timezone.now() - dt.timedelta(minutes=3)
    defaults = {"queued_at": queued, "started_at": queued + dt.timedelta(seconds=2), "attempts": 1}
    if status in (Status.SUCCEEDED, Status.FAILED):
        defaults["finished_at"] = queued + dt.timedelta(seconds=9)
    return TaskRun.objects.create(task_id=task_id, name=name, status=status, **{**defaults, **fields})


@pytest.mark.parametrize("url", ["/admin-tools/jobs/", "/admin-tools/jobs/t1/", "/admin-tools/recompute/"])
def test_people_who_are_not_staff_get_404(url, owner, client):
    _run("t1")
    assert login(owner).get(url).status_code == 404
    assert login(owner).post(url).status_code == 404
    assert client.get(url).status_code == 404


def test_staff_see_runs_with_status_times_progress_and_error(staff):
    _run("ok", label="ERP replacement")
    _run("bad", status=Status.FAILED, error="ValueError: bad row 12\n\nTraceback …")
    _run(
        "long",
        name=reporting_tasks.recompute_all_task.name,
        status=Status.STARTED,
        progress_done=312,
        progress_total=1240,
    )

    page = login(staff).get("/admin-tools/jobs/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "ERP replacement" in html
    assert "Succeeded" in html
    assert "7 s" in html
    assert "ValueError: bad row 12" in html
    assert "Traceback" not in html
    assert "312 of 1,240 summaries" in html
    assert reverse("reporting:recompute-all") in html


def test_filter_by_status_and_task(staff):
    _run("ok")
    _run("bad", status=Status.FAILED, error="boom")
    _run("other", name="core.tasks.ping", status=Status.FAILED, error="boom")
    client = login(staff)

    failed = client.get("/admin-tools/jobs/", {"status": "failed", "name": "reporting.project_recompute"})

    assert [row["run"].task_id for row in failed.context["rows"]] == ["bad"]


def test_an_unknown_filter_is_refused_with_its_name(staff):
    page = login(staff).get("/admin-tools/jobs/", {"colour": "red"})

    assert page.status_code == 400
    assert "colour" in page.content.decode()


def test_a_bad_status_value_is_a_form_error_not_a_500(staff):
    page = login(staff).get("/admin-tools/jobs/", {"status": "exploded"})

    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()


def test_list_query_count_does_not_grow_with_runs(staff, django_assert_max_num_queries):
    client = login(staff)
    for i in range(3):
        _run(f"a{i}")
    client.get("/admin-tools/jobs/")  # warm the session
    with django_assert_max_num_queries(6) as few:
        client.get("/admin-tools/jobs/")
    for i in range(30):
        _run(f"b{i}", status=Status.FAILED, error="x")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/admin-tools/jobs/")


def test_a_running_job_polls_every_two_seconds_and_a_finished_one_stops(staff):
    _run("long", name=reporting_tasks.recompute_all_task.name, status=Status.STARTED, progress_done=3, progress_total=4)
    _run("done")
    client = login(staff)

    running = client.get("/admin-tools/jobs/long/", headers={"HX-Request": "true"})
    finished = client.get("/admin-tools/jobs/done/", headers={"HX-Request": "true"})

    assert 'hx-trigger="every 2s"' in running.content.decode()
    assert '<progress max="100" value="75"' in running.content.decode()
    assert "3 of 4 summaries" in running.content.decode()
    assert "<html" not in running.content.decode()  # the partial only
    assert "hx-trigger" not in finished.content.decode()


def test_recompute_everything_asks_first_then_runs_and_shows_its_run(
    staff, monkeypatch, django_capture_on_commit_callbacks
):
    def fake_recompute_all(*, progress):
        progress(2, 2)
        return {"projects": 2}

    monkeypatch.setattr(rollups, "recompute_all", fake_recompute_all, raising=False)
    client = login(staff)

    confirm = client.get("/admin-tools/recompute/")
    assert confirm.status_code == 200
    assert "Start the full recompute" in confirm.content.decode()
    assert not TaskRun.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin-tools/recompute/")

    run = TaskRun.objects.get(name="reporting.recompute_all_task")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:taskrun-detail", args=[run.task_id])
    assert run.status == Status.SUCCEEDED


@pytest.mark.django_db(transaction=True)  # the view's on_commit runs at once, as in production
def test_recompute_everything_with_the_broker_down_says_nothing_started(staff, monkeypatch):
    def down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(reporting_tasks.recompute_all_task, "apply_async", down)

    response = login(staff).post("/admin-tools/recompute/", follow=True)

    assert response.status_code == 200
    assert BROKER_DOWN in response.content.decode()
    assert not TaskRun.objects.exists()


def test_the_admin_lists_task_runs_read_only(staff, admin_client):
    run = _run("ok", label="ERP replacement")

    listing = admin_client.get("/admin/core/taskrun/")
    detail = admin_client.get(f"/admin/core/taskrun/{run.pk}/change/")

    assert listing.status_code == 200
    assert "ERP replacement" in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
