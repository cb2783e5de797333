"""The planning tests' shared cast: a small portfolio world (tests.factories.planning) and a draft
scenario over 2027 on it, made by the portfolio admin."""

import datetime as dt

import pytest

from planning.services import scenario_create
from tests.factories.planning import planning_world


@pytest.fixture
def world(program, portfolio_admin):
    return planning_world(program, actor=portfolio_admin)


@pytest.fixture
def scenario(world, portfolio_admin):
    return scenario_create(
        actor=portfolio_admin,
        portfolio=world.portfolio,
        name="Plan 2027",
        horizon_start=dt.date(2027, 1, 1),
        horizon_months=12,
    )
