"""The portfolio optimiser (planning.optimiser): pure maths, no database."""

import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest

from planning.optimiser import Candidate, Limits, optimise
from tests.planning.brute import brute_force_optimum, plan_violations, random_portfolio

D = Decimal
MONTHS = tuple(f"2027-{m:02d}" for m in range(1, 13))
YEAR = ("FY2027",) * 12


def limits(*, cap=None, dev=None, **kwargs) -> Limits:
    return Limits(
        month_fiscal_year=YEAR,
        budget_cap={"FY2027": D(cap)} if cap is not None else {},
        capacity={"Developer": (D(dev),) * 12} if dev is not None else {},
        month_labels=MONTHS,
        **kwargs,
    )


def project(key, value, cost=(), dev=(), starts=(0,), **kwargs) -> Candidate:
    return Candidate(
        key=key,
        label=f"Project {key}",
        value=D(value),
        cost=tuple(D(c) for c in cost),
        demand={"Developer": tuple(D(d) for d in dev)} if dev else {},
        starts=tuple(starts),
        **kwargs,
    )


@pytest.mark.parametrize("seed", range(300))
def test_value_equals_brute_force_optimum(seed):
    candidates, horizon = random_portfolio(seed)
    best = brute_force_optimum(candidates, horizon)
    plan = optimise(candidates, horizon, time_limit_s=20, workers=1)
    if best is None:
        assert plan.status == "infeasible"
        assert plan.infeasible_reason
        return
    assert plan.status == "optimal"
    assert plan.value == best
    assert plan.bound == best
    assert plan_violations(candidates, horizon, plan.starts) == []
    assert set(plan.starts) | set(plan.excluded) == {c.key for c in candidates}
    assert not set(plan.starts) & set(plan.excluded)
    assert all(plan.excluded.values())


def test_capacity_bound_plan_shifts_starts_rather_than_dropping_projects():
    """Three two-month projects, each needing both developers, all wanting to start in January:
    one month at a time fits, so the optimiser staggers them instead of dropping two."""
    candidates = [project(k, 10, cost=(5, 5), dev=(2, 2), starts=range(6), current_start=0) for k in "ABC"]
    plan = optimise(candidates, limits(cap=100, dev=2))
    assert plan.status == "optimal"
    assert set(plan.starts) == {"A", "B", "C"}
    assert plan.value == 30
    first, second, third = sorted(plan.starts.values())
    assert first == 0
    assert second >= 2
    assert third >= second + 2
    assert len(plan.shifted) == 2  # one keeps January: no shift without a gain
    assert all(old == 0 and new > 0 for old, new in plan.shifted.values())
    assert plan.excluded == {}
    tight = [b for b in plan.binding if b.kind == "capacity" and not b.near]
    assert len(tight) == 6
    assert all(b.used == b.limit == 2 for b in tight)


def test_no_shift_when_todays_start_is_as_good():
    candidates = [project("A", 10, cost=(5,), starts=range(6), current_start=3)]
    plan = optimise(candidates, limits(cap=100))
    assert plan.starts == {"A": 3}
    assert plan.shifted == {}


def test_mandatory_projects_over_the_budget_cap_are_infeasible_with_the_amount():
    candidates = [
        project("A", 5, cost=(60_000,), starts=(0, 1), mandatory=True),
        project("B", 5, cost=(60_000,), mandatory=True),
        project("C", 50, cost=(1,)),
    ]
    plan = optimise(candidates, limits(cap=100_000))
    assert plan.status == "infeasible"
    assert plan.starts == {}
    assert "FY2027's budget cap of €100,000 by €20,000" in plan.infeasible_reason
    assert "mandatory" in plan.infeasible_reason


def test_mandatory_projects_over_capacity_are_infeasible_naming_role_and_months():
    candidates = [
        project("A", 5, dev=(2, 2, 2), mandatory=True),
        project("B", 5, dev=(1, 1), starts=(1,), mandatory=True),
    ]
    plan = optimise(candidates, limits(dev=2))
    assert plan.status == "infeasible"
    assert "Developer capacity" in plan.infeasible_reason
    assert "2027-02..2027-03" in plan.infeasible_reason


def test_mandatory_projects_that_cannot_be_combined_are_infeasible_naming_the_budget_year():
    """Each fits the cap at its cheapest start on its own terms, but not together in any order:
    the lower-bound check passes and the small re-solve names the year."""
    year_split = Limits(
        month_fiscal_year=("FY2027",) * 6 + ("FY2028",) * 6, budget_cap={"FY2027": D(100), "FY2028": D(100)}
    )
    candidates = [
        project("A", 5, cost=(60,) * 6, starts=(0, 6), mandatory=True),
        project("B", 5, cost=(60,) * 6, starts=(0, 6), mandatory=True),
        project("C", 5, cost=(60,) * 6, starts=(0, 6), mandatory=True),
    ]
    plan = optimise(candidates, year_split)
    assert plan.status == "infeasible"
    assert "cannot" in plan.infeasible_reason
    assert "budget cap" in plan.infeasible_reason


def test_mandatory_projects_in_one_exclusive_group_are_infeasible():
    candidates = [
        project("A", 5, mandatory=True, exclusive="vendor"),
        project("B", 5, mandatory=True, exclusive="vendor"),
    ]
    plan = optimise(candidates, limits())
    assert plan.status == "infeasible"
    assert "mutually exclusive" in plan.infeasible_reason
    assert "'vendor'" in plan.infeasible_reason


def test_reason_needs_a_project_not_selected_and_that_ones_own_reason():
    candidates = [
        project("A", 10, cost=(10,), requires=("B",)),
        project("B", 10, cost=(150,), starts=(0, 1)),
    ]
    plan = optimise(candidates, limits(cap=100))
    assert plan.starts == {}
    assert plan.excluded["A"] == "needs Project B (B), which is not selected"
    assert plan.excluded["B"] == "on its own, would exceed the FY2027 budget cap by €50 in every allowed start month"
    assert any(b.kind == "dependency" and b.key == "A needs B" for b in plan.binding)


def test_reason_required_project_starts_too_late():
    candidates = [
        project("A", 10, starts=(0, 1, 2), requires=("B",)),
        project("B", 10, starts=(3,)),
    ]
    plan = optimise(candidates, limits())
    assert plan.starts == {"B": 3}
    assert plan.excluded["A"] == (
        "needs Project B (B), which starts in 2027-04, after every allowed start of this project"
    )


def test_dependent_starts_no_earlier_than_what_it_requires():
    candidates = [
        project("A", 10, starts=(0, 1, 2, 3), current_start=0, requires=("B",)),
        project("B", 10, starts=(2, 3), current_start=2),
    ]
    plan = optimise(candidates, limits())
    assert plan.starts["B"] == 2  # kept at today's start
    assert plan.starts["A"] >= 2
    assert plan.shifted == {"A": (0, plan.starts["A"])}


def test_reason_mutually_exclusive_with_the_chosen_higher_score():
    candidates = [project("E", 3, exclusive="vendor"), project("F", 4, exclusive="vendor")]
    plan = optimise(candidates, limits())
    assert plan.starts == {"F": 0}
    assert plan.excluded["E"] == "mutually exclusive with Project F (F) (chosen, higher score 4 vs 3)"
    assert [(b.kind, b.key) for b in plan.binding] == [("exclusive", "vendor")]


def test_reason_mutually_exclusive_with_a_lower_score_that_fits_better():
    """F scores more than E but shares the budget with G; E and G together beat F alone."""
    candidates = [
        project("E", 3, cost=(10,), exclusive="vendor"),
        project("F", 4, cost=(90,), exclusive="vendor"),
        project("G", 5, cost=(90,)),
    ]
    plan = optimise(candidates, limits(cap=100))
    assert plan.starts == {"E": 0, "G": 0}
    assert plan.excluded["F"] == (
        "mutually exclusive with Project E (E) (chosen: its score is 3 vs 4, but the plan with it scores more)"
    )


def test_reason_capacity_exceeded_at_its_only_start():
    candidates = [project("A", 10, dev=(1, 3, 3, 3, 1), starts=(1,))]
    plan = optimise(candidates, limits(dev=2))
    assert plan.excluded["A"] == (
        "on its own, Developer capacity exceeded in 2027-03..2027-05 (by up to 1 FTE) at its only allowed start"
    )


def test_reason_capacity_exceeded_at_every_start():
    candidates = [project("A", 10, dev=(3, 3), starts=(0, 5))]
    plan = optimise(candidates, limits(dev=2))
    assert plan.excluded["A"] == (
        "on its own, Developer capacity exceeded at every allowed start (at best in 2027-01..2027-02 (by up to 1 FTE))"
    )


def test_reason_budget_buys_more_score_elsewhere():
    candidates = [project("A", 10, cost=(80,)), project("B", 8, cost=(50,)), project("C", 8, cost=(50,))]
    plan = optimise(candidates, limits(cap=100))
    assert set(plan.starts) == {"B", "C"}
    assert plan.excluded["A"] == (
        "fits on its own, but the FY2027 budget it needs buys more score elsewhere "
        "(score per €1 0.12 vs 0.16 for the lowest chosen, Project B)"
    )
    budget = next(b for b in plan.binding if b.kind == "budget")
    assert (budget.key, budget.used, budget.limit, budget.slack, budget.near) == (
        "FY2027",
        D("100.00"),
        D("100.00"),
        D("0.00"),
        False,
    )


def test_reason_budget_taken_by_a_better_mix_despite_a_higher_ratio():
    """A has the best score per euro, but B and C fill the cap exactly for more in total."""
    candidates = [project("A", 9, cost=(60,)), project("B", 7, cost=(50,)), project("C", 7, cost=(50,))]
    plan = optimise(candidates, limits(cap=100))
    assert set(plan.starts) == {"B", "C"}
    assert plan.excluded["A"] == (
        "fits on its own, but not beside the chosen projects: the FY2027 budget would be exceeded by €60, "
        "and in the optimal plan the chosen projects together score more than any mix including it "
        "(its score per €1: 0.15)"
    )


def test_reason_capacity_taken_by_projects_scoring_more():
    candidates = [
        project("A", 5, dev=(2, 2), starts=(0, 1)),
        project("B", 4, dev=(1, 1, 1)),
        project("C", 4, dev=(1, 1, 1), starts=(0, 1)),
    ]
    plan = optimise(candidates, limits(dev=2))
    assert set(plan.starts) == {"B", "C"}
    assert plan.excluded["A"].startswith(
        "fits on its own, but the Developer capacity it needs in 2027-01..2027-02 is taken by chosen projects "
        "that together score more in the optimal plan (short by up to 2 FTE)"
    )


def test_mandatory_project_on_a_binding_budget_is_reported():
    candidates = [project("M", 1, cost=(60,), mandatory=True), project("B", 8, cost=(40,)), project("C", 9, cost=(50,))]
    plan = optimise(candidates, limits(cap=100))
    assert set(plan.starts) == {"M", "B"}
    assert ("mandatory", "M") in {(b.kind, b.key) for b in plan.binding}


def test_near_binding_budget_is_flagged():
    plan = optimise([project("A", 1, cost=(97,))], limits(cap=100))
    (budget,) = plan.binding
    assert (budget.kind, budget.slack, budget.near) == ("budget", D("3.00"), True)


def test_cost_past_the_horizon_is_not_constrained():
    """Eleven of the twenty months fall past the horizon's end: only the first are capped."""
    plan = optimise([project("A", 1, cost=(10,) * 20, starts=(3,))], limits(cap=90))
    assert plan.starts == {"A": 3}


@pytest.mark.parametrize(
    ("candidate", "message"),
    [
        (project("A", -1), "candidate 'A': value: must be a finite score >= 0"),
        (project("A", 1, starts=(12,)), "candidate 'A': starts: month 12 is outside the horizon 0..11"),
        (project("A", 1, starts=()), "candidate 'A': starts: needs at least one allowed start month"),
        (project("A", 1, cost=(-5,)), "candidate 'A': cost[0]: must be a finite amount >= 0"),
        (project("A", 1, requires=("Z",)), "candidate 'A': requires: unknown candidate key 'Z'"),
        (project("A", 1, current_start=-1), "candidate 'A': current_start: month -1 is outside the horizon"),
    ],
)
def test_invalid_candidate_raises_naming_candidate_and_field(candidate, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        optimise([candidate], limits())


def test_scores_too_large_to_add_exactly_raise():
    with pytest.raises(ValueError, match="candidate 'B': value: the scores are too large"):
        optimise([project("A", 1), project("B", D("1e15") + D("0.000001"))], limits())


def test_cyclic_requires_raise_naming_the_cycle():
    candidates = [
        project("A", 1, requires=("B",)),
        project("B", 1, requires=("C",)),
        project("C", 1, requires=("A",)),
    ]
    with pytest.raises(ValueError, match=r"requires: cyclic dependency (A -> B -> C -> A|B -> C -> A -> B)"):
        optimise(candidates, limits())


def test_capacity_with_the_wrong_number_of_months_raises():
    bad = Limits(month_fiscal_year=YEAR, budget_cap={}, capacity={"Developer": (D(1),) * 11})
    with pytest.raises(ValueError, match=r"limits: capacity\['Developer'\]: has 11 months for a horizon of 12"):
        optimise([project("A", 1)], bad)


def test_amounts_are_scaled_exactly_to_cents_and_hundredths():
    """0.01 over the cap or 0.01 FTE over capacity is enough to exclude a project."""
    over_budget = optimise([project("A", 1, cost=(D("100.01"),))], limits(cap=100))
    over_capacity = optimise([project("A", 1, dev=(D("2.01"),))], limits(dev=2))
    assert over_budget.excluded["A"].endswith("by €0.01 at its only allowed start")
    assert "by up to 0.01 FTE" in over_capacity.excluded["A"]


def test_optimiser_package_is_pure_python():
    """No Django and no Keel app: the scenarios app feeds it plain data."""
    root = Path(__file__).resolve().parents[2] / "planning" / "optimiser"
    allowed = {"planning", "ortools", "numpy", "__future__"}
    stdlib = {"collections", "dataclasses", "decimal", "math", "os", "time", "itertools", "typing", "fractions"}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                assert name.split(".")[0] in allowed | stdlib, f"{path.name} imports {name}"
