"""Why the plan looks as it does: reasons for each excluded candidate, the binding constraints,
and what makes an infeasible mandatory set infeasible.

Every sentence states a fact computed here from the plan and the limits (a per-candidate check
against the full caps and against what the selected projects leave), never a guess. The checks
are per candidate and per start month, so they stay fast at thousands of candidates.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from ortools.sat.python import cp_model

from planning.optimiser.model import (
    BINDING_BUDGET,
    BINDING_CAPACITY,
    BINDING_DEPENDENCY,
    BINDING_EXCLUSIVE,
    BINDING_MANDATORY,
    Binding,
)
from planning.optimiser.prepared import FTE_UNIT, MONEY_UNIT, Prepared

TIGHT_SHARE = Decimal("0.001")
"""A constraint is binding when its slack is at most 0.1 % of its limit (or zero)."""
NEAR_SHARE = Decimal("0.05")
"""... and near-binding (reported with near=True) when its slack is at most 5 % of its limit."""
DIAGNOSTIC_SECONDS = 10.0
"""Time limit of each small solve that explains an infeasible mandatory set."""

ANY_STARTS = "any combination of their allowed starts"

Usage = tuple[dict[str, int], dict[tuple[str, int], int]]


def money(prep: Prepared, cents: int) -> str:
    amount = Decimal(cents) * MONEY_UNIT
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{prep.limits.currency}{text}"


def fte(hundredths: int) -> str:
    return f"{(Decimal(hundredths) * FTE_UNIT).normalize():f} FTE"


def month_ranges(prep: Prepared, months: list[int]) -> str:
    """Consecutive months as ranges: "2027-03..2027-05, 2027-08"."""
    months = sorted(set(months))
    parts: list[str] = []
    run_start = previous = None
    for month in [*months, None]:
        if run_start is not None and month != previous + 1:
            first, last = prep.month_label(run_start), prep.month_label(previous)
            parts.append(first if run_start == previous else f"{first}..{last}")
            run_start = None
        if run_start is None:
            run_start = month
        previous = month
    return ", ".join(parts)


def usage(prep: Prepared, starts: dict[str, int]) -> Usage:
    """Cents per fiscal year and hundredths of FTE per (role, month) the selected starts use."""
    spent: dict[str, int] = defaultdict(int)
    busy: dict[tuple[str, int], int] = defaultdict(int)
    for key, start in starts.items():
        i = prep.index[key]
        for fiscal_year, cents in prep.cost_by_fy[i][start].items():
            spent[fiscal_year] += cents
        for role_month, hundredths in prep.demand_at[i][start].items():
            busy[role_month] += hundredths
    return spent, busy


def violations(
    prep: Prepared, i: int, start: int, used: Usage | None
) -> tuple[dict[str, int], dict[str, dict[int, int]]]:
    """What candidate i started in `start` would overrun, beside `used` (None: on its own):
    ({fiscal year: cents over}, {role: {month: hundredths over}})."""
    spent, busy = used if used is not None else ({}, {})
    over_budget = {}
    for fiscal_year, cents in prep.cost_by_fy[i][start].items():
        cap = prep.budget_cap.get(fiscal_year)
        if cap is not None and spent.get(fiscal_year, 0) + cents > cap:
            over_budget[fiscal_year] = spent.get(fiscal_year, 0) + cents - cap
    over_capacity: dict[str, dict[int, int]] = defaultdict(dict)
    for (role, month), hundredths in prep.demand_at[i][start].items():
        total = busy.get((role, month), 0) + hundredths
        if total > prep.capacity[role][month]:
            over_capacity[role][month] = total - prep.capacity[role][month]
    return over_budget, dict(over_capacity)


def _nowhere_sentence(prep: Prepared, i: int, starts: list[int], found: dict[int, tuple]) -> str:
    """The sentence for a candidate that overruns a limit at every start in `starts`."""
    every = "at its only allowed start" if len(starts) == 1 else "in every allowed start month"
    parts = []
    years = set.intersection(*(set(found[s][0]) for s in starts))
    for fiscal_year in sorted(years):
        least = min(found[s][0][fiscal_year] for s in starts)
        parts.append(f"would exceed the {fiscal_year} budget cap by {money(prep, least)} {every}")
    roles = set.intersection(*(set(found[s][1]) for s in starts))
    for role in sorted(roles):
        best = min(starts, key=lambda s, role=role: (len(found[s][1][role]), max(found[s][1][role].values())))
        over = found[best][1][role]
        where = f"in {month_ranges(prep, list(over))} (by up to {fte(max(over.values()))})"
        if len(starts) == 1:
            parts.append(f"{role} capacity exceeded {where} at its only allowed start")
        else:
            parts.append(f"{role} capacity exceeded at every allowed start (at best {where})")
    if not parts:  # different limits at different starts
        for s in starts[:4]:
            bits = [f"{fy} budget by {money(prep, c)}" for fy, c in sorted(found[s][0].items())]
            bits += [f"{role} capacity in {month_ranges(prep, list(m))}" for role, m in sorted(found[s][1].items())]
            parts.append(f"from {prep.month_label(s)} it would exceed the {' and '.join(bits)}")
        if len(starts) > 4:
            parts.append(f"and {len(starts) - 4} more start months likewise")
    return "; ".join(parts)


def _allowed_after_requirements(prep: Prepared, i: int, starts: dict[str, int]) -> list[int]:
    """Start months of i at which every selected required candidate has already started."""
    latest_required = max((starts[r] for r in prep.candidates[i].requires), default=-1)
    return [s for s in prep.candidates[i].starts if s >= latest_required]


def _money_unit(cents: int) -> tuple[int, str]:
    """The unit a score-per-money ratio is given in: 1, 1,000 or 1,000,000, the largest not above the cost."""
    amount = Decimal(cents) * MONEY_UNIT
    for unit, suffix in ((1_000_000, "M"), (1_000, "k")):
        if amount >= unit:
            return unit, suffix
    return 1, ""


def _ratio(value: Decimal, cents: int, unit: int) -> Decimal:
    """Score per `unit` of money, to two decimals."""
    return (Decimal(value) / (Decimal(cents) * MONEY_UNIT) * unit).quantize(Decimal("0.01"))


def _scarcity_sentence(
    prep: Prepared,
    i: int,
    allowed: list[int],
    starts: dict[str, int],
    used: Usage,
    lowest_by_year: dict,
    *,
    optimal: bool,
) -> str:
    """The sentence for a candidate that fits on its own but not beside the selected projects."""
    candidate = prep.candidates[i]
    found = {s: violations(prep, i, s, used) for s in allowed}
    best = min(allowed, key=lambda s: (len(found[s][0]) + len(found[s][1]), sum(found[s][0].values())))
    over_budget, over_capacity = found[best]
    unproven = "no plan including it that scores more was found within the time limit"
    if over_budget:
        fiscal_year = max(over_budget, key=over_budget.get)
        unit, suffix = _money_unit(prep.cost_by_fy[i][best][fiscal_year])
        per = f"score per {prep.limits.currency}1{suffix}"
        own_cents = prep.cost_by_fy[i][best][fiscal_year]
        own = _ratio(candidate.value, own_cents, unit)
        if fiscal_year not in lowest_by_year:  # computed once per year, for every excluded candidate
            lowest_by_year[fiscal_year] = min(
                (
                    (Fraction(prep.values[prep.index[k]], prep.cost_by_fy[prep.index[k]][s][fiscal_year]), k)
                    for k, s in starts.items()
                    if prep.cost_by_fy[prep.index[k]][s].get(fiscal_year)
                ),
                default=None,
            )
        if lowest_by_year[fiscal_year] is not None:
            lowest_share, lowest_key = lowest_by_year[fiscal_year]
            other = prep.candidates[prep.index[lowest_key]]
            lowest = _ratio(other.value, prep.cost_by_fy[prep.index[lowest_key]][starts[lowest_key]][fiscal_year], unit)
            if Fraction(prep.values[i], own_cents) < lowest_share:
                return (
                    f"fits on its own, but the {fiscal_year} budget it needs buys more score elsewhere "
                    f"({per} {own} vs {lowest} for the lowest chosen, "
                    f"{other.label})"
                )
            return (
                f"fits on its own, but not beside the chosen projects: the {fiscal_year} budget would be "
                f"exceeded by {money(prep, over_budget[fiscal_year])}, and "
                + (
                    "in the optimal plan the chosen projects together score more than any mix including it"
                    if optimal
                    else unproven
                )
                + f" (its {per}: {own})"
            )
    if not over_capacity:  # over a budget year that no chosen project spends in (at its best start)
        return "fits on its own, but beside the chosen projects " + _nowhere_sentence(prep, i, allowed, found)
    role = max(over_capacity, key=lambda r: len(over_capacity[r]))
    months = over_capacity[role]
    taken = (
        "by chosen projects that together score more in the optimal plan" if optimal else f"by the chosen; {unproven}"
    )
    return (
        f"fits on its own, but the {role} capacity it needs in {month_ranges(prep, list(months))} is taken "
        f"{taken} (short by up to {fte(max(months.values()))})"
    )


def excluded_reasons(prep: Prepared, starts: dict[str, int], *, optimal: bool) -> dict[str, str]:
    """A plain-English reason for every candidate not in `starts`."""
    used = usage(prep, starts)
    chosen_in_group = {
        prep.candidates[prep.index[k]].exclusive: k for k in starts if prep.candidates[prep.index[k]].exclusive
    }
    reasons: dict[str, str] = {}
    lowest_by_year: dict = {}
    for i, candidate in enumerate(prep.candidates):
        if candidate.key in starts:
            continue
        missing = [r for r in candidate.requires if r not in starts]
        if missing:
            names = ", ".join(f"{prep.candidates[prep.index[r]].label} ({r})" for r in missing)
            verb = "is" if len(missing) == 1 else "are"
            reasons[candidate.key] = f"needs {names}, which {verb} not selected"
            continue
        allowed = _allowed_after_requirements(prep, i, starts)
        if not allowed:
            last = max(candidate.requires, key=lambda r: starts[r])
            reasons[candidate.key] = (
                f"needs {prep.candidates[prep.index[last]].label} ({last}), which starts in "
                f"{prep.month_label(starts[last])}, after every allowed start of this project"
            )
            continue
        rival = chosen_in_group.get(candidate.exclusive) if candidate.exclusive else None
        if rival is not None:
            other = prep.candidates[prep.index[rival]]
            if other.value > candidate.value:
                why = f"chosen, higher score {other.value} vs {candidate.value}"
            elif other.value == candidate.value:
                why = f"chosen, same score {other.value}"
            else:
                why = f"chosen: its score is {other.value} vs {candidate.value}, " + (
                    "but the plan with it scores more"
                    if optimal
                    else "and the time limit ended before a plan with this one instead scored more"
                )
            reasons[candidate.key] = f"mutually exclusive with {other.label} ({rival}) ({why})"
            continue
        alone = {s: violations(prep, i, s, None) for s in allowed}
        if all(alone[s][0] or alone[s][1] for s in allowed):
            sentence = _nowhere_sentence(prep, i, allowed, alone)
            if len(allowed) < len(candidate.starts):  # the starts before what it requires are ruled out
                last = max(candidate.requires, key=lambda r: starts[r])
                sentence = (
                    f"can start only once {prep.candidates[prep.index[last]].label} ({last}) has "
                    f"({prep.month_label(starts[last])}), and from then on, on its own, {sentence}"
                )
            else:
                sentence = f"on its own, {sentence}"
            reasons[candidate.key] = sentence
            continue
        fitting = [s for s in allowed if not any(violations(prep, i, s, used))]
        if fitting:
            if prep.values[i] == 0:
                reasons[candidate.key] = "scores 0, so adding it would not raise the total score"
            elif not optimal:
                reasons[candidate.key] = (
                    f"fits the remaining budget and capacity from {prep.month_label(fitting[0])}, but the "
                    "solver's time limit ended before it was added"
                )
            else:  # cannot happen in an optimal plan with a positive score; say what is true
                reasons[candidate.key] = f"fits from {prep.month_label(fitting[0])} but was not selected"
            continue
        reasons[candidate.key] = _scarcity_sentence(prep, i, allowed, starts, used, lowest_by_year, optimal=optimal)
    return reasons


def _share_tight(slack: int, limit: int) -> tuple[bool, bool]:
    """(binding, near) for a slack against its limit."""
    if slack <= 0 or slack <= TIGHT_SHARE * limit:
        return True, False
    return (True, True) if slack <= NEAR_SHARE * limit else (False, False)


def binding_constraints(prep: Prepared, starts: dict[str, int], excluded: dict[str, str]) -> list[Binding]:
    """Budget years and role-months with (almost) no slack, and the mandatory, dependency and
    exclusive constraints that shape the plan (see each kind below)."""
    spent, busy = usage(prep, starts)
    found: list[Binding] = []
    tight_years: set[str] = set()
    for fiscal_year, cap in prep.budget_cap.items():
        used = spent.get(fiscal_year, 0)
        binding, near = _share_tight(cap - used, cap)
        if binding and used:
            if not near:
                tight_years.add(fiscal_year)
            found.append(
                Binding(
                    kind=BINDING_BUDGET,
                    key=fiscal_year,
                    used=Decimal(used) * MONEY_UNIT,
                    limit=Decimal(cap) * MONEY_UNIT,
                    slack=Decimal(cap - used) * MONEY_UNIT,
                    near=near,
                )
            )
    tight_months: set[tuple[str, int]] = set()
    for role, supply in prep.capacity.items():
        for month, cap in enumerate(supply):
            used = busy.get((role, month), 0)
            binding, near = _share_tight(cap - used, cap)
            if binding and used:
                if not near:
                    tight_months.add((role, month))
                found.append(
                    Binding(
                        kind=BINDING_CAPACITY,
                        key=f"{role} {prep.month_label(month)}",
                        used=Decimal(used) * FTE_UNIT,
                        limit=Decimal(cap) * FTE_UNIT,
                        slack=Decimal(cap - used) * FTE_UNIT,
                        near=near,
                    )
                )
    one, zero = Decimal(1), Decimal(0)
    # Mandatory: a selected mandatory project that uses a binding budget year or role-month (it
    # takes a scarce resource the optimiser could not give to another project).
    for key, start in starts.items():
        i = prep.index[key]
        candidate = prep.candidates[i]
        if candidate.mandatory and (
            tight_years & set(prep.cost_by_fy[i][start]) or tight_months & set(prep.demand_at[i][start])
        ):
            found.append(Binding(kind=BINDING_MANDATORY, key=key, used=one, limit=one, slack=zero))
    # Dependency: a selected project starting in the same month as one it requires (it may start
    # no earlier), and a project left out because what it requires is not selected.
    for key, start in starts.items():
        for required in prep.candidates[prep.index[key]].requires:
            if starts[required] == start:
                found.append(
                    Binding(
                        kind=BINDING_DEPENDENCY,
                        key=f"{key} needs {required}",
                        used=Decimal(starts[required]),
                        limit=Decimal(start),
                        slack=zero,
                    )
                )
    for key, reason in excluded.items():
        if reason.startswith("needs "):
            for required in prep.candidates[prep.index[key]].requires:
                found.append(
                    Binding(kind=BINDING_DEPENDENCY, key=f"{key} needs {required}", used=zero, limit=one, slack=zero)
                )
    # Exclusive: a group whose chosen member kept another member out.
    groups = sorted(
        {
            prep.candidates[prep.index[key]].exclusive
            for key, reason in excluded.items()
            if reason.startswith("mutually exclusive")
        }
    )
    found.extend(Binding(kind=BINDING_EXCLUSIVE, key=group, used=one, limit=one, slack=zero) for group in groups)
    return found


def _mandatory_closure(prep: Prepared) -> list[int]:
    stack = [i for i, c in enumerate(prep.candidates) if c.mandatory]
    seen = set(stack)
    while stack:
        for required in prep.candidates[stack.pop()].requires:
            j = prep.index[required]
            if j not in seen:
                seen.add(j)
                stack.append(j)
    return sorted(seen)


def infeasible_reason(
    prep: Prepared,
    *,
    build_model: Callable,
    solve_model: Callable,
    workers: int,
) -> str:
    """Why no plan exists: only the mandatory projects and what they require can make it so
    (every other candidate may be left out), so the checks look at that set alone."""
    members = _mandatory_closure(prep)
    label = {i: f"{prep.candidates[i].label} ({prep.candidates[i].key})" for i in members}
    what = "mandatory projects (with the projects they require)"

    by_group: dict[str, list[int]] = defaultdict(list)
    for i in members:
        if prep.candidates[i].exclusive:
            by_group[prep.candidates[i].exclusive].append(i)
    for group, group_members in sorted(by_group.items()):
        if len(group_members) > 1:
            names = " and ".join(label[i] for i in group_members[:2])
            return (
                f"{names} must both be planned (mandatory or required by a mandatory project) "
                f"but are mutually exclusive (group {group!r})"
            )

    for i in members:
        for required in prep.candidates[i].requires:
            j = prep.index[required]
            if min(prep.candidates[j].starts) > max(prep.candidates[i].starts):
                return (
                    f"{label[i]} needs {label[j]} to start no later than it, but {label[j]}'s earliest allowed start "
                    f"({prep.month_label(min(prep.candidates[j].starts))}) is after {label[i]}'s latest "
                    f"({prep.month_label(max(prep.candidates[i].starts))})"
                )

    def solvable(budgets, roles) -> bool:
        model, _ = build_model(prep, members=members, budgets=budgets, roles=roles, objective=False)
        _, status = solve_model(model, time_limit_s=DIAGNOSTIC_SECONDS, workers=workers)
        return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)

    if not solvable([], []):
        return f"the {what} cannot all be started in an order that meets their dependencies within their allowed starts"

    for fiscal_year, cap in sorted(prep.budget_cap.items()):
        least = sum(min(prep.cost_by_fy[i][s].get(fiscal_year, 0) for s in prep.candidates[i].starts) for i in members)
        if least > cap:
            return (
                f"the {what} alone exceed {fiscal_year}'s budget cap of {money(prep, cap)} by "
                f"{money(prep, least - cap)}, even at their cheapest allowed starts"
            )
    for role, supply in sorted(prep.capacity.items()):
        short: dict[int, int] = {}
        for month, cap in enumerate(supply):
            least = sum(
                min(prep.demand_at[i][s].get((role, month), 0) for s in prep.candidates[i].starts) for i in members
            )
            if least > cap:
                short[month] = least - cap
        if short:
            return (
                f"the {what} alone need more {role} capacity than available in {month_ranges(prep, list(short))} "
                f"(short by up to {fte(max(short.values()))}), even at their least demanding allowed starts"
            )

    if not solvable(None, []):
        years = [fy for fy in sorted(prep.budget_cap) if not solvable([fy], [])]
        if years:
            caps = ", ".join(f"{fy} ({money(prep, prep.budget_cap[fy])})" for fy in years)
            return f"the {what} cannot fit the budget cap of {caps} at {ANY_STARTS}"
        return f"the {what} cannot meet the budget caps of every fiscal year together at {ANY_STARTS}"
    if not solvable([], None):
        roles = [role for role in sorted(prep.capacity) if not solvable([], [role])]
        if roles:
            return f"the {what} cannot fit the {', '.join(roles)} capacity at {ANY_STARTS}"
        return f"the {what} cannot fit the capacity of every role together at {ANY_STARTS}"
    return f"the {what} cannot meet the budget caps and the role capacities together at {ANY_STARTS}"
