"""Compare two to four scenarios of a portfolio: the page, its PDF and its Excel workbook. All
three print one Comparison (planning.selectors.compare), and the page and the PDF draw the same
charts (planning.charts.comparison_charts)."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify

from budgets.exports import xlsx_response
from core.serializers import is_whole_id

from .. import exports
from ..charts import comparison_charts
from ..models import Scenario
from ..selectors.compare import MAX_SCENARIOS, MIN_SCENARIOS, WRONG_COUNT, compare_scenarios
from ..selectors.scenario import scenario_view
from ._common import readable_portfolio

logger = logging.getLogger(__name__)
PARAM = "s"
BAD_IDS = "“s” must name scenarios of this portfolio by their id."


def _chosen(request, portfolio):
    """(scenarios chosen in `?s=`, in the order given, or None; the error text or "")."""
    raw = request.GET.getlist(PARAM)
    if not raw:
        return None, ""
    if not all(is_whole_id(value) for value in raw):
        return None, BAD_IDS
    ids = list(dict.fromkeys(int(value) for value in raw))
    if not MIN_SCENARIOS <= len(ids) <= MAX_SCENARIOS:
        return None, WRONG_COUNT
    found = {
        s.pk: s
        for s in Scenario.objects.visible_to(request.user)
        .filter(portfolio=portfolio, pk__in=ids)
        .select_related("portfolio")
    }
    if len(found) != len(ids):
        return None, BAD_IDS
    return [found[pk] for pk in ids], ""


def _comparison(request, pk: int):
    portfolio = readable_portfolio(request, pk)
    chosen, error = _chosen(request, portfolio)
    comparison = compare_scenarios([scenario_view(s) for s in chosen]) if chosen else None
    return portfolio, chosen, error, comparison


@login_required
def compare(request, pk: int):
    portfolio, chosen, error, comparison = _comparison(request, pk)
    raw = request.GET.getlist(PARAM)
    # One scenario chosen (the scenario pages link here so): ask for another, it is no error.
    prompt = len(set(raw)) == 1 and all(is_whole_id(v) for v in raw)
    if prompt:
        error = ""
    all_scenarios = list(
        Scenario.objects.visible_to(request.user).filter(portfolio=portfolio).order_by("created_at", "pk")
    )
    context = {
        "portfolio": portfolio,
        "scenarios": all_scenarios,
        "chosen_ids": [s.pk for s in chosen] if chosen else [int(v) for v in request.GET.getlist(PARAM) if v.isdigit()],
        "error": error,
        "prompt": prompt,
        "comparison": comparison,
        "charts": comparison_charts(comparison) if comparison else None,
        "query": request.GET.urlencode(),
    }
    return render(request, "planning/compare.html", context, status=400 if error else 200)


def _filename(portfolio, chosen) -> str:
    names = "-vs-".join(slugify(s.name)[:30] for s in chosen)
    return f"{slugify(portfolio.name)[:30]}-{names}-{timezone.localdate():%Y-%m-%d}"


def _bad(error: str) -> HttpResponse:
    return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")


@login_required
def compare_xlsx(request, pk: int):
    portfolio, chosen, error, comparison = _comparison(request, pk)
    if comparison is None:
        return _bad(error or WRONG_COUNT)
    return xlsx_response(exports.comparison_workbook(comparison), _filename(portfolio, chosen))


@login_required
def compare_pdf(request, pk: int):
    portfolio, chosen, error, comparison = _comparison(request, pk)
    if comparison is None:
        return _bad(error or WRONG_COUNT)
    try:
        pdf = exports.comparison_pdf(comparison, portfolio=portfolio, base_url=request.build_absolute_uri("/"))
    except OSError:
        logger.exception("WeasyPrint could not load its libraries")
        return HttpResponse(exports.NO_PANGO, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(portfolio, chosen)}.pdf"'
    return response
