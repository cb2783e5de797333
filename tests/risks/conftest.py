"""Fixtures of the risks tests: an API client maker and a second project in the cast's program."""

from decimal import Decimal

import pytest

from tests.factories.projects import ProjectFactory


@pytest.fixture
def other_project(program):
    """A second project of MOD that the cast's project manager and member do not belong to."""
    return ProjectFactory(
        program=program,
        code="MOD-CRM",
        name="CRM",
        contingency_reserve=Decimal("50000"),
        management_reserve=Decimal("0"),
    )


@pytest.fixture(autouse=True)
def _close_progress_connection():
    """A run executed inside a test's transaction reports progress through core.taskruns' side
    connection; close it after the test so the test database can be dropped."""
    yield
    from core import taskruns

    side = getattr(taskruns._local, "side", None)
    if side is not None:
        side.close()
        taskruns._local.side = None


@pytest.fixture
def engine():
    """The analysis tests run the real Monte Carlo engine (projects.scheduling.montecarlo); this
    fixture names the dependency and checks it is there."""
    from projects.scheduling import montecarlo

    assert "NotImplementedError" not in montecarlo.simulate.__code__.co_names
    return True


@pytest.fixture
def run_for(django_capture_on_commit_callbacks):
    """`run_for(user, **kwargs)` requests an analysis run (200 iterations unless told) and runs
    it as after commit (eager Celery)."""
    from risks.services.analysis import analysis_run_request

    def run(user, **kwargs):
        kwargs.setdefault("iterations", 200)
        with django_capture_on_commit_callbacks(execute=True):
            found = analysis_run_request(user=user, **kwargs)
        found.refresh_from_db()
        return found

    return run
