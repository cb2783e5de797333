"""The risk scoring rules, in one place: probability levels and percentages, score, band, EMV.

These pure functions are what the services, forms, demo and tests use; the same rules are
written as SQL expressions in `risks.models.risk` (generated columns and check constraints),
so lists filter and sort by score, band and EMV in the database.

Probability. A risk carries both a level (1-5, the heat map axis) and a percentage (0-100, the
EMV factor). Each level owns a range of percentages; the two must agree:

    level 1  rare            0 % ≤ p ≤ 10 %   default 5 %
    level 2  unlikely       10 % < p ≤ 30 %   default 20 %
    level 3  possible       30 % < p ≤ 50 %   default 40 %
    level 4  likely         50 % < p ≤ 70 %   default 60 %
    level 5  almost certain 70 % < p ≤ 100 %  default 85 %

The default percentage of a level is the midpoint of its range (85 % for level 5, the midpoint
of 70-100). Given only a level, the percentage is its default; given only a percentage, the
level is the one whose range holds it; given both, they must agree.

Score = probability x impact (1-25). Band (the common 5x5 matrix split, as used by e.g. the UK
Government's Orange Book templates): low 1-4, medium 5-9, high 10-16, critical 20-25 (no score
between 17 and 19 exists on a 5x5 matrix).

EMV (expected monetary value) = probability_percent / 100 x cost_impact. Residual EMV uses the
default percentage of the residual probability level (a residual assessment has no percentage
of its own) and the same cost impact; a risk without a residual assessment has residual values
equal to its inherent ones in the exposure roll-up.
"""

from decimal import Decimal

from core.money import quantize_money

LEVELS = (1, 2, 3, 4, 5)
# level: (lower bound, exclusive except for level 1; upper bound, inclusive; default)
PROBABILITY_RANGES: dict[int, tuple[Decimal, Decimal, Decimal]] = {
    1: (Decimal(0), Decimal(10), Decimal(5)),
    2: (Decimal(10), Decimal(30), Decimal(20)),
    3: (Decimal(30), Decimal(50), Decimal(40)),
    4: (Decimal(50), Decimal(70), Decimal(60)),
    5: (Decimal(70), Decimal(100), Decimal(85)),
}
PROBABILITY_LABELS = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT_LABELS = {1: "Minimal", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}

LOW, MEDIUM, HIGH, CRITICAL = "low", "medium", "high", "critical"
# band: (lowest score, highest score)
BANDS = {LOW: (1, 4), MEDIUM: (5, 9), HIGH: (10, 16), CRITICAL: (20, 25)}


def default_percent(level: int) -> Decimal:
    """The percentage a probability level stands for when none is given (its range's midpoint)."""
    return PROBABILITY_RANGES[level][2]


def level_for_percent(percent: Decimal) -> int:
    """The probability level whose range holds `percent` (0-100)."""
    percent = Decimal(percent)
    if percent < 0 or percent > 100:
        raise ValueError(f"{percent} is not a percentage between 0 and 100")
    for level, (low, high, _default) in PROBABILITY_RANGES.items():
        if percent <= high and (percent > low or level == 1):
            return level
    raise AssertionError("unreachable: the ranges cover 0-100")


def percent_matches(level: int, percent: Decimal) -> bool:
    low, high, _default = PROBABILITY_RANGES[level]
    percent = Decimal(percent)
    return percent <= high and (percent > low or (level == 1 and percent >= low))


def band_for_score(score: int | None) -> str | None:
    if score is None:
        return None
    for band, (low, high) in BANDS.items():
        if low <= score <= high:
            return band
    raise ValueError(f"{score} is not a score of a 5x5 matrix")


def emv(percent: Decimal, cost_impact: Decimal) -> Decimal:
    """Expected monetary value, rounded to the money precision."""
    return quantize_money(Decimal(percent) * Decimal(cost_impact) / 100)
