"""AHP and direct weights, project scoring and the efficient frontier (pure, no database)."""

import itertools
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from planning.optimiser.frontier import efficient_frontier
from planning.optimiser.scoring import Criterion, score_projects
from planning.optimiser.weights import ahp_weights, direct_weights, pairwise_weights

D = Decimal
NATIONS = ["US", "USSR", "China", "France", "UK", "Japan", "W. Germany"]
WEALTH = """1 4 9 6 6 5 5
1/4 1 7 5 5 3 4
1/9 1/7 1 1/5 1/5 1/7 1/5
1/6 1/5 5 1 1 1/3 1/3
1/6 1/5 5 1 1 1/3 1/3
1/5 1/3 7 3 3 1 2
1/5 1/4 5 3 3 1/2 1"""


def upper_triangle(names, text):
    rows = [[Fraction(v) for v in line.split()] for line in text.splitlines()]
    return {(names[i], names[j]): rows[i][j] for i in range(len(names)) for j in range(i + 1, len(names))}


def test_ahp_reproduces_saatys_relative_wealth_of_nations():
    """T. L. Saaty, "A scaling method for priorities in hierarchical structures", Journal of
    Mathematical Psychology 15(3), 1977, pp. 234-281: the relative wealth of seven nations,
    repeated in Saaty, "On the Measurement of Intangibles", Notices of the AMS 60(2), 2013.
    Published eigenvector .427 .230 .021 .052 .052 .123 .094, lambda_max 7.61; CR = 0.101/1.32."""
    result = pairwise_weights(NATIONS, upper_triangle(NATIONS, WEALTH))
    published = [D("0.427"), D("0.230"), D("0.021"), D("0.052"), D("0.052"), D("0.123"), D("0.094")]
    assert [result.weights[n].quantize(D("0.001")) for n in NATIONS] == published
    assert round(result.lambda_max, 2) == 7.61
    assert round(result.consistency_ratio, 3) == 0.077
    assert result.consistent


def test_ahp_consistent_matrix_has_exact_weights_and_zero_ratio():
    """a = 2b = 4c: weights 4/7, 2/7, 1/7."""
    result = pairwise_weights(["a", "b", "c"], {("a", "b"): 2, ("a", "c"): 4, ("b", "c"): 2})
    assert result.weights == {"a": D("0.571429"), "b": D("0.285714"), "c": D("0.142857")}
    assert abs(result.consistency_ratio) < 1e-9


def test_ahp_detects_inconsistent_judgements():
    """a > b, b > c, but c strongly over a: a cycle."""
    result = pairwise_weights(["a", "b", "c"], {("a", "b"): 5, ("b", "c"): 5, ("c", "a"): 5})
    assert result.consistency_ratio > 0.10
    assert not result.consistent


def test_ahp_accepts_either_order_and_float_reciprocals():
    one = pairwise_weights(["a", "b"], {("a", "b"): 3})
    other = pairwise_weights(["a", "b"], {("b", "a"): 1 / 3})
    assert one.weights == other.weights == {"a": D("0.75"), "b": D("0.25")}


def test_ahp_reads_four_place_decimals_as_scale_values():
    """1/3 stored to four places (0.3333) is 1/3; 0.35 is no scale value."""
    weights, ratio = ahp_weights([1, 2], {(1, 2): D("0.3333")})
    assert weights == {1: D("0.25"), 2: D("0.75")}
    assert ratio == 0
    with pytest.raises(ValueError, match=r"judgement 1 vs 2: 0\.35 is not on Saaty's scale"):
        ahp_weights([1, 2], {(1, 2): D("0.35")})


@pytest.mark.parametrize(
    ("judgements", "message"),
    [
        ({("a", "b"): 3, ("a", "c"): 2}, "judgement 'b' vs 'c': missing"),
        ({("a", "b"): 10, ("a", "c"): 2, ("b", "c"): 1}, "judgement 'a' vs 'b': 10 is not on Saaty's scale"),
        ({("a", "b"): Fraction(2, 3), ("a", "c"): 2, ("b", "c"): 1}, "judgement 'a' vs 'b': 2/3 is not on"),
        ({("a", "b"): 3, ("b", "a"): 3, ("a", "c"): 2, ("b", "c"): 1}, "judgement 'b' vs 'a': given as 3"),
        ({("a", "x"): 3}, "judgement 'a' vs 'x': unknown criterion 'x'"),
        ({("a", "a"): 1}, "judgement 'a' vs 'a': a criterion is not compared with itself"),
    ],
)
def test_ahp_invalid_judgements_name_the_pair(judgements, message):
    with pytest.raises(ValueError, match=message):
        pairwise_weights(["a", "b", "c"], judgements)


def test_direct_weights_are_normalised():
    assert direct_weights({"value": 60, "risk": 30, "cost": D(10)}) == {
        "value": D("0.6"),
        "risk": D("0.3"),
        "cost": D("0.1"),
    }
    with pytest.raises(ValueError, match="weight 'risk': must be a finite number >= 0"):
        direct_weights({"value": 1, "risk": -1})
    with pytest.raises(ValueError, match="at least one weight must be above 0"):
        direct_weights({"value": 0})


CRITERIA = [Criterion("benefit", D(3)), Criterion("cost", D(1), higher_is_better=False)]


def test_scores_are_min_max_normalised_and_weighted():
    scores = score_projects(
        {
            "P1": {"benefit": D(10), "cost": D(100)},
            "P2": {"benefit": D(30), "cost": D(300)},
            "P3": {"benefit": D(20), "cost": D(200)},
        },
        CRITERIA,
    )
    assert scores["P1"].normalised == {"benefit": 0, "cost": 100}
    assert scores["P2"].normalised == {"benefit": 100, "cost": 0}
    assert (scores["P1"].score, scores["P2"].score, scores["P3"].score) == (D("25.00"), D("75.00"), D("50.00"))


def test_missing_values_count_as_worst_or_reweight():
    values = {"P1": {"benefit": D(10), "cost": D(100)}, "P2": {"benefit": D(30), "cost": None}}
    worst = score_projects(values, CRITERIA)
    reweighted = score_projects(values, CRITERIA, missing="reweight")
    assert worst["P2"].missing == ("cost",)
    assert worst["P2"].score == D("75.00")  # 0.75 * 100 + 0.25 * 0
    assert reweighted["P2"].score == D("100.00")  # benefit alone
    assert worst["P1"].normalised["cost"] == 100  # the only cost present is the best


def test_scores_from_a_weight_mapping_and_directions():
    values = {1: {10: D(10), 11: D(100)}, 2: {10: D(30), 11: D(300)}}
    scores = score_projects(values, {10: D("0.75"), 11: D("0.25")}, higher_is_better={10: True, 11: False})
    assert (scores[1].score, scores[2].score) == (D("25.00"), D("75.00"))


def test_equal_values_do_not_discriminate():
    scores = score_projects({"P1": {"benefit": D(5)}, "P2": {"benefit": D(5)}}, CRITERIA[:1])
    assert scores["P1"].score == scores["P2"].score == D("100.00")


def test_scoring_rejects_unknown_criterion_and_policy():
    with pytest.raises(ValueError, match="project 'P1': unknown criterion 'urgency'"):
        score_projects({"P1": {"urgency": D(1)}}, CRITERIA)
    with pytest.raises(ValueError, match="missing: must be"):
        score_projects({}, CRITERIA, missing="mean")


def brute_frontier(items, budget):
    best = None
    for r in range(len(items) + 1):
        for subset in itertools.combinations(items, r):
            cost = sum((c for _, c, _ in subset), D(0))
            value = sum((v for _, _, v in subset), D(0))
            if cost <= budget and (best is None or (value, -cost) > (best[0], -best[1])):
                best = (value, cost)
    return best


@pytest.mark.parametrize("seed", range(25))
def test_frontier_matches_brute_force(seed):
    rng = random.Random(seed)
    items = [(f"P{i}", D(rng.randint(1, 50)), D(rng.randint(0, 100)) / 4) for i in range(rng.randint(1, 9))]
    points = efficient_frontier(items, levels=10)
    assert points
    for point in points:
        assert point.optimal
        assert (point.value, point.cost) == brute_frontier(items, point.budget)
        assert point.cost == sum((c for k, c, _ in items if k in point.keys), D(0))
    # Efficient: more budget never buys less value, and each point costs more than the last.
    assert all(b.value >= a.value and b.cost > a.cost for a, b in itertools.pairwise(points))


def test_frontier_with_fixed_budgets_and_invalid_items():
    items = [("A", D(10), D(5)), ("B", D(20), D(12)), ("C", D(30), D(13))]
    points = efficient_frontier(items, budgets=[D(0), D(25), D(60)])
    assert [(p.budget, p.keys) for p in points] == [(D(0), ()), (D(25), ("B",)), (D(60), ("A", "B", "C"))]
    with pytest.raises(ValueError, match="item 'A': cost: must be a finite amount >= 0"):
        efficient_frontier([("A", D(-1), D(1))])
