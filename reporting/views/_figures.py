"""Presenting roll-up figures: the formatting rules of the money pages (budgets.views._common.display:
"n/a" where a figure is not defined, no "-0.00"), applied to summary rows."""

from __future__ import annotations

from budgets.views._common import display

from ..models import Health

# What the per-project EVM table shows of a roll-up: (field, display kind).
EVM_COLUMNS = (
    ("bac", "money"),
    ("pv", "money"),
    ("ev", "money"),
    ("ac", "money"),
    ("spi", "index"),
    ("cpi", "index"),
    ("eac", "money"),
    ("vac", "money"),
)
# The program headline: (field, label, display kind).
EVM_HEADLINE = (
    ("bac", "BAC", "money"),
    ("pv", "PV", "money"),
    ("ev", "EV", "money"),
    ("ac", "AC", "money"),
    ("eac", "EAC", "money"),
    ("etc", "ETC", "money"),
    ("vac", "VAC", "money"),
    ("cpi", "CPI", "index"),
    ("spi", "SPI", "index"),
    ("spi_t", "SPI(t)", "index"),
    ("tcpi", "TCPI", "index"),
)
EXPOSURE_HEADLINE = (
    ("residual_emv", "Residual exposure (EMV)", "money"),
    ("reserve_remaining", "Reserves remaining", "money"),
    ("exposure_uncovered", "Exposure not covered by reserves", "money"),
)


def evm_row(rollup) -> dict | None:
    """The per-project table's figures of a roll-up, formatted (amounts without the currency, which
    the caption names); None when no roll-up is computed yet."""
    if rollup is None or rollup.computed_at is None:
        return None
    row = {name: display(getattr(rollup, name), kind) for name, kind in EVM_COLUMNS}
    row["behind"] = rollup.spi is not None and rollup.spi < 1
    row["over"] = rollup.cpi is not None and rollup.cpi < 1
    return row


def headline(rollup, fields, currency: str) -> list[dict]:
    """`fields` of a roll-up as labelled figures: label, text, defined, negative."""
    if rollup is None or rollup.computed_at is None:
        return []
    figures = []
    for name, label, kind in fields:
        value = getattr(rollup, name)
        negative = value is not None and (
            (kind == "money" and value < 0) or (kind == "index" and name != "tcpi" and value < 1)
        )
        figures.append(
            {
                "key": name,
                "label": label,
                "text": display(value, kind, currency),
                "defined": value is not None,
                "negative": negative,
            }
        )
    return figures


def health_of(rollup, dimension: str) -> dict:
    """A dimension's computed health and the rule that fired ("CPI 0.82 < 0.90"); blank when no
    roll-up or no data."""
    if rollup is None or rollup.computed_at is None:
        return {"value": Health.NONE.value, "reason": ""}
    return {
        "value": getattr(rollup, f"health_{dimension}"),
        "reason": (rollup.health_reasons or {}).get(dimension, ""),
    }
