"""The staffing stage of the demo at `small`."""

from datetime import date

import pytest

from demo.planning import CODE_PREFIX as PROPOSAL
from demo.seed import demo_seed
from portfolio.models import Program
from projects.models import Project
from staffing.models import Absence, Allocation, CostRate, Person, Role, StaffingRequest
from staffing.selectors import conflicts, staffing_gaps

TODAY = date(2026, 11, 26)

pytestmark = pytest.mark.django_db


def test_small_demo_staffs_every_project_with_visible_problems():
    result = demo_seed(scale="small", seed=1, today=TODAY, history=False)
    assert result.counts["people"] == Person.objects.count() >= 40
    assert Role.objects.count() == 8
    assert CostRate.objects.exists()
    assert Absence.objects.exists()
    # Every project the project stages built (the planning stage's proposals are not staffed yet).
    built = Project.objects.exclude(code__startswith=PROPOSAL)
    assert not built.exclude(pk__in=Allocation.objects.values("project_id")).exists()
    statuses = set(StaffingRequest.objects.values_list("status", flat=True))
    assert {"open", "filled"} <= statuses
    assert Person.objects.filter(user__username="team_member").exists()
    assert Person.objects.filter(weekly_capacity_hours=0, allocations__isnull=False).exists()
    program = Program.objects.get(manager__username="program_manager")
    people = Person.objects.filter(allocations__project__program=program).distinct()
    over = conflicts(list(people), start=TODAY, weeks=12)
    assert len(over) >= 3
    assert staffing_gaps(Project.objects.filter(program=program)).open_requests
