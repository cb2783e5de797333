"""Reading one cell as text, a date or an amount, with the reason when it cannot be.

Each parser returns the value or raises CellError with a message that quotes the cell, e.g.
"'abc' is not a number", which the import turns into "row 17, amount: 'abc' is not a number".
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from core import bounds
from core.money import MONEY_DECIMAL_PLACES, MONEY_QUANTUM

ISO_FORMAT = "%Y-%m-%d"
DATE_FORMATS = {
    "": "YYYY-MM-DD",
    ISO_FORMAT: "YYYY-MM-DD",
    "%d/%m/%Y": "DD/MM/YYYY",
    "%m/%d/%Y": "MM/DD/YYYY",
    "%d.%m.%Y": "DD.MM.YYYY",
    "%Y/%m/%d": "YYYY/MM/DD",
}
# The dates and amounts Keel keeps (core.bounds): a cell outside them is refused, naming it.
FIRST_DAY, LAST_DAY = bounds.DATE_MIN, bounds.DATE_MAX
LARGEST = bounds.MONEY_MAX
# Spreadsheets store numbers as binary floats: 0.1 + 0.2 arrives as 0.30000000000000004. A
# float within this distance of a cent is that cent; anything further is a real fraction.
FLOAT_NOISE = Decimal("0.000001")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")

NOT_A_NUMBER = "{value} is not a number"
TOO_MANY_PLACES = "{value} has more than 2 decimal places"
TOO_LARGE = f"{{value}} is too large for an amount (at most {bounds.MONEY_MAX:,})"
NOT_A_DATE = "{value} is not a date ({expected})"
DATE_OUT_OF_RANGE = f"{{value}} is not between {bounds.DATE_MIN.isoformat()} and {bounds.DATE_MAX.isoformat()}"
REQUIRED = "is required"
TOO_LONG = "{value} is longer than {limit} characters"
NOT_NEGATIVE = "{value} must not be negative"
NOT_A_WHOLE_NUMBER = "{value} is not a whole number"


class CellError(ValueError):
    """A cell that does not hold what its field needs; `str()` is the reason."""


def shown(value) -> str:
    """A cell as quoted in a message: 'abc'."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return repr(text[:60] + ("…" if len(text) > 60 else ""))


def text(value) -> str:
    """A cell as text: "" for an empty cell, a whole number without ".0", a date as ISO."""
    if type(value) is str:  # nearly every cell of a CSV: the fast path
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def required_text(value, *, limit: int) -> str:
    found = text(value)
    if not found:
        raise CellError(REQUIRED)
    if len(found) > limit:
        raise CellError(TOO_LONG.format(value=shown(found), limit=limit))
    return found


def date(value, date_format: str = "") -> dt.date:
    """A date cell (XLSX) or text in `date_format` (a strptime format; ISO 8601 when blank)."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        raw = text(value)
        if not raw:
            raise CellError(REQUIRED)
        expected = DATE_FORMATS.get(date_format, date_format)
        if isinstance(value, int | float):
            raise CellError(NOT_A_DATE.format(value=shown(raw), expected=expected))
        try:
            if date_format in ("", ISO_FORMAT):
                day = dt.date.fromisoformat(raw) if len(raw) == 10 else dt.datetime.fromisoformat(raw).date()
            else:
                day = dt.datetime.strptime(raw, date_format).date()
        except ValueError:
            raise CellError(NOT_A_DATE.format(value=shown(raw), expected=expected)) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise CellError(DATE_OUT_OF_RANGE.format(value=shown(day)))
    return day


def amount(value, *, allow_negative: bool = True) -> Decimal:
    """An amount at the money precision (two places): a number cell, or text such as "1234.5",
    "-12", "1,234.56" (comma thousands), "(12.00)" (accounting negative)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellError(REQUIRED)
    if isinstance(value, bool):
        raise CellError(NOT_A_NUMBER.format(value=shown(value)))
    if isinstance(value, float):
        # The one float in Keel: the cell arrives as one. repr() is its shortest exact decimal.
        number = Decimal(repr(value))
        if number.is_finite() and abs(number - number.quantize(MONEY_QUANTUM)) < FLOAT_NOISE:
            number = number.quantize(MONEY_QUANTUM)
    elif isinstance(value, int):
        number = Decimal(value)
    else:
        raw = str(value).strip().replace("\u00a0", "").replace(" ", "")
        negative = raw.startswith("(") and raw.endswith(")")
        body = raw[1:-1] if negative else raw
        if THOUSANDS.match(body):
            body = body.replace(",", "")
        try:
            number = Decimal(body)
        except InvalidOperation:
            raise CellError(NOT_A_NUMBER.format(value=shown(value))) from None
        if negative:
            number = -number
    if not number.is_finite():
        raise CellError(NOT_A_NUMBER.format(value=shown(value)))
    if number.as_tuple().exponent < -MONEY_DECIMAL_PLACES and number != number.quantize(MONEY_QUANTUM):
        raise CellError(TOO_MANY_PLACES.format(value=shown(value)))
    if abs(number) > LARGEST:
        raise CellError(TOO_LARGE.format(value=shown(value)))
    if not allow_negative and number < 0:
        raise CellError(NOT_NEGATIVE.format(value=shown(value)))
    return number.quantize(MONEY_QUANTUM)


def whole_number(value, *, low: int, high: int) -> int:
    """An integer cell or text between `low` and `high`."""
    raw = text(value)
    if not raw:
        raise CellError(REQUIRED)
    try:
        number = int(raw)
    except ValueError:
        raise CellError(NOT_A_WHOLE_NUMBER.format(value=shown(raw))) from None
    if not low <= number <= high:
        raise CellError(f"{shown(raw)} is not between {low} and {high}")
    return number
