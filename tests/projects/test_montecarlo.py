"""The Monte Carlo engine (projects.scheduling.montecarlo): exact agreement with the CPM engine at
the most likely values, distributions checked against closed forms, correlation, risk events,
reproducibility, input errors, and a published PERT example.

Statistical tests use a fixed seed (so they are deterministic) and tolerances of about four
standard errors at the stated number of iterations, so a correct engine passes with any seed.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from projects.scheduling import (
    ActivityType,
    ConstraintType,
    LagCalendar,
    LinkIn,
    LinkType,
    P6Options,
    ScheduleInputError,
    TaskIn,
    WorkCalendar,
    engine_input_from_mspdi,
    montecarlo,
    read_mspdi,
    schedule,
)
from projects.scheduling.calendar import to_abs_minute
from projects.scheduling.model import ScheduleCycleError, ScheduleOptions
from projects.scheduling.montecarlo import (
    CorrelatedGroup,
    CostItem,
    RiskEvent,
    SchedulePart,
    SimulationInput,
    SimulationResult,
    ThreePoint,
    sampling,
    simulate,
    stats,
    vector,
)

DAY = 480
MON = datetime(2024, 1, 8, 8)
HOLIDAYS = [date(2024, 1, 15), date(2024, 2, 19), date(2024, 5, 27), date(2024, 7, 4), date(2024, 12, 25)]
STD = WorkCalendar.standard(holidays=HOLIDAYS)
SEVEN = WorkCalendar("Seven days", week={wd: ((time(8), time(12)), (time(13), time(17))) for wd in range(7)})
ALWAYS = WorkCalendar("24 hours", week=dict.fromkeys(range(7), ((0, 1440),)))
NIGHTS = WorkCalendar("Nights", week=dict.fromkeys(range(5), ((time(22), time(0)), (time(0), time(6)))))
CALENDARS = {"std": STD, "seven": SEVEN, "always": ALWAYS, "nights": NIGHTS}
SAMPLES = Path(__file__).parent / "data" / "mspdi"


def sim_input(tasks, links=(), **kwargs) -> SimulationInput:
    kwargs.setdefault("calendars", CALENDARS)
    kwargs.setdefault("default_calendar_id", "std")
    kwargs.setdefault("project_start", MON)
    return SimulationInput(tasks=tasks, links=links, **kwargs)


def cpm(data: SimulationInput):
    return schedule(
        data.tasks,
        data.links,
        calendars=data.calendars,
        default_calendar_id=data.default_calendar_id,
        project_start=data.project_start,
        status_date=data.status_date,
        options=data.options,
    )


def assert_same_as_engine(data: SimulationInput) -> None:
    """Run the vectorised passes on the input values (3 identical rows) and compare every task's
    dates and critical flag, and the project finish, with the CPM engine."""
    expected = cpm(data)
    plan = vector.build_plan(
        data.tasks,
        data.links,
        data.calendars,
        data.default_calendar_id,
        data.project_start,
        data.status_date,
        data.options,
    )
    span = np.repeat(plan.span0[None, :], 3, axis=0)
    got = vector.run_passes(plan, span, vector.base_remaining(plan, span))
    assert (got.finish_a == to_abs_minute(expected.project_finish)).all()
    wrong = []
    for i, task in enumerate(data.tasks):
        out = expected.tasks[task.id]
        for name, value in (
            ("es_a", out.early_start),
            ("ef_a", out.early_finish),
            ("ls_a", out.late_start),
            ("lf_a", out.late_finish),
            ("start_a", out.start),
            ("finish_a", out.finish),
        ):
            if not (got.dates[name][i] == to_abs_minute(value)).all():
                wrong.append((task.id, name, got.dates[name][i][0], value))
        if not (got.critical[:, i] == out.is_critical).all():
            wrong.append((task.id, "critical", got.critical[0, i], out.is_critical))
    assert not wrong


# -- (1) most likely iteration == CPM, to the minute -------------------------------------------


def kitchen_sink() -> SimulationInput:
    """Every link type, lags (working, negative, elapsed, percent), four calendars with holidays,
    resource calendars, constraints, a deadline, ALAP, a summary with links on both sides, a manual
    task, finished and in-progress tasks and a status date."""
    tasks = [
        TaskIn(1, "Design", duration_minutes=3 * DAY),
        TaskIn(2, "Seven-day crew", duration_minutes=4 * DAY, calendar_id="seven"),
        TaskIn(3, "Finish-finish", duration_minutes=2 * DAY),
        TaskIn(4, "Start-finish", duration_minutes=DAY),
        TaskIn(5, "Elapsed lag", duration_minutes=DAY + 120),
        TaskIn(6, "Resource time", duration_minutes=2 * DAY, resource_calendar_id="always"),
        TaskIn(7, "Gate", is_milestone=True),
        TaskIn(
            8,
            "No earlier than",
            duration_minutes=DAY,
            constraint_type=ConstraintType.SNET,
            constraint_date=datetime(2024, 1, 22, 8),
        ),
        TaskIn(
            9,
            "Finish no later",
            duration_minutes=2 * DAY,
            constraint_type=ConstraintType.FNLT,
            constraint_date=datetime(2024, 2, 9, 17),
            deadline=datetime(2024, 2, 7, 17),
        ),
        TaskIn(10, "As late as possible", duration_minutes=DAY, constraint_type=ConstraintType.ALAP),
        TaskIn(
            11,
            "In progress",
            duration_minutes=5 * DAY,
            percent_complete=40,
            actual_start=datetime(2024, 1, 8, 8),
            remaining_minutes=3 * DAY + 60,
        ),
        TaskIn(12, "Percent only", duration_minutes=4 * DAY, percent_complete=30),
        TaskIn(
            13,
            "Done",
            duration_minutes=DAY,
            percent_complete=100,
            actual_start=datetime(2024, 1, 8, 8),
            actual_finish=datetime(2024, 1, 9, 12),
        ),
        TaskIn(20, "Phase"),
        TaskIn(21, "Phase a", parent_id=20, duration_minutes=2 * DAY),
        TaskIn(22, "Phase b", parent_id=20, duration_minutes=3 * DAY, calendar_id="nights"),
        TaskIn(23, "After phase", duration_minutes=DAY),
        TaskIn(
            30,
            "Manual",
            duration_minutes=DAY,
            is_manual=True,
            manual_start=datetime(2024, 1, 10, 8),
            manual_finish=datetime(2024, 1, 12, 17),
        ),
        TaskIn(31, "After manual", duration_minutes=2 * DAY),
        TaskIn(
            32,
            "Must finish on",
            duration_minutes=DAY,
            constraint_type=ConstraintType.MFO,
            constraint_date=datetime(2024, 2, 2, 17),
        ),
        TaskIn(33, "Split", duration_minutes=2 * DAY, split_minutes=DAY),
        TaskIn(34, "End", is_milestone=True),
    ]
    links = [
        LinkIn(1, 2, LinkType.SS, lag_minutes=DAY),
        LinkIn(1, 3, LinkType.FF, lag_minutes=2 * DAY),
        LinkIn(2, 4, LinkType.SF, lag_minutes=-DAY // 2),
        LinkIn(3, 5, LinkType.FS, lag_minutes=2 * 1440, lag_elapsed=True),
        LinkIn(1, 6, LinkType.FS, lag_percent=50),
        LinkIn(5, 7),
        LinkIn(6, 7),
        LinkIn(7, 8),
        LinkIn(8, 9, LinkType.SS, lag_minutes=DAY),
        LinkIn(1, 10),
        LinkIn(10, 34),
        LinkIn(11, 12),
        LinkIn(13, 12, LinkType.SS),
        LinkIn(1, 20),
        LinkIn(20, 23, LinkType.SS, lag_minutes=DAY),
        LinkIn(21, 22),
        LinkIn(30, 31),
        LinkIn(4, 32, LinkType.FF),
        LinkIn(12, 33, LinkType.FS, lag_minutes=-DAY),
        LinkIn(9, 34),
        LinkIn(23, 34),
        LinkIn(31, 34),
        LinkIn(33, 34),
    ]
    return sim_input(tasks, links, status_date=datetime(2024, 1, 11, 12))


def random_network(seed: int, n: int = 120) -> SimulationInput:
    """A random network: summaries of 10 tasks, every link type and lag kind, four calendars,
    constraints, ALAP, progress and a status date. Links run forward only (no cycles)."""
    rnd = random.Random(seed)
    tasks: list[TaskIn] = []
    for k in range(n):
        if k % 11 == 0:
            tasks.append(TaskIn(k, f"Summary {k}"))
            continue
        parent = k - k % 11
        kind = rnd.random()
        fields: dict = {"duration_minutes": 0 if kind < 0.05 else rnd.randint(1, 40) * 60}
        if rnd.random() < 0.2:
            fields["calendar_id"] = rnd.choice(["seven", "always", "nights"])
        if rnd.random() < 0.05:
            fields["resource_calendar_id"] = "always"
        if 0.05 <= kind < 0.1:
            fields["constraint_type"] = rnd.choice(list(ConstraintType)[2:])
            fields["constraint_date"] = MON + timedelta(days=rnd.randint(2, 40), hours=rnd.choice((0, 3, 9)))
        elif 0.1 <= kind < 0.13:
            fields["constraint_type"] = ConstraintType.ALAP
        if k < 15 and rnd.random() < 0.5:
            fields["percent_complete"] = rnd.choice((10, 50, 100))
            fields["actual_start"] = MON
            if fields["percent_complete"] == 100:
                fields["actual_finish"] = MON + timedelta(days=1, hours=4)
        if rnd.random() < 0.05:
            fields["deadline"] = MON + timedelta(days=rnd.randint(10, 60))
        tasks.append(TaskIn(k, f"Task {k}", parent_id=parent, **fields))
    links = []
    for k in range(1, n):
        for _ in range(rnd.choice((0, 1, 1, 2))):
            p = rnd.randrange(max(0, k - 30), k)
            q = k
            if tasks[q].parent_id is None or tasks[p].parent_id is None:
                # a summary: only link it with tasks outside it
                lo_p = p - p % 11
                lo_q = q - q % 11
                if lo_p == lo_q:
                    continue
            elif tasks[p].parent_id == tasks[q].parent_id and rnd.random() < 0.1:
                q = tasks[q].parent_id  # to the enclosing summary: would be a cycle, skip
                continue
            lag = rnd.choice((0, 0, 60, DAY, -120))
            link = LinkIn(p, q, rnd.choice(list(LinkType)), lag_minutes=lag)
            roll = rnd.random()
            if roll < 0.05:
                link = replace(link, lag_minutes=rnd.choice((600, 2880)), lag_elapsed=True)
            elif roll < 0.1:
                link = replace(link, lag_percent=rnd.choice((25.0, 50.0, 150.0)))
            links.append(link)
    return sim_input(
        tasks,
        links,
        status_date=MON + timedelta(days=3, hours=2),
        options=ScheduleOptions(critical_slack_minutes=rnd.choice((0, 60))),
    )


def test_vector_passes_give_the_engine_dates_on_every_kind_of_input() -> None:
    assert_same_as_engine(kitchen_sink())


@pytest.mark.parametrize("seed", range(8))
def test_vector_passes_give_the_engine_dates_on_random_networks(seed: int) -> None:
    try:
        data = random_network(seed)
        cpm(data)
    except ScheduleCycleError:
        pytest.skip("random network has a cycle through a summary")
    assert_same_as_engine(data)


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.xml")))
def test_vector_passes_give_the_engine_dates_on_microsoft_project_files(name: str) -> None:
    engine_input = engine_input_from_mspdi(read_mspdi((SAMPLES / name).read_bytes()))
    data = SimulationInput(
        tasks=engine_input.tasks,
        links=engine_input.links,
        calendars=engine_input.calendars,
        default_calendar_id=engine_input.default_calendar_id,
        project_start=engine_input.project_start,
        status_date=engine_input.status_date,
        options=engine_input.options,
    )
    assert_same_as_engine(data)


def test_simulation_with_no_spread_finishes_every_iteration_on_the_cpm_finish() -> None:
    data = kitchen_sink()
    durations = {t.id: ThreePoint(t.duration_minutes, t.duration_minutes, t.duration_minutes) for t in data.tasks}
    result = simulate(replace(data, durations=durations, iterations=200))
    expected = cpm(data)
    assert result.deterministic_finish == expected.project_finish
    assert set(result.finishes.tolist()) == {expected.project_finish}
    assert result.deterministic_percentile() == 1.0
    assert result.finish_percentile(0) == result.finish_percentile(100) == expected.project_finish
    assert result.finish_histogram(30) == [(expected.project_finish, expected.project_finish, 200)]
    for task_id, out in expected.tasks.items():
        assert result.criticality[task_id] == (1.0 if out.is_critical else 0.0)


def test_deterministic_finish_uses_the_most_likely_durations() -> None:
    tasks = [TaskIn(1, duration_minutes=DAY), TaskIn(2, duration_minutes=DAY)]
    durations = {1: ThreePoint(DAY, 2 * DAY, 4 * DAY), 2: ThreePoint(DAY, 3 * DAY, 3 * DAY, "pert")}
    data = sim_input(tasks, [LinkIn(1, 2)], durations=durations, iterations=100)
    assert simulate(data).deterministic_finish == datetime(2024, 1, 12, 17)  # 5 working days


# -- (2) analytic: a chain of triangular (and PERT) tasks -----------------------------------------

N = 20_000


def chain(n: int, estimate: ThreePoint, **kwargs) -> SimulationInput:
    tasks = [TaskIn(k, f"T{k}", duration_minutes=round(estimate.likely)) for k in range(n)]
    links = [LinkIn(k, k + 1) for k in range(n - 1)]
    durations = dict.fromkeys(range(n), estimate)
    return sim_input(tasks, links, durations=durations, iterations=N, seed=11, **kwargs)


def test_chain_of_triangular_tasks_has_the_closed_form_mean_and_variance() -> None:
    # Triangular(a, m, b): mean (a + m + b) / 3, variance (a² + b² + m² - ab - am - bm) / 18.
    # The sum of 10 independent ones: 10x both. Durations are rounded to whole minutes, which adds
    # a variance of 1/12 per task (negligible here). At N = 20,000: standard error of the mean
    # sd / sqrt(N) = 13.6 min (tolerance 4 SE = 55 min); of the variance ~ sqrt(2 / N) = 1 %
    # (tolerance 5 %).
    a, m, b = 1000, 2000, 6000
    result = simulate(chain(10, ThreePoint(a, m, b)))
    mean = 10 * (a + m + b) / 3
    var = 10 * (a * a + b * b + m * m - a * b - a * m - b * m) / 18
    sample = np.asarray(result.finish_minutes, dtype=float)
    assert abs(sample.mean() - mean) < 4 * math.sqrt(var / N)
    assert abs(sample.var() / var - 1) < 0.05
    # The finish on the calendar is that many working minutes after the start.
    assert result.finish_mean() == result.finish_at(sample.mean())


def test_chain_of_pert_tasks_has_the_beta_mean_and_variance() -> None:
    # PERT-beta: mean (a + 4m + b) / 6, variance (mean - a)(b - mean) / 7 (alpha + beta = 6).
    a, m, b = 600, 1200, 3600
    result = simulate(chain(10, ThreePoint(a, m, b, "pert")))
    mu = (a + 4 * m + b) / 6
    var = 10 * (mu - a) * (b - mu) / 7
    sample = np.asarray(result.finish_minutes, dtype=float)
    assert abs(sample.mean() - 10 * mu) < 4 * math.sqrt(var / N)
    assert abs(sample.var() / var - 1) < 0.05


def test_uniform_durations() -> None:
    a, b = 500, 1500
    result = simulate(chain(4, ThreePoint(a, 1000, b, "uniform")))
    sample = np.asarray(result.finish_minutes, dtype=float)
    var = 4 * (b - a) ** 2 / 12
    assert abs(sample.mean() - 4 * (a + b) / 2) < 4 * math.sqrt(var / N)
    assert abs(sample.var() / var - 1) < 0.05


# -- (3) two parallel iid paths: E[max] = mu + sigma / sqrt(pi) --------------------------------


def test_two_parallel_identical_paths_finish_at_mu_plus_sigma_over_root_pi() -> None:
    # Two paths of 30 PERT(400, 480, 800) tasks joined by a milestone. Each path sum has
    # mu = 30 * 520 = 15,600 and sigma² = 30 * 120 * 280 / 7 = 144,000 (sigma 379.5), close to
    # normal. For two iid normals E[max] = mu + sigma / sqrt(pi) = mu + 214.1. The difference of
    # the two paths is symmetric whatever their skew, so the formula holds to well under 1 % here.
    # The sd of the max is sigma * sqrt(1 - 1/pi) = 313, so the standard error at N = 20,000 is
    # 2.2 min; tolerance 12 min (4 SE plus 1 % of sigma for the residual non-normality).
    tasks, links, durations = [], [], {}
    for path in (0, 1):
        for k in range(30):
            tid = path * 100 + k
            tasks.append(TaskIn(tid, duration_minutes=480))
            durations[tid] = ThreePoint(400, 480, 800, "pert")
            if k:
                links.append(LinkIn(tid - 1, tid))
        links.append(LinkIn(path * 100 + 29, 999))
    tasks.append(TaskIn(999, "End", is_milestone=True))
    data = sim_input(
        tasks,
        links,
        durations=durations,
        iterations=N,
        seed=5,
        calendars={"always": ALWAYS},
        default_calendar_id="always",
    )
    result = simulate(data)
    mu, sigma = 30 * 520, math.sqrt(30 * 120 * 280 / 7)
    assert abs(float(np.mean(result.finish_minutes)) - (mu + sigma / math.sqrt(math.pi))) < 12
    # Each path is critical in about half the iterations (the milestone in all of them).
    assert abs(result.criticality[0] - 0.5) < 0.03
    assert result.criticality[999] == 1.0


# -- (4) a risk event makes the finish a two-point mixture -------------------------------------


def test_risk_event_with_probability_p_delays_that_share_of_iterations() -> None:
    p, n = 0.3, 10_000
    tasks = [TaskIn(1, duration_minutes=5 * DAY), TaskIn(2, duration_minutes=5 * DAY), TaskIn(3, duration_minutes=DAY)]
    links = [LinkIn(1, 2), LinkIn(1, 3)]
    risk = RiskEvent("risk:R-1", "Late permit", p, {3: 10 * DAY}, Decimal("2500.00"))
    result = simulate(sim_input(tasks, links, risks=[risk], iterations=n, seed=3, fixed_cost=Decimal("1000")))
    on_plan = result.deterministic_finish
    # Task 3 then takes 11 days after task 1's 5: 16 working days, past the holiday on the 15th.
    delayed = datetime(2024, 1, 30, 17)
    values = set(result.finishes.tolist())
    assert values == {on_plan, delayed}
    share = 1 - result.probability_finish_by(on_plan)
    assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / n)
    assert abs(result.deterministic_percentile() - (1 - share)) < 1e-12
    # Cost is 1000 or 3500, in the same iterations.
    costs = np.asarray(result.costs)
    assert set(np.round(costs, 2).tolist()) == {1000.0, 3500.0}
    assert ((costs > 2000) == (result.finishes == np.datetime64(delayed))).all()
    assert result.cost_percentile(50) == Decimal("1000.00")
    assert result.cost_percentile(90) == Decimal("3500.00")
    assert result.finish_drivers[0].key == "risk:R-1"
    assert result.finish_drivers[0].kind == "risk"
    assert result.cost_drivers[0].correlation == pytest.approx(1.0)
    # The risk makes task 3 critical exactly when it occurs.
    assert result.criticality[3] == pytest.approx(share)


def test_risk_on_a_task_in_progress_extends_its_remaining_work() -> None:
    tasks = [TaskIn(1, duration_minutes=4 * DAY, percent_complete=50, actual_start=MON)]
    risk = RiskEvent("risk:1", "Rework", 1.0, {1: DAY})
    result = simulate(sim_input(tasks, risks=[risk], status_date=MON + timedelta(days=2), iterations=100))
    assert set(result.finishes.tolist()) == {datetime(2024, 1, 12, 17)}  # 2 days left + 1 after Wed 08:00


# -- (5) correlation ------------------------------------------------------------------------------


def test_full_correlation_raises_the_variance_of_a_chain() -> None:
    base = chain(10, ThreePoint(1000, 2000, 6000))
    group = CorrelatedGroup(tuple(range(10)), 1.0)
    independent = np.var(simulate(replace(base, iterations=5000)).finish_minutes)
    correlated = np.var(simulate(replace(base, iterations=5000, correlations=[group])).finish_minutes)
    # Independent: n var; comonotone (rank correlation 1, same distribution): n² var.
    assert 8 < correlated / independent < 12


@pytest.mark.parametrize("rho", [0.0, 0.3, 0.6, 0.9, 1.0])
def test_correlated_group_has_the_requested_rank_correlation(rho: float) -> None:
    rng = np.random.Generator(np.random.PCG64(2))
    n = 20_000
    values = sampling.draw_three_point(
        rng,
        n,
        np.array([1.0, 10.0, 0.0]),
        np.array([2.0, 20.0, 1.0]),
        np.array([9.0, 25.0, 2.0]),
        ["triangular", "pert", "uniform"],
    )
    before = np.sort(values, axis=0)
    sampling.correlate(rng, values, [([0, 1, 2], rho)])
    assert (np.sort(values, axis=0) == before).all()  # the marginals are untouched
    for i, j in ((0, 1), (0, 2), (1, 2)):
        assert abs(stats.spearman(values[:, i], values[:, j]) - rho) < 0.03


def test_correlation_shrinks_the_gain_of_parallel_paths() -> None:
    # The finish of two parallel tasks is the larger of two draws: independent draws push it up,
    # comonotone draws (rank correlation 1) keep it near a single draw's mean.
    tasks = [TaskIn(1, duration_minutes=DAY), TaskIn(2, duration_minutes=DAY)]
    durations = {1: ThreePoint(DAY / 2, DAY, 3 * DAY), 2: ThreePoint(DAY / 2, DAY, 3 * DAY)}
    data = sim_input(
        tasks, durations=durations, iterations=N, calendars={"always": ALWAYS}, default_calendar_id="always"
    )
    single_mean = (DAY / 2 + DAY + 3 * DAY) / 3
    independent = float(np.mean(simulate(data).finish_minutes))
    together = float(np.mean(simulate(replace(data, correlations=[CorrelatedGroup((1, 2), 1.0)])).finish_minutes))
    assert independent > single_mean + 60
    assert abs(together - single_mean) < 10


# -- (6) reproducibility --------------------------------------------------------------------------


def rich_input(seed: int) -> SimulationInput:
    data = kitchen_sink()
    durations = {
        t.id: ThreePoint(t.duration_minutes * 0.8, t.duration_minutes, t.duration_minutes * 1.5, kind)
        for t, kind in zip(data.tasks, ("triangular", "pert", "uniform") * 20, strict=False)
        if t.duration_minutes
    }
    return replace(
        data,
        durations=durations,
        correlations=[CorrelatedGroup((1, 3, 5), 0.7)],
        costs=[CostItem("category:LAB", "Labour", Decimal("1000"), Decimal("1500"), Decimal("3000"))],
        risks=[RiskEvent("risk:1", "Supplier", 0.25, {5: DAY, 9: DAY}, Decimal("700"))],
        iterations=2500,
        seed=seed,
    )


def test_a_seed_reproduces_the_run_and_another_seed_does_not() -> None:
    first, again, other = simulate(rich_input(42)), simulate(rich_input(42)), simulate(rich_input(43))
    assert (first.finishes == again.finishes).all()
    assert (np.asarray(first.costs) == np.asarray(again.costs)).all()
    assert first.criticality == again.criticality
    assert first.finish_drivers == again.finish_drivers
    assert not (first.finishes == other.finishes).all()


def test_progress_is_reported_per_chunk() -> None:
    calls = []
    simulate(replace(rich_input(1), iterations=2500), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1000, 2500), (2000, 2500), (2500, 2500)]


def test_result_helpers() -> None:
    result = simulate(rich_input(7))
    p10, p50, p80, p90 = (result.finish_percentile(p) for p in (10, 50, 80, 90))
    assert p10 <= p50 <= p80 <= p90
    assert result.probability_finish_by(p80) >= 0.8
    assert result.probability_finish_by(p80 - timedelta(minutes=1)) < 0.8
    assert result.cost_percentile(50) <= result.cost_percentile(80)
    assert result.probability_cost_within(result.cost_percentile(80)) >= 0.8
    assert result.cost_percentile(80).as_tuple().exponent == -2
    assert result.deterministic_cost == Decimal("1500.00")
    assert 0 <= result.cost_deterministic_percentile() <= 1
    bins = result.finish_histogram(30)
    assert len(bins) == 30
    assert sum(count for *_, count in bins) == result.iterations
    assert bins[0][0] == result.finish_percentile(0)
    cost_bins = result.cost_histogram(10)
    assert sum(count for *_, count in cost_bins) == result.iterations
    cdf = result.finish_cdf(50)
    assert cdf[-1][1] == 1.0
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(cdf))
    assert result.cost_cdf(20)[-1][1] == 1.0
    assert len(result.finish_drivers) <= 20
    assert all(abs(d.correlation) <= 1 for d in result.finish_drivers)
    strengths = [abs(d.correlation) for d in result.finish_drivers]
    assert strengths == sorted(strengths, reverse=True)
    assert {d.kind for d in result.cost_drivers} == {"cost", "risk"}
    with pytest.raises(ValueError, match="0-100"):
        result.finish_percentile(101)


def test_a_hand_built_result_works_without_a_calendar() -> None:
    finishes = np.array(["2024-01-10T17:00", "2024-01-12T17:00"], dtype="datetime64[m]")
    result = SimulationResult(
        iterations=2,
        seed=0,
        engine_version="1.0",
        deterministic_finish=datetime(2024, 1, 10, 17),
        deterministic_cost=Decimal("10.00"),
        finishes=finishes,
        costs=[10.0, 20.0],
        criticality={},
        finish_drivers=[],
        cost_drivers=[],
    )
    assert result.deterministic_percentile() == 0.5
    assert result.finish_percentile(100) == datetime(2024, 1, 12, 17)
    assert result.cost_percentile(50) == Decimal("10.00")


def test_an_empty_plan_finishes_on_the_project_start() -> None:
    result = simulate(sim_input([TaskIn(1, is_milestone=True)], iterations=100))
    assert result.finish_percentile(80) == MON
    assert result.finish_mean() == MON
    assert result.cost_percentile(80) == Decimal("0.00")
    assert result.finish_drivers == []


# -- (7) bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"durations": {1: ThreePoint(10, 5, 20)}}, "low <= likely <= high"),
        ({"durations": {1: ThreePoint(10, 30, 20)}}, "low <= likely <= high"),
        ({"durations": {1: ThreePoint(1, 2, 3, "lognormal")}}, "unknown distribution"),
        ({"durations": {1: ThreePoint(-5, 2, 3)}}, "negative"),
        ({"durations": {99: ThreePoint(1, 2, 3)}}, "unknown task"),
        ({"risks": [RiskEvent("risk:1", "R", 1.5)]}, "probability"),
        ({"risks": [RiskEvent("risk:1", "R", -0.1)]}, "probability"),
        ({"risks": [RiskEvent("risk:1", "R", 0.5, {99: 10})]}, "unknown task"),
        ({"costs": [CostItem("c", "C", Decimal(5), Decimal(4), Decimal(6))]}, "low <= likely <= high"),
        ({"costs": [CostItem("c", "C", Decimal(1), Decimal(2), Decimal(3), "beta")]}, "unknown distribution"),
        ({"correlations": [CorrelatedGroup((1,), 1.2)]}, "coefficient"),
        ({"iterations": 99}, "iterations"),
        ({"iterations": 100_001}, "iterations"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_input_is_refused(change: dict, words: str) -> None:
    data = sim_input([TaskIn(1, duration_minutes=DAY)], **({"iterations": 100} | change))
    with pytest.raises(ScheduleInputError, match=words):
        simulate(data)


def test_a_cycle_is_refused_as_the_engine_does() -> None:
    data = sim_input([TaskIn(1, duration_minutes=DAY), TaskIn(2)], [LinkIn(1, 2), LinkIn(2, 1)], iterations=100)
    with pytest.raises(ScheduleCycleError):
        simulate(data)


# -- (8) a published example ------------------------------------------------------------------------


def reliable_construction() -> SimulationInput:
    """The Reliable Construction Co. project of Hillier & Lieberman, *Introduction to Operations
    Research* (McGraw-Hill; 8th ed. 2005 / 9th ed. 2010), chapter "Project Management with
    PERT/CPM", section "Dealing with Uncertain Activity Durations": 14 activities with PERT
    three-point estimates (o, m, p) in weeks. The book finds the mean critical path
    A-B-C-E-F-J-L-N of 44 weeks with variance 9 (sigma 3) and so estimates
    P(finish within the 47-week deadline) = P(Z <= 1) = 0.84, noting that this PERT
    approximation is optimistic because it ignores the other paths.

    One week is 5 working days (2,400 working minutes) on the standard calendar."""
    week = 5 * DAY
    table = {  # activity: (optimistic, most likely, pessimistic, predecessors)
        "A": (1, 2, 3, ""),
        "B": (2, 3.5, 8, "A"),
        "C": (6, 9, 18, "B"),
        "D": (4, 5.5, 10, "C"),
        "E": (1, 4.5, 5, "C"),
        "F": (4, 4, 10, "E"),
        "G": (5, 6.5, 11, "D"),
        "H": (5, 8, 17, "EG"),
        "I": (3, 7.5, 9, "C"),
        "J": (3, 9, 9, "FI"),
        "K": (4, 4, 4, "J"),
        "L": (1, 5.5, 7, "J"),
        "M": (1, 2, 3, "H"),
        "N": (5, 5.5, 9, "KL"),
    }
    tasks = [TaskIn(name, name, duration_minutes=round(m * week)) for name, (_o, m, _p, _pred) in table.items()]
    links = [LinkIn(p, name) for name, (*_, preds) in table.items() for p in preds]
    durations = {name: ThreePoint(o * week, m * week, p * week, "pert") for name, (o, m, p, _) in table.items()}
    return sim_input(
        tasks,
        links,
        durations=durations,
        calendars={"std": WorkCalendar.standard()},
        project_start=datetime(2024, 1, 8, 8),
        iterations=N,
        seed=2024,
    )


def test_reliable_construction_pert_example_hillier_lieberman() -> None:
    week = 5 * DAY
    data = reliable_construction()
    means = {tid: (e.low + 4 * e.likely + e.high) / 6 for tid, e in data.durations.items()}
    # Published: with every activity at its PERT mean the project takes 44 weeks and the mean
    # critical path is A-B-C-E-F-J-L-N. Checked with the CPM engine on the same network.
    at_means = [replace(t, duration_minutes=round(means[t.id])) for t in data.tasks]
    mean_plan = schedule(
        at_means, data.links, calendars=data.calendars, default_calendar_id="std", project_start=data.project_start
    )
    calendar = data.calendars["std"]
    start_w = calendar.working_minutes_at(data.project_start)
    assert calendar.working_minutes_at(mean_plan.project_finish) - start_w == 44 * week
    assert mean_plan.critical_path == tuple("ABCEFJLN")
    # Published: variance of the mean critical path sigma² = sum ((p - o) / 6)² = 9 weeks².
    assert sum(((e.high - e.low) / 6 / week) ** 2 for tid, e in data.durations.items() if tid in "ABCEFJLN") == (
        pytest.approx(9)
    )

    # Simulating the mean critical path alone reproduces the book's figures: mean 44 weeks and
    # P(T <= 47 weeks) = 0.84. (The beta variance (mu - o)(p - mu) / 7 sums to 65/7 = 9.29 rather
    # than the textbook's 9, which moves the probability from 0.841 to 0.837; N = 20,000 gives a
    # standard error of 0.0026. Tolerances: 0.1 week on the mean, 0.015 on the probability.)
    path = set("ABCEFJLN")
    only_path = replace(
        data,
        tasks=[t for t in data.tasks if t.id in path],
        links=[link for link in data.links if link.predecessor_id in path and link.successor_id in path],
        durations={k: v for k, v in data.durations.items() if k in path},
    )
    on_path = simulate(only_path)
    assert abs(float(np.mean(on_path.finish_minutes)) / week - 44) < 0.1
    deadline = on_path.finish_at(47 * week)
    assert abs(on_path.probability_finish_by(deadline) - 0.84) < 0.015
    assert abs(float(np.std(on_path.finish_minutes)) / week - 3) < 0.15

    # The whole network: other paths can finish last too, so the chance of meeting the deadline
    # is lower than the PERT estimate -- the book's caveat -- and the mean finish later.
    whole = simulate(data)
    assert whole.probability_finish_by(deadline) < on_path.probability_finish_by(deadline) - 0.01
    assert float(np.mean(whole.finish_minutes)) > float(np.mean(on_path.finish_minutes))
    assert whole.criticality["C"] == 1.0  # every path runs through A, B, C


def test_cost_items_have_their_closed_form_mean_and_come_back_in_cents() -> None:
    # Two triangular items and one PERT item plus a fixed cost; N = 20,000, tolerance 4 SE.
    items = [
        CostItem("category:LAB", "Labour", Decimal("1000.10"), Decimal("2000"), Decimal("6000")),
        CostItem("category:MAT", "Material", Decimal("500"), Decimal("800"), Decimal("900")),
        CostItem("category:SUB", "Subcontract", Decimal("100"), Decimal("200"), Decimal("700"), "pert"),
    ]
    data = sim_input([TaskIn(1, duration_minutes=DAY)], costs=items, fixed_cost=Decimal("250.55"), iterations=N)
    result = simulate(data)
    tri = [(1000.10, 2000, 6000), (500, 800, 900)]
    mean = 250.55 + sum((a + m + b) / 3 for a, m, b in tri) + (100 + 800 + 700) / 6
    var = sum((a * a + b * b + m * m - a * b - a * m - b * m) / 18 for a, m, b in tri)
    var += (1600 / 6 - 100) * (700 - 1600 / 6) / 7
    assert abs(float(np.mean(result.costs)) - mean) < 4 * math.sqrt(var / N)
    assert result.deterministic_cost == Decimal("3250.55")
    assert result.cost_mean() == Decimal(str(round(float(np.mean(result.costs)), 2)))
    assert result.cost_drivers[0].key == "category:LAB"


# -- (9) the Primavera P6 dialect and schedule parts ----------------------------------------------


def p6_network(**options) -> tuple[list[TaskIn], list[LinkIn], ScheduleOptions]:
    """An updated P6 schedule: data date Wednesday 10 January 00:00, an activity in progress, an
    SS + FF pair between one pair, a weekend lag in the 24-hour lag calendar, a level of effort."""
    tasks = [
        TaskIn(1, "Survey", duration_minutes=5 * DAY, actual_start=MON, percent_complete=40, remaining_minutes=3 * DAY),
        TaskIn(2, "Design", duration_minutes=4 * DAY),
        TaskIn(3, "Build", duration_minutes=3 * DAY),
        TaskIn(4, "Support", duration_minutes=DAY, activity_type=ActivityType.LOE),
        TaskIn(5, "Handover", is_milestone=True, activity_type=ActivityType.FINISH_MILESTONE),
    ]
    links = [
        LinkIn(1, 2, LinkType.SS, lag_minutes=DAY),
        LinkIn(1, 2, LinkType.FF, lag_minutes=2 * DAY),
        LinkIn(2, 3, lag_minutes=2 * 1440),
        LinkIn(1, 4, LinkType.SS),
        LinkIn(4, 5),
        LinkIn(3, 5),
    ]
    p6 = P6Options(data_date=datetime(2024, 1, 10), lag_calendar=LagCalendar.HOURS_24, **options)
    return tasks, links, ScheduleOptions(p6=p6)


def p6_cpm(tasks, links, options=None):
    return schedule(tasks, links, calendars=CALENDARS, default_calendar_id="std", project_start=MON, options=options)


def test_p6_iterations_follow_the_p6_rules_to_the_minute() -> None:
    tasks, links, options = p6_network()
    collapsed = {t.id: ThreePoint(t.duration_minutes, t.duration_minutes, t.duration_minutes) for t in tasks}
    data = sim_input(tasks, links, options=options, durations=collapsed, iterations=100)
    expected = p6_cpm(tasks, links, options)
    msproject = p6_cpm(tasks, links)
    assert expected.project_finish != msproject.project_finish  # the dialect matters here
    result = simulate(data)
    assert result.deterministic_finish == expected.project_finish
    assert set(result.finishes.tolist()) == {expected.project_finish}
    for task_id, out in expected.tasks.items():
        assert result.criticality[task_id] == (1.0 if out.is_critical else 0.0)


def test_p6_risk_on_work_in_progress_and_ranges_on_a_level_of_effort() -> None:
    tasks, links, options = p6_network()
    # A day of rework on the survey in progress, every time; the LOE's range is ignored (its
    # dates span the others).
    risk = RiskEvent("risk:1", "Rework", 1.0, {1: DAY, 4: 10 * DAY})
    durations = {4: ThreePoint(DAY, 5 * DAY, 9 * DAY)}
    result = simulate(sim_input(tasks, links, options=options, risks=[risk], durations=durations, iterations=100))
    longer = [replace(tasks[0], duration_minutes=6 * DAY, remaining_minutes=4 * DAY), *tasks[1:]]
    expected = p6_cpm(longer, links, options)
    assert set(result.finishes.tolist()) == {expected.project_finish}


def test_schedule_parts_are_scheduled_each_under_its_options() -> None:
    tasks, links, options = p6_network()
    other = [TaskIn(11, "Alone", duration_minutes=DAY)]
    parts = [SchedulePart((1, 2, 3, 4, 5), options), SchedulePart((11,), ScheduleOptions())]
    data = sim_input([*tasks, *other], links, parts=parts, iterations=100)
    expected = p6_cpm(tasks, links, options)
    result = simulate(data)
    assert result.deterministic_finish == expected.project_finish
    assert set(result.finishes.tolist()) == {expected.project_finish}
    # A part's criticality is measured against its own finish, as its own schedule shows it.
    assert result.criticality[11] == 1.0
    with pytest.raises(ScheduleInputError, match="joins two schedule parts"):
        simulate(replace(data, links=[*links, LinkIn(11, 1)]))
    with pytest.raises(ScheduleInputError, match="in no schedule part"):
        simulate(replace(data, parts=parts[:1]))


def test_a_p6_run_too_large_for_one_cpm_run_per_iteration_is_refused(monkeypatch) -> None:
    tasks, links, options = p6_network()
    monkeypatch.setattr(montecarlo, "ENGINE_TASK_ITERATIONS_MAX", 5 * 150)
    data = sim_input(tasks, links, options=options, iterations=150)
    assert simulate(data).iterations == 150
    with pytest.raises(ScheduleInputError, match="Run at most 150 iterations"):
        simulate(replace(data, iterations=151))
    assert simulate(replace(data, options=None, iterations=151)).iterations == 151  # numpy passes: no limit
