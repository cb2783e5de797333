"""The portfolio optimiser: which candidates to start, and when, for the most total score.

One boolean per (candidate, allowed start month); CP-SAT (OR-Tools) maximises the sum of the
selected candidates' values subject to:

- each candidate starts at most once (exactly once when mandatory);
- a budget cap per fiscal year on the cost falling in that year's months;
- a capacity per role and month on the FTE demand falling in that month;
- "A requires B": A starts in month a only if B starts in some month <= a;
- at most one candidate per exclusive group.

Money is scaled to integer cents and FTE to hundredths of an FTE (see `prepared`); cost or demand
falling past the horizon's end is not constrained.
"""

from __future__ import annotations

import math
import os
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from ortools.sat.python import cp_model

from planning.optimiser.explain import binding_constraints, excluded_reasons, infeasible_reason
from planning.optimiser.greedy import fill_plan, greedy_plan
from planning.optimiser.model import (
    STATUS_FEASIBLE,
    STATUS_INFEASIBLE,
    STATUS_NO_SOLUTION,
    STATUS_OPTIMAL,
    Candidate,
    Limits,
    Plan,
)
from planning.optimiser.prepared import Prepared, prepare
from planning.optimiser.relaxation import lp_relaxation


def _reduced(terms: list[tuple[cp_model.IntVar, int]], cap: int) -> tuple[list, list[int], int]:
    """Divide a <= constraint by the gcd of its coefficients (exact: the left side is a multiple of it)."""
    divisor = 0
    for _, coefficient in terms:
        divisor = math.gcd(divisor, coefficient)
    divisor = divisor or 1
    return [v for v, _ in terms], [c // divisor for _, c in terms], cap // divisor


def build_model(
    prep: Prepared,
    *,
    members: Iterable[int] | None = None,
    budgets: Iterable[str] | None = None,
    roles: Iterable[str] | None = None,
    objective: bool = True,
) -> tuple[cp_model.CpModel, dict[int, dict[int, cp_model.IntVar]]]:
    """The CP-SAT model over `members` (all candidates by default), with the budget caps of
    `budgets` and the capacities of `roles` (all by default); the diagnostics drop some of them."""
    model = cp_model.CpModel()
    members = list(range(len(prep.candidates))) if members is None else sorted(set(members))
    member_set = set(members)
    x: dict[int, dict[int, cp_model.IntVar]] = {}
    for i in members:
        candidate = prep.candidates[i]
        x[i] = {s: model.new_bool_var(f"x_{i}_{s}") for s in candidate.starts}
        if candidate.mandatory:
            model.add_exactly_one(x[i].values())
        elif len(x[i]) > 1:
            model.add_at_most_one(x[i].values())

    for i in members:
        for required in prep.candidates[i].requires:
            j = prep.index[required]
            for a, var in x[i].items():
                earlier = [v for b, v in x.get(j, {}).items() if b <= a] if j in member_set else []
                if earlier:
                    model.add(var <= sum(earlier))
                else:
                    model.add(var == 0)

    groups: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for i in members:
        if prep.candidates[i].exclusive is not None:
            groups[prep.candidates[i].exclusive].extend(x[i].values())
    for variables in groups.values():
        if len(variables) > 1:
            model.add_at_most_one(variables)

    capped_years = prep.budget_cap if budgets is None else {fy: prep.budget_cap[fy] for fy in budgets}
    year_terms: dict[str, list] = defaultdict(list)
    for i in members:
        for s, var in x[i].items():
            for fiscal_year, cents in prep.cost_by_fy[i][s].items():
                if fiscal_year in capped_years:
                    year_terms[fiscal_year].append((var, cents))
    for fiscal_year, terms in year_terms.items():
        variables, coefficients, cap = _reduced(terms, capped_years[fiscal_year])
        model.add(cp_model.LinearExpr.weighted_sum(variables, coefficients) <= cap)

    capped_roles = set(prep.capacity if roles is None else roles)
    month_terms: dict[tuple[str, int], list] = defaultdict(list)
    for i in members:
        for s, var in x[i].items():
            for (role, month), fte in prep.demand_at[i][s].items():
                if role in capped_roles:
                    month_terms[(role, month)].append((var, fte))
    for (role, month), terms in month_terms.items():
        variables, coefficients, cap = _reduced(terms, prep.capacity[role][month])
        model.add(cp_model.LinearExpr.weighted_sum(variables, coefficients) <= cap)

    if objective:
        # Lexicographic: value first, then (worth less than one value unit in total) the number
        # of projects kept at today's start, so no project is shifted without a gain in value.
        weight = stay_weight(prep)
        variables, coefficients = [], []
        for i in members:
            current = prep.candidates[i].current_start
            for s, var in x[i].items():
                coefficient = prep.values[i] * weight + (1 if s == current and weight > 1 else 0)
                if coefficient:
                    variables.append(var)
                    coefficients.append(coefficient)
        model.maximize(cp_model.LinearExpr.weighted_sum(variables, coefficients))
    return model, x


def stay_weight(prep: Prepared) -> int:
    """What one value unit weighs in the objective: more than every project kept at its start.

    1 (no preference for today's start) when the weighted objective could pass 2**53, where
    CP-SAT's floating-point bound stops being exact."""
    weight = 1 + sum(1 for c in prep.candidates if c.current_start in c.starts)
    return weight if (sum(prep.values) + 1) * weight < 2**53 else 1


def default_workers() -> int:
    """CP-SAT's portfolio of search workers, bounded by the machine's cores (at least one)."""
    return max(1, min(8, os.cpu_count() or 1))


def solve_model(
    model: cp_model.CpModel, *, time_limit_s: float, seed: int = 0, workers: int = 1
) -> tuple[cp_model.CpSolver, int]:
    """Solve with a time limit; returns the solver (for values and bound) and CP-SAT's status."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, float(time_limit_s))
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    return solver, solver.solve(model)


def optimise(
    candidates: Sequence[Candidate],
    limits: Limits,
    *,
    time_limit_s: float = 60.0,
    seed: int = 0,
    workers: int | None = None,
    explain: bool = True,
) -> Plan:
    """Choose the candidates and start months that maximise total value within the limits.

    Raises ValueError for invalid input (naming the candidate and field). `time_limit_s` bounds
    the whole call: building, the LP relaxation, CP-SAT (what is left minus 15 %), the fill pass
    and the explanations; CP-SAT is always given at least one second, and explaining an
    infeasible plan adds small solves of the mandatory set (up to 10 s each);
    `seed` and `workers` (CP-SAT search workers; the machine's cores by default) are passed to
    CP-SAT. With `explain` False, `excluded` reasons and `binding` are left empty.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    mark = [started]

    def lap(phase: str) -> None:
        now = time.perf_counter()
        timings[phase] = timings.get(phase, 0.0) + now - mark[0]
        mark[0] = now

    prep = prepare(candidates, limits)
    workers = workers or default_workers()
    model, x = build_model(prep)
    lap("build")
    # Seed CP-SAT with the better of two greedy plans: by density, and rounding the LP relaxation
    # (GLOP, up to a quarter of the time). Both respect every constraint but may leave a
    # mandatory project out, in which case CP-SAT repairs the hint.
    relaxation = lp_relaxation(prep, time_limit_s=time_limit_s / 4)
    lap("relaxation")
    hints = [greedy_plan(prep)] + ([greedy_plan(prep, relaxation[1])] if relaxation else [])
    hint = max(hints, key=lambda plan: sum(prep.values[prep.index[k]] for k in plan))
    hint_valid = all(c.key in hint for c in prep.candidates if c.mandatory)
    for i, by_start in x.items():
        for s, var in by_start.items():
            model.add_hint(var, hint.get(prep.candidates[i].key) == s)
    lap("greedy")
    # Keep 15 % of the time for filling a time-limited plan and the explanations (about a second
    # of CPU for 2,000 candidates, several times that in wall time on a busy machine).
    remaining = time_limit_s - (time.perf_counter() - started) - time_limit_s * 0.15
    solver, status = solve_model(model, time_limit_s=max(remaining, 1.0), seed=seed, workers=workers)
    lap("cp-sat")

    if status == cp_model.MODEL_INVALID:  # a bug in build_model, never the caller's input
        raise RuntimeError(f"CP-SAT rejected the model: {model.validate()}")
    if status == cp_model.INFEASIBLE:
        reason = infeasible_reason(prep, build_model=build_model, solve_model=solve_model, workers=workers)
        return Plan(
            status=STATUS_INFEASIBLE,
            solver_status=solver.status_name(status),
            value=Decimal(0),
            excluded={c.key: "not planned: the limits cannot all be met (see the reason)" for c in candidates},
            infeasible_reason=reason,
            solve_seconds=time.perf_counter() - started,
        )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and not hint_valid:
        return Plan(
            status=STATUS_NO_SOLUTION,
            solver_status=solver.status_name(status),
            value=Decimal(0),
            excluded={c.key: "not planned: no plan was found within the time limit" for c in candidates},
            solve_seconds=time.perf_counter() - started,
        )

    starts: dict[str, int] = {}
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for i, by_start in x.items():
            for s, var in by_start.items():
                if solver.boolean_value(var):
                    starts[prep.candidates[i].key] = s
    if status != cp_model.OPTIMAL:
        # Stopped by the time limit: add whatever still fits, and keep the greedy plan if better.
        starts = fill_plan(prep, starts) if starts else {}
        if hint_valid and sum(prep.values[prep.index[k]] for k in hint) > sum(
            prep.values[prep.index[k]] for k in starts
        ):
            starts = hint
        lap("fill")
    value = sum((Decimal(prep.candidates[prep.index[k]].value) for k in starts), Decimal(0))
    shifted = {
        key: (prep.candidates[prep.index[key]].current_start, start)
        for key, start in starts.items()
        if prep.candidates[prep.index[key]].current_start not in (None, start)
    }
    plan_status = STATUS_OPTIMAL if status == cp_model.OPTIMAL else STATUS_FEASIBLE
    bounds = []
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and math.isfinite(solver.best_objective_bound):
        bounds.append(math.floor(solver.best_objective_bound / stay_weight(prep) + 1e-9))
    if relaxation is not None:
        # GLOP works in floating point: allow a relative 1e-6 before trusting its bound.
        bounds.append(math.ceil(relaxation[0] * (1 + 1e-6) + 1e-6))
    bound = Decimal(min(bounds)) / prep.value_scale if bounds else None
    plan = Plan(
        status=plan_status,
        value=value,
        starts=starts,
        shifted=shifted,
        bound=max(bound, value) if bound is not None else None,
        solver_status=solver.status_name(status),
    )
    if explain:
        plan.excluded = excluded_reasons(prep, starts, optimal=plan_status == STATUS_OPTIMAL)
        plan.binding = binding_constraints(prep, starts, plan.excluded)
        lap("explain")
    else:
        plan.excluded = {c.key: "" for c in candidates if c.key not in starts}
    plan.solve_seconds = time.perf_counter() - started
    plan.timings = timings
    return plan
