"""`field__in_array=<subquery>`: membership in a small id set computed by a subquery, written so
PostgreSQL plans it well.

`project_id IN (SELECT id FROM projects_project WHERE <the user's memberships>)` leaves the
planner guessing how many projects the subquery yields; with the membership ORs it guesses most
of them (1,750 of 2,000 at the large demo, where a program manager sees 50) and scans every row
of the outer table — a page count of /cost-entries/ read all 1,000,000 entries (330 ms).
`project_id = ANY(ARRAY(SELECT …))` runs the subquery once as an InitPlan and looks the result
up in the outer table's index (30 ms), in the same single query. Use it for the id sets of
access checks (projects, programs: at most thousands of ids), not for subqueries that can yield
millions of rows, which are better hashed. Other databases get the plain IN.
"""

from django.db import connection, models
from django.db.models import Lookup
from django.db.models.sql.query import Query
from django.db.models.sql.where import WhereNode


class InArray(Lookup):
    lookup_name = "in_array"
    prepare_rhs = False

    def get_prep_lookup(self):
        if isinstance(self.rhs, Query):  # as the IN lookup does: one column, no ORDER BY
            self.rhs.clear_ordering(clear_default=True)
            if not self.rhs.has_select_fields:
                self.rhs.clear_select_clause()
                self.rhs.add_fields(["pk"])
        return super().get_prep_lookup()

    def as_sql(self, compiler, connection):
        if isinstance(self.rhs, list):  # ids read by materialize_id_sets (PostgreSQL only)
            lhs, lhs_params = self.process_lhs(compiler, connection)
            return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)


def materialize_id_sets(queryset: models.QuerySet) -> models.QuerySet:
    """`queryset` with each `__in_array` subquery of its WHERE replaced by the ids it yields now,
    all read in one query (`SELECT ARRAY(…), ARRAY(…)`), on PostgreSQL; unchanged elsewhere.

    For a paginated list: its COUNT and its page then both filter on a literal array, which the
    planner sizes exactly — with the subquery's result only known at run time it assumes a few
    hundred rows and hashes every project to sort a page of tasks by project code (20 ms at the
    large demo) where an index walk in code order stops after the first 50 (0.6 ms)."""
    if connection.vendor != "postgresql":
        return queryset
    queryset = queryset._chain()
    queryset.query.where = queryset.query.where.clone()
    found: list[tuple[WhereNode, int, InArray]] = []

    def walk(node) -> None:
        for index, child in enumerate(node.children):
            if isinstance(child, WhereNode):
                node.children[index] = child = child.clone()  # a copy of our own to rewrite
                walk(child)
            elif isinstance(child, InArray) and isinstance(child.rhs, Query):
                found.append((node, index, child))

    walk(queryset.query.where)
    if not found:
        return queryset
    parts, params = [], []
    for _node, _index, lookup in found:
        subquery = lookup.rhs.clone()
        subquery.subquery = False
        sql, sub_params = subquery.get_compiler(connection=connection).as_sql()
        parts.append(f"ARRAY({sql})")
        params.extend(sub_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        arrays = cursor.fetchone()
    for (node, index, lookup), ids in zip(found, arrays, strict=True):
        node.children[index] = InArray(lookup.lhs, list(ids))
    return queryset


def register() -> None:
    """Make `__in_array` available on every field (called from CoreConfig.ready)."""
    models.Field.register_lookup(InArray)
    models.ForeignObject.register_lookup(InArray)  # related fields do not inherit Field's lookups
