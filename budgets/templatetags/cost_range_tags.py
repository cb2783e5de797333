"""`{% cost_ranges_panel %}`: the cost ranges section of a project's risk analysis inputs page
(templates/projects/uncertainty.html). The projects app does not import budgets, so the page
names this tag and budgets renders its own section; its writes are budgets/views/cost_ranges.py."""

from django import template

from ..selectors.cost_ranges import cost_ranges_context

register = template.Library()


@register.inclusion_tag("budgets/_cost_ranges.html", takes_context=True)
def cost_ranges_panel(context):
    """Expects `project`, `can_edit`, `request` in the context; `edit` ("cost-<pk>" opens that
    row), `cost_form` / `cost_edit_form` (bound forms with errors) when present."""
    return cost_ranges_context(
        project=context["project"],
        can_edit=context.get("can_edit", False),
        edit=context.get("edit", ""),
        cost_form=context.get("cost_form"),
        cost_edit_form=context.get("cost_edit_form"),
        csrf_token=context.get("csrf_token"),
    )
