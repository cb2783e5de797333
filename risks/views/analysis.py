"""The quantitative risk analysis (Monte Carlo) page of a project and of a program.

One page per scope: the headline figures of the newest finished run (or the run chosen with
`?run=`), what the P80 asks of the reserves, the finish and cost distributions, the tornados of
drivers, the criticality of tasks, the inputs the runs read (with a link to where they are
edited), the history of runs with their P50/P80 trend, two runs compared (`?a=&b=`), and the
run form. POST starts a run (risks.services.analysis_run_request) for those who may edit the
scope; the newest run, while queued or running, shows a progress bar that polls
`analysis-progress` and reloads the page once it has finished. `?export=xlsx` downloads the
shown run's results as a workbook.

Outsiders get 404 (the scope is looked up through visible_to); readers see the page without the
form, and a POST from them is 403. A program's results are shown to those who see the program
whole (a role on it or its portfolio), as its exposure is.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify

from core.exports import XLSX_TYPE
from portfolio.models import Program
from projects.models import Project

from ..charts import analysis as charts
from ..exports_analysis import analysis_workbook
from ..forms import AnalysisRunForm
from ..models import AnalysisRun
from ..selectors import analysis as selectors
from ..selectors import analysis_page
from ..services import analysis as services
from ._common import require, visible_program, visible_project

RUN_STARTED = "Analysis started: {iterations:,} iterations."
BAD_RUN = "Unknown run for “{name}”: {value!r}. Choose a run from the history."
BAD_PICK = "To compare runs (“pick”), tick exactly two finished runs."
RUN_FINISHED_STATES = (AnalysisRun.Status.SUCCEEDED, AnalysisRun.Status.FAILED)


def _svg(markup: str):
    return mark_safe(markup)  # noqa: S308 - the chart kit escapes every text it draws


def _inputs_url(project) -> str | None:
    """Where a project's uncertainty inputs are edited (the mc-inputs pages), when they exist."""
    if project is None:
        return None
    try:
        return reverse("projects:uncertainty", args=[project.pk])
    except NoReverseMatch:
        return None


def _run_param(request, runs, name: str):
    """The run named by `?<name>=<pk>` among `runs` (None when absent); 400 text when unknown."""
    value = request.GET.get(name)
    if not value:
        return None, None
    if not value.isdigit():
        return None, BAD_RUN.format(name=name, value=value)
    run = runs.filter(pk=int(value)).defer(None).first()
    if run is None:
        return None, BAD_RUN.format(name=name, value=value)
    return run, None


def _compared(request, runs):
    """The two runs ticked for comparison (`?pick=<pk>&pick=<pk>`), oldest first, or Nones; a
    third value is the 400 text when the picks are not two known finished runs."""
    picks = request.GET.getlist("pick")
    if not picks:
        return None, None, None
    if len(set(picks)) != 2 or not all(p.isdigit() for p in picks):
        return None, None, BAD_PICK
    found = sorted(
        runs.filter(pk__in=[int(p) for p in picks], status=AnalysisRun.Status.SUCCEEDED).defer(None),
        key=lambda r: (r.finished_at or r.requested_at, r.pk),
    )
    if len(found) != 2:
        return None, None, BAD_PICK
    return found[0], found[1], None


PHONE_WIDTH = 330  # the charts' narrow drawing, shown instead of the wide one on a phone


def _charts(summary, currency: str, scope_name: str) -> dict:
    """Each chart drawn twice: at its full width and narrow enough for a phone (the stylesheet
    shows one), since a chart is drawn at 1:1 and would otherwise scroll sideways there."""
    wide = _drawn(summary, currency, scope_name, width=charts.WIDTH)
    narrow = _drawn(summary, currency, scope_name, width=PHONE_WIDTH)
    return {**wide, **{f"{name}_narrow": svg for name, svg in narrow.items()}}


def _drawn(summary, currency: str, scope_name: str, *, width: int) -> dict:
    return {
        name: _svg(svg)
        for name, svg in charts.analysis_charts(summary, currency=currency, scope_name=scope_name, width=width).items()
    }


def _trend_charts(trend: list, currency: str, scope_name: str) -> dict:
    """`trend`: risks.selectors.analysis.TrendPoint (at, p50_finish, p80_finish, p50_cost, p80_cost)."""

    def day(point):  # the moment, so that two runs of one day stand apart
        return timezone.localtime(point.at)

    return {
        "finish_trend": _svg(
            charts.run_trend_chart(
                [(day(r), r.p50_finish, r.p80_finish) for r in trend],
                title=f"P50 and P80 finish of {scope_name}, run by run",
                axis_label="Day of the run",
            )
        ),
        "cost_trend": _svg(
            charts.run_trend_chart(
                [(day(r), r.p50_cost, r.p80_cost) for r in trend],
                title=f"P50 and P80 cost of {scope_name}, run by run",
                axis_label="Day of the run",
                currency=currency,
            )
        ),
    }


def _page(request, *, project=None, program=None):
    scope = project or program
    scope_program = program or project.program
    currency = scope_program.portfolio.base_currency
    scope_name = f"{scope.code} {scope.name}"
    # A program's runs simulate every project of it: like its exposure, they are shown to people
    # who see the program whole (risks.selectors.analysis.analysis_runs_visible_to).
    withheld = program is not None and not Program.objects.overseen_by(request.user).filter(pk=program.pk).exists()
    can_run = selectors.can_run_analysis(request.user, scope)
    runs = selectors.analysis_runs_for(request.user, project=project, program=program)
    page_url = request.path

    form = None
    if request.method == "POST":
        require(can_run)
        form = AnalysisRunForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = services.analysis_run_request(
                    user=request.user,
                    project=project,
                    program=program,
                    iterations=data["iterations"],
                    seed=data["seed"],
                    basis=data["basis"],
                    target_date=data["target_date"],
                    trigger=AnalysisRun.Trigger.MANUAL,
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, RUN_STARTED.format(iterations=run.iterations))
                return redirect(page_url)

    shown, error = _run_param(request, runs, "run")
    first, second, error_pick = _compared(request, runs)
    problem = error or error_pick
    if shown is None and not withheld:
        shown = selectors.latest_analysis(project=project, program=program)
    summary = analysis_page.summarise(shown) if shown is not None else None

    if request.GET.get("export") is not None:
        if request.GET["export"] != "xlsx":
            return HttpResponseBadRequest(
                "Unknown value for “export”: use export=xlsx.", content_type="text/plain; charset=utf-8"
            )
        if summary is None:
            raise Http404("No finished run to export.")
        response = HttpResponse(
            analysis_workbook(run=shown, summary=summary, scope_name=scope_name, currency=currency),
            content_type=XLSX_TYPE,
        )
        response["Content-Disposition"] = (
            f'attachment; filename="risk-analysis-{slugify(scope.code)}-{timezone.localdate():%Y-%m-%d}.xlsx"'
        )
        response["Cache-Control"] = "private, no-store"
        return response

    history = list(runs[: analysis_page.HISTORY_RUNS])
    newest = history[0] if history else None
    in_flight = newest if newest is not None and newest.status not in RUN_FINISHED_STATES else None
    trend = [] if withheld else selectors.analysis_trend(project=project, program=program)
    context = {
        "project": project,
        "program": scope_program,
        "scope": scope,
        "scope_kind": "project" if project is not None else "program",
        "currency": currency,
        "can_run": can_run,
        "withheld": withheld,
        "form": form if form is not None else (AnalysisRunForm() if can_run else None),
        "run": shown,
        "summary": summary,
        "latest_failed": newest if newest is not None and newest.status == AnalysisRun.Status.FAILED else None,
        "in_flight": in_flight,
        "history": history,
        "trend": trend,
        "inputs": analysis_page.analysis_inputs_summary(project=project, program=program),
        "inputs_url": _inputs_url(project),
        "compare": analysis_page.compare_figures(first, second) if first and second else None,
        "compare_runs": (first, second),
        "problem": problem,
        "page_url": page_url,
        **_trend_charts(trend, currency, scope_name),
    }
    if summary is not None:
        context.update(_charts(summary, currency, scope_name))
    status = 400 if problem or (form is not None and form.errors) else 200
    return render(request, "risks/analysis.html", context, status=status)


@login_required
def project_analysis(request, code: str):
    return _page(request, project=visible_project(request, code))


@login_required
def program_analysis(request, code: str):
    return _page(request, program=visible_program(request, code))


@login_required
def analysis_progress(request, pk: int):
    """A run's progress bar (htmx polls it every 2 s); once the run has finished, the answer
    asks htmx to reload the page, which then shows the results or the error."""
    run = get_object_or_404(
        AnalysisRun.objects.select_related("task_run", "project", "program").defer("inputs", "results"),
        pk=pk,
    )
    visible = (
        Project.objects.visible_to(request.user).filter(pk=run.project_id)
        if run.project_id
        else Program.objects.overseen_by(request.user).filter(pk=run.program_id)
    )
    if not visible.exists():
        raise Http404
    response = render(request, "risks/_analysis_progress.html", {"in_flight": run})
    if run.status in RUN_FINISHED_STATES and request.htmx:
        response["HX-Refresh"] = "true"
    return response
