from rest_framework.pagination import PageNumberPagination

from .lookups import materialize_id_sets


class KeelPagination(PageNumberPagination):
    """Page-number pagination; clients may ask for up to 500 rows a page.

    The access check's id sets (`__in_array` subqueries: the projects and programs the user
    sees) are read once, before the COUNT and the page, and both filter on the literal ids
    (core.lookups.materialize_id_sets): one small query instead of the same subquery run twice
    and sized by guesswork."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        if hasattr(queryset, "query"):
            queryset = materialize_id_sets(queryset)
        return super().paginate_queryset(queryset, request, view)
