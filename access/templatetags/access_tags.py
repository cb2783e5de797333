"""Links of the user administration pages."""

from django import template
from django.urls import reverse

from ..selectors import administers_anything

register = template.Library()


@register.filter
def access_url(scope) -> str:
    """The access page of a portfolio, program or project."""
    kind = type(scope).__name__.lower()
    return reverse("access:scope", args=[kind, scope.code])


@register.filter
def administers(user) -> bool:
    """Does `user` administer a portfolio (and so reach the user administration pages)?"""
    return administers_anything(user)
