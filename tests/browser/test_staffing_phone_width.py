"""The staffing pages at a 390 px phone width on the small demo: the page itself never scrolls
sideways (the capacity heat map, the person's weekly table and the staffing tables scroll inside
their own frames, the heat map with a visible cue); the headings, filters and legend wrap.

The capacity page was 947 px wide at 390: each heat-map cell carries a visually-hidden (absolutely
positioned) text, and a scroller that is not positioned does not contain those, so they stretched
the page to the table's full width."""

import pytest
from django.utils import timezone

from staffing.models import Allocation

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 900}


def staffing_urls() -> list[str]:
    # An allocation running now, so the project-filtered heat map has rows.
    today = timezone.localdate()
    allocation = (
        Allocation.objects.filter(start__lte=today, end__gte=today)
        .select_related("project__program")
        .order_by("pk")
        .first()
    )
    assert allocation is not None, "the demo has an allocation running today"
    project, person = allocation.project, allocation.person_id
    return [
        "/staffing/capacity/",
        "/staffing/capacity/?weeks=26",
        f"/staffing/capacity/?project={project.code}&weeks=26",  # the filters open
        "/staffing/capacity/conflicts/?weeks=26",
        "/people/",
        f"/people/{person}/",
        f"/people/{person}/edit/",
        "/people/add/",
        f"/projects/{project.code}/staffing/",
        f"/programs/{project.program.code}/staffing/",
    ]


def test_no_staffing_page_scrolls_sideways_at_390(demo, page_as):
    page = page_as("portfolio_admin")  # a resource manager: the edit forms and tables show too
    page.set_viewport_size(PHONE)
    wide = {}
    for url in staffing_urls():
        page.goto(url)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide[url] = width
    assert wide == {}, f"pages wider than 390 px: {wide}"
    assert page.problems == []


def test_the_heat_map_scrolls_inside_its_frame_with_a_visible_cue(demo, page_as):
    page = page_as("portfolio_admin")
    page.set_viewport_size(PHONE)
    page.goto("/staffing/capacity/?weeks=26")
    frame = page.locator(".heatmap-wrap")
    assert frame.evaluate("(e) => e.scrollWidth > e.clientWidth")  # the weeks are there, inside
    assert page.locator(".scroll-cue").first.is_visible()
    legend = page.locator(".heat-legend").bounding_box()
    assert legend["x"] + legend["width"] <= PHONE["width"]
