"""`{% user_memberships user as memberships %}`: the roles a user holds, for pages outside the
portfolio app (the profile page is core's, and core imports no domain app)."""

from django import template

from ..selectors import membership_list

register = template.Library()


@register.simple_tag
def user_memberships(user):
    """The user's memberships with their scope loaded (membership_list: one query)."""
    return membership_list(user=user)
