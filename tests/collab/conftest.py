"""collab fixtures: a stage gate of `project` to discuss."""

import pytest

from tests.factories.governance import StageGateFactory


@pytest.fixture
def gate(project):
    return StageGateFactory(project=project, name="Into planning")
