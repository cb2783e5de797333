"""`{% history_panel obj %}`: who changed the object, when, before → after — placed on every
detail page beside `{% collab_panel %}`. Loaded by htmx from history:object-history, so the
page itself pays no query for it."""

from django import template

register = template.Library()


@register.inclusion_tag("history/_panel.html")
def history_panel(obj):
    return {"object_type": obj._meta.label_lower, "object_id": obj.pk, "obj": obj}
