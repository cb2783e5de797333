"""The chart kit's money axis: rounded scales that include zero, and short tick labels up to the
largest amount Keel keeps (no database)."""

from decimal import Decimal

import pytest

from core import bounds
from core.charts import nice_scale, short_money

D = Decimal


class TestScale:
    @pytest.mark.parametrize(
        ("low", "high", "expected"),
        [
            (D(0), D(5900), (D(0), D(6000), D(2000))),
            (D(-150), D(980), (D(-500), D(1000), D(500))),
            (D(0), D(0), (D(0), D("1"), D("0.2"))),
        ],
    )
    def test_nice_scale_covers_the_range_and_zero(self, low, high, expected):
        bottom, top, step = nice_scale(low, high)
        assert (bottom, top, step) == expected
        assert bottom <= min(low, 0)
        assert top >= high

    @pytest.mark.parametrize(
        ("value", "text"), [(D(1250000), "1.25M"), (D(35000), "35k"), (D(120), "120"), (D(-2000), "-2k")]
    )
    def test_short_money(self, value, text):
        assert short_money(value) == text


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (bounds.MONEY_MAX, "1T"),
        (-bounds.MONEY_MAX, "-1T"),
        (D("2500000000000"), "2.5T"),
        (D("999999.99"), "1M"),
        (D("1250000"), "1.25M"),
        (D("35000"), "35k"),
        (D("120"), "120"),
    ],
)
def test_short_money_reads_up_to_trillions(value, label):
    assert short_money(value) == label
