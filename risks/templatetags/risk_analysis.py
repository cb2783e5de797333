"""Filters of the risk-analysis pages."""

from django import template

register = template.Library()


@register.filter
def chance(value):
    """A probability in [0, 1] as a whole percentage: 0.234 → "23%"; None → "—". A chance that
    rounds to 0 % or 100 % but is not quite that says "<1%" / ">99%"."""
    if value is None or value == "":
        return "—"
    value = float(value)
    if 0 < value < 0.005:
        return "<1%"
    if 0.995 <= value < 1:
        return ">99%"
    return f"{value * 100:.0f}%"
