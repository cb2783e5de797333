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


def _engine_is_built() -> bool:
    from projects.scheduling import montecarlo

    return "NotImplementedError" not in (montecarlo.simulate.__code__.co_names or ())


@pytest.fixture
def engine(monkeypatch):
    """The Monte Carlo engine the analysis service calls: the real one once it is built, until
    then tests/risks/fake_montecarlo.py (the contract, by brute force over the CPM engine).
    Returns True when the real engine runs."""
    if _engine_is_built():
        return True
    from projects.scheduling import montecarlo

    from .fake_montecarlo import simulate

    monkeypatch.setattr(montecarlo, "simulate", simulate)
    return False
