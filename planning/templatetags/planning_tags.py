"""The navigation's "Planning" entry: shown to the people who read a portfolio's scenarios (its
admins and executives, and superusers)."""

from django import template

from ..querysets import planning_portfolio_ids

register = template.Library()


@register.simple_tag(takes_context=True)
def planning_visible(context) -> bool:
    """Whether the user reads any portfolio's scenarios (one EXISTS query; none for a superuser
    or an anonymous visitor). Cached on the request, so a page asks once."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(request, "_planning_visible", None)
    if cached is None:
        cached = planning_portfolio_ids(user).exists()
        request._planning_visible = cached
    return cached
