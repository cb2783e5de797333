"""The home page by role (`/`, portfolio:home) and the global search (reporting:search).

The reads are in reporting/homes.py; this decides which home, redirects where a home is a
single page elsewhere (one portfolio's board, one program's cockpit), and renders the rest.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from .. import homes
from ..selectors import home_dashboard

TEMPLATES = {
    homes.BOARD: "reporting/home_board.html",
    homes.PROGRAMS: "reporting/home_programs.html",
    homes.PROJECTS: "reporting/home_projects.html",
    homes.FINANCE: "reporting/home_finance.html",
    homes.OVERVIEW: "portfolio/portfolio_home.html",
}


def _board_url(pk: int) -> str | None:
    """The portfolio board's URL, or None while the board is not installed."""
    try:
        return reverse("reporting:portfolio-board", args=[pk])
    except NoReverseMatch:
        return None


def _bad_parameter(request, message: str):
    return render(request, "reporting/bad_parameter.html", {"message": message}, status=400)


@login_required
def home(request):
    user = request.user
    views = homes.home_views(user=user)
    if homes.BOARD in views and _board_url(0) is None:
        views.remove(homes.BOARD)  # the board is not installed here: the overview stands in
    requested = request.GET.get("view")
    view, error = homes.check_view(requested=requested, views=views)
    if error:
        return _bad_parameter(request, error)
    context = {
        "view": view,
        "switch_to": [(key, homes.VIEW_LABELS[key]) for key in views if key != view],
        "view_label": homes.VIEW_LABELS[view],
    }
    if view == homes.BOARD:
        portfolios = homes.board_portfolios(user=user)
        for portfolio in portfolios:
            portfolio.board_url = _board_url(portfolio.pk)
        if len(portfolios) == 1 and requested is None:
            return redirect(portfolios[0].board_url)
        context["portfolios"] = portfolios
    elif view == homes.PROGRAMS:
        programs = homes.managed_programs(user=user)
        if len(programs) == 1 and requested is None:
            return redirect("portfolio:program-detail", programs[0].code)
        context["programs"] = programs
    elif view == homes.PROJECTS:
        context["home"] = homes.project_manager_home(user=user)
    elif view == homes.FINANCE:
        context["home"] = homes.finance_home(user=user)
    else:
        context |= home_dashboard(user=user)
    return render(request, TEMPLATES[view], context)


@login_required
def search(request):
    q, error = homes.check_search(request.GET.get("q"))
    if error:
        return render(request, "reporting/search.html", {"error": error, "q": request.GET.get("q", "")}, status=400)
    groups = homes.search(user=request.user, q=q)
    return render(
        request,
        "reporting/search.html",
        {"q": q, "groups": groups, "found": sum(group.found.total for group in groups)},
    )
