"""Presentation helpers for Keel templates: RAG badges, money, people, sortable headers."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.charts import short_money as _short_money
from core.money import format_money
from core.notifications import unread_count

register = template.Library()

RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}


@register.simple_tag
def rag_badge(value, empty: str = "Not reported"):
    """A coloured badge for a RAG value ("red", "amber", "green"); `empty` when None.

    The word is always printed, so the badge never relies on colour alone."""
    if value not in RAG_LABELS:
        return format_html('<span class="rag rag-none">{}</span>', empty)
    return format_html('<span class="rag rag-{}">{}</span>', value, RAG_LABELS[value])


@register.filter
def money(value, currency: str = ""):
    """Format a Decimal amount with thousands separators and the project's precision,
    e.g. `1234567.5|money:"EUR"` → "EUR 1,234,567.50". Never converts to float."""
    if value is None or value == "":
        return "—"
    try:
        return format_money(Decimal(value), currency)
    except (InvalidOperation, TypeError, ValueError):
        return value


@register.filter
def person(user):
    """A user's full name, else username; an em dash for nobody."""
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.simple_tag(takes_context=True)
def nav_current(context, prefix: str):
    """`aria-current="page"` on the navigation link whose view names start with `prefix`."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match and match.view_name.startswith(prefix):
        return mark_safe('aria-current="page"')
    return ""


@register.inclusion_tag("includes/_sort_header.html", takes_context=True)
def sort_header(context, key: str, label: str):
    """A column header that sorts the list by `key`, reversing when it is already the sort.

    Keeps the other query parameters (filters) and returns to the first page."""
    request = context["request"]
    current = context.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    if current == key:
        params["sort"], direction = f"-{key}", "ascending"
    elif current == f"-{key}":
        params["sort"], direction = key, "descending"
    else:
        params["sort"], direction = key, None
    return {"label": label, "href": f"?{params.urlencode()}", "direction": direction}


@register.filter
def percent(value):
    """A percentage without trailing zeros: Decimal("42.50") → "42.5%", Decimal("40.00") → "40%"."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    text = f"{number.quantize(Decimal('0.01')).normalize():f}"
    return f"{text}%"


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The bell's count of the user's unread in-app notifications (one COUNT query; 0 and no
    query for an anonymous visitor)."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)


@register.filter
def short_money(value):
    """A compact amount for dense tables: 1,250,000 → "1.25M" (core.charts.short_money); an em
    dash for None. Pair it with the full amount in a title."""
    if value is None or value == "":
        return "—"
    return _short_money(value)
