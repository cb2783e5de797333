"""The columns of the people list and a project's allocations downloads (core.exports,
`?export=csv|xlsx`). Cost rates are not exported: the list shows them only to rate viewers."""

from core.exports import Column, attr

from .models import Allocation

PERSON_COLUMNS = [
    Column("Name", attr("name")),
    Column("Pool", attr("portfolio.code")),
    Column("Email", attr("email")),
    Column("Department", attr("department")),
    Column("Primary role", attr("primary_role.name")),
    Column("Roles", lambda person: ", ".join(role.name for role in person.roles.all()) or None),
    Column("Capacity (h/week)", attr("weekly_capacity_hours"), "number"),
    Column("Active", attr("is_active"), "bool"),
]

ALLOCATION_COLUMNS = [
    Column("Project", attr("project.code")),
    Column("Person", attr("person.name")),
    Column("Role", attr("role.name")),
    Column("From", attr("start"), "date"),
    Column("To", attr("end"), "date"),
    Column("FTE %", attr("fte_percent"), "percent"),
    Column("Hours per week", attr("hours_per_week"), "number"),
    Column("Fills request from", attr("request.start"), "date"),
    Column("Notes", attr("notes")),
]


def project_allocation_rows(project):
    """`project`'s allocations in the page's order, with what the columns read."""
    return (
        Allocation.objects.filter(project=project)
        .select_related("project", "person", "role", "request")
        .order_by("start", "pk")
    )
