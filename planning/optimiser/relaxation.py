"""The linear-programming relaxation of the optimiser's model (GLOP, shipped with OR-Tools).

Each start boolean becomes a fraction in 0..1. Its optimum is an upper bound on the best plan's
value (used beside CP-SAT's own bound), and its values guide the greedy plan that seeds CP-SAT:
on portfolios of thousands of small projects the relaxation is nearly integral, so rounding it
gives a plan within a few percent of the optimum in seconds.
"""

from __future__ import annotations

from collections import defaultdict

from ortools.linear_solver import pywraplp

from planning.optimiser.prepared import Prepared


def lp_relaxation(prep: Prepared, *, time_limit_s: float) -> tuple[float, dict[int, dict[int, float]]] | None:
    """(objective in scaled value units, candidate -> start -> fraction), or None when GLOP finds
    no optimum within the time limit (the caller then goes on without it)."""
    lp = pywraplp.Solver.CreateSolver("GLOP")
    if lp is None:
        return None
    lp.SetTimeLimit(max(1, int(time_limit_s * 1000)))
    # The dual simplex is about five times faster than GLOP's default primal on this model.
    lp.SetSolverSpecificParametersAsString("use_dual_simplex: true")
    infinity = lp.infinity()
    x: dict[int, dict[int, pywraplp.Variable]] = {}
    for i, candidate in enumerate(prep.candidates):
        x[i] = {s: lp.NumVar(0.0, 1.0, "") for s in candidate.starts}
        once = lp.Constraint(1.0 if candidate.mandatory else 0.0, 1.0)
        for var in x[i].values():
            once.SetCoefficient(var, 1.0)
    for i, candidate in enumerate(prep.candidates):
        for required in candidate.requires:
            j = prep.index[required]
            for a, var in x[i].items():
                needs = lp.Constraint(-infinity, 0.0)
                needs.SetCoefficient(var, 1.0)
                for b, other in x[j].items():
                    if b <= a:
                        needs.SetCoefficient(other, -1.0)
    groups: dict[str, list] = defaultdict(list)
    for i, candidate in enumerate(prep.candidates):
        if candidate.exclusive is not None:
            groups[candidate.exclusive].extend(x[i].values())
    for variables in groups.values():
        one = lp.Constraint(0.0, 1.0)
        for var in variables:
            one.SetCoefficient(var, 1.0)
    years = {fy: lp.Constraint(-infinity, float(cap)) for fy, cap in prep.budget_cap.items()}
    months: dict[tuple[str, int], pywraplp.Constraint] = {}
    objective = lp.Objective()
    for i, by_start in x.items():
        for s, var in by_start.items():
            # A bonus of 1e-3 value units for today's start makes the relaxation prefer it among
            # equal choices; the optimum only grows, so it stays an upper bound on the value.
            bonus = 1e-3 if s == prep.candidates[i].current_start else 0.0
            objective.SetCoefficient(var, float(prep.values[i]) + bonus)
            for fiscal_year, cents in prep.cost_by_fy[i][s].items():
                if fiscal_year in years:
                    years[fiscal_year].SetCoefficient(var, float(cents))
            for (role, month), fte in prep.demand_at[i][s].items():
                if (role, month) not in months:
                    months[(role, month)] = lp.Constraint(-infinity, float(prep.capacity[role][month]))
                months[(role, month)].SetCoefficient(var, float(fte))
    objective.SetMaximization()
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    values = {i: {s: var.solution_value() for s, var in by_start.items()} for i, by_start in x.items()}
    return objective.Value(), values
