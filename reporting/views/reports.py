"""The board pack as PDF (WeasyPrint): the portfolio report and the program report. The reads are
reporting.reports; the templates are templates/reporting/pdf/, which draw the same SVG charts as the
pages (reporting.charts) and print the same narrative include."""

from __future__ import annotations

import base64
import logging

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string

from portfolio.models import Portfolio, Program
from risks.charts import analysis as analysis_charts

from .. import reports

logger = logging.getLogger(__name__)


def _image(svg: str | None) -> str | None:
    """A chart as a data: URL for an <img>. WeasyPrint then parses the SVG on its own instead of
    styling its every node with the document's cascade, which halves the layout time of a pack."""
    if not svg:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _charts(pack: reports.BoardPack) -> list[tuple]:
    """Each section with its charts (data: URLs) and their text alternatives."""
    return [
        (
            section,
            _image(section.trends.health_chart),
            _image(section.trends.index_chart),
        )
        for section in pack.sections
    ]


def _analysis_charts(pack: reports.BoardPack) -> dict:
    """The program's risk analysis charts (data: URLs), when the pack has one: the page's own."""
    if pack.analysis is None:
        return {}
    drawn = analysis_charts.analysis_charts(
        pack.analysis.summary, currency=pack.currency, scope_name=pack.sections[0].program.name
    )
    return {
        "analysis_finish_chart": _image(drawn["finish_chart"]),
        "analysis_cost_chart": _image(drawn["cost_chart"]),
        "analysis_tornado": _image(drawn["finish_tornado"]),
    }


def render_pack_html(*, pack: reports.BoardPack, template: str, request=None) -> str:
    context = {"pack": pack, "sections": _charts(pack), **_analysis_charts(pack)}
    return render_to_string(template, context, request=request)


def pack_document(*, pack: reports.BoardPack, template: str, base_url: str, request=None):
    """The laid-out WeasyPrint document (its `.pages`, `.write_pdf()`). Imported lazily: WeasyPrint
    loads Pango when imported, and only these reports need it. `base_url` makes the narrative's
    relative links absolute in the PDF."""
    import weasyprint

    html = render_pack_html(pack=pack, template=template, request=request)
    # The charts are data: URLs; the server fetches nothing else while printing (a link in the
    # text is printed as a link, never fetched).
    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()


# WeasyPrint raises OSError when the operating system lacks Pango (README, "Board pack").
NO_PANGO = (
    "PDF reports are not available on this server: WeasyPrint needs Pango and a font from the operating "
    "system (on Debian or Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 "
    "fonts-dejavu-core). Every figure of the report is on the board and program pages."
)


def _pdf_response(request, *, pack: reports.BoardPack, template: str, slug: str) -> HttpResponse:
    try:
        document = pack_document(
            pack=pack, template=template, base_url=request.build_absolute_uri("/"), request=request
        )
    except OSError:
        logger.exception("WeasyPrint could not load its libraries")
        return HttpResponse(NO_PANGO, status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(document.write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slug}-report-{pack.today:%Y-%m-%d}.pdf"'
    return response


@login_required
def portfolio_report_pdf(request, pk: int):
    portfolio = get_object_or_404(Portfolio.objects.visible_to(request.user), pk=pk)
    pack = reports.portfolio_pack(user=request.user, portfolio=portfolio)
    return _pdf_response(request, pack=pack, template="reporting/pdf/portfolio_report.html", slug="portfolio")


@login_required
def program_report_pdf(request, code: str):
    program = get_object_or_404(
        Program.objects.visible_to(request.user).select_related("portfolio", "manager"), code=code
    )
    pack = reports.program_pack(user=request.user, program=program)
    return _pdf_response(request, pack=pack, template="reporting/pdf/program_report.html", slug=program.code.lower())
