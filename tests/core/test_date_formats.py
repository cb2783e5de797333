"""Dates are shown with four-digit years everywhere ("26 Jan 2103", never "26 Jan 03")."""

import re
from pathlib import Path

from django.conf import settings
from django.utils import formats

ROOT = Path(settings.BASE_DIR)
# A `date`/`time` filter's format argument, in either kind of quote.
DATE_FILTER = re.compile(r"""\|\s*(?:date|time)\s*:\s*(?:"([^"]*)"|'([^']*)')""")


def two_digit_year(fmt: str) -> bool:
    """True when a Django date format prints a two-digit year (an unescaped `y`)."""
    return re.search(r"(?<!\\)y", fmt) is not None


def test_no_template_formats_a_date_with_a_two_digit_year():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in DATE_FILTER.finditer(line):
                if two_digit_year(match.group(1) or match.group(2) or ""):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert offenders == []


def test_no_python_strftime_uses_a_two_digit_year():
    offenders = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "%y" in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_the_default_date_formats_print_four_digit_years():
    for name in ("DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"):
        assert not two_digit_year(formats.get_format(name)), name


def test_the_check_sees_a_two_digit_year():
    assert two_digit_year("j M y")
    assert not two_digit_year("j M Y")
    assert not two_digit_year(r"\y Y")
