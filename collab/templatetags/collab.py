"""`{% collab_panel obj %}`: the discussion and attachments of any object in collab.targets.

The panel is two sections loaded by htmx from their own views (which are also full pages), so a
detail page pays no queries for them and each branch owns its own view.
"""

from django import template

from collab.targets import target_for_model

register = template.Library()


@register.inclusion_tag("collab/_panel.html", takes_context=True)
def collab_panel(context, obj):
    target = target_for_model(type(obj))
    return {"request": context.get("request"), "target": target, "obj": obj, "slug": target.slug if target else None}
