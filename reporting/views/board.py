"""The portfolio health board (the executive's home for one portfolio) and its Excel workbook.

Starts from Portfolio.objects.visible_to (others: 404) and lists only the programs the user sees;
program money and exposure only for programs they oversee, the portfolio's tiles only for readers
who oversee the portfolio (reporting.board). The table refreshes alone for htmx (filters, sort,
pages) and the same URLs work as plain links and forms without JavaScript.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify

from core.views import filters_active, paginate, refuse_unknown_filters
from portfolio.models import Portfolio

from .. import board, board_export
from ..narrative import portfolio_narrative

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pdf_url(pk: int) -> str | None:
    # The PDF report is another page's work; link it only where it exists.
    try:
        return reverse("reporting:portfolio-report-pdf", args=[pk])
    except NoReverseMatch:
        return None


def _board_query(request, portfolio):
    """The filtered, sorted programs, or a 400 response naming the bad parameter."""
    filterset = board.board_filterset(user=request.user, portfolio=portfolio, data=request.GET)
    if refused := refuse_unknown_filters(request, filterset):
        return filterset, None, "", refused
    sort = request.GET.get("sort") or board.DEFAULT_SORT
    try:
        programs = board.board_sorted(
            queryset=filterset.qs if filterset.is_valid() else filterset.queryset.none(),
            user=request.user,
            sort=sort,
        )
    except board.BadSortError as error:
        response = render(
            request,
            "reporting/portfolio_board_refused.html",
            {"portfolio": portfolio, "field": "sort", "message": error.message},
            status=400,
        )
        return filterset, None, sort, response
    return filterset, programs, sort, None


@login_required
def portfolio_board(request, pk: int):
    portfolio = get_object_or_404(Portfolio.objects.visible_to(request.user), pk=pk)
    filterset, programs, sort, refused = _board_query(request, portfolio)
    if refused:
        return refused
    page = paginate(request, programs)
    columns = board.sort_columns(query=request.GET, sort=sort)
    rows = board.board_rows(user=request.user, programs=page.object_list)
    context = {
        "portfolio": portfolio,
        "filter": filterset,
        "filters_active": filters_active(request),
        "sort": sort,
        "columns": columns,
        "health_columns": [columns["computed"], columns["reported"]],
        "page": page,
        "rows": rows,
        "colours_only": any(not row.overseen for row in rows),
        "not_overseen_note": board.NOT_OVERSEEN_WHY,
        "export_query": request.GET.urlencode(),
    }
    status = 400 if filterset.is_bound and not filterset.is_valid() else 200
    if request.htmx and not request.htmx.boosted:
        response = render(request, "reporting/_board_table.html", context, status=status)
    else:
        shown = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        points, left_out = board.bubbles(user=request.user, programs=shown)
        context |= {
            "headline": board.portfolio_headline(user=request.user, portfolio=portfolio),
            "coverage": board.objective_coverage(user=request.user, portfolio=portfolio, programs=shown),
            "bubbles": points,
            "bubbles_left_out": left_out,
            "bubble_chart": board.bubble_chart(
                points,
                portfolio=portfolio,
                href=lambda program: reverse("portfolio:program-detail", args=[program.code]),
            ),
            "bubble_labels": {"x": board.BUBBLE_X, "y": board.BUBBLE_Y, "size": board.BUBBLE_SIZE},
            "narrative": portfolio_narrative(user=request.user, portfolio=portfolio),
            "pdf_url": _pdf_url(portfolio.pk),
        }
        response = render(request, "reporting/portfolio_board.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def portfolio_board_export(request, pk: int):
    """The board's tables as Excel: the same programs, filters and sort, every row (no pages)."""
    portfolio = get_object_or_404(Portfolio.objects.visible_to(request.user), pk=pk)
    filterset, programs, _sort, refused = _board_query(request, portfolio)
    if refused:
        return refused
    if not filterset.is_valid():
        return render(
            request,
            "reporting/portfolio_board_refused.html",
            {"portfolio": portfolio, "field": ", ".join(filterset.errors), "message": filterset.errors.as_text()},
            status=400,
        )
    content = board_export.board_workbook(
        portfolio=portfolio,
        rows=board.board_rows(user=request.user, programs=programs, with_trends=False),
        coverage=board.objective_coverage(user=request.user, portfolio=portfolio, programs=filterset.qs),
        headline=board.portfolio_headline(user=request.user, portfolio=portfolio),
    )
    response = HttpResponse(content, content_type=XLSX)
    name = f"board-{slugify(portfolio.code)}-{timezone.localdate():%Y-%m-%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
