"""Every page renders a program whose values sit at the edges of core.bounds: the largest
amounts, the longest schedule impact, and dates on the first and last days Keel keeps. Each
page, walked from the URL patterns (a new page is covered once it is routed), answers without a
5xx and stays under PAGE_LIMIT bytes (a chart must not draw every month of a thousand years)."""

import datetime as dt
import re

import pytest
from django.urls import URLResolver, get_resolver

from core import bounds
from projects.services.schedule import task_create
from tests.budgets.test_views_support import *  # noqa: F403 - the money fixtures
from tests.factories.budgets import ContractFactory, CostEntryFactory
from tests.factories.governance import (
    BenefitFactory,
    BenefitMeasurementFactory,
    ChangeRequestFactory,
    DecisionFactory,
    OperatingLevelAgreementFactory,
    StageGateFactory,
)
from tests.factories.projects import StatusReportFactory
from tests.factories.risks import IssueFactory, RiskFactory
from tests.factories.staffing import AbsenceFactory, PersonFactory

pytestmark = pytest.mark.django_db

PAGE_LIMIT = 400_000
# Not pages a person reads: the machine-readable schema is large by nature; files are downloads.
SKIPPED = re.compile(r"^(admin/|api/v1/schema/)|\.(xlsx|xml|json)")


def patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern)


def urls_for(objects):
    """Every routed page, codes filled with the cast's and ids with each of `objects`' ids."""
    for pattern in patterns():
        if "(?P" in pattern or pattern.startswith("^") or SKIPPED.search(pattern):
            continue
        code = "MOD-ERP" if "projects/" in pattern else "CORP" if "portfolios/" in pattern else "MOD"
        base = "/" + re.sub(r"<(str|slug):\w+>", code, pattern)
        yield from ({re.sub(r"<int:\w+>", str(o.pk), base) for o in objects} if "<int:" in base else {base})


@pytest.mark.parametrize("day", [bounds.DATE_MIN, bounds.DATE_MAX], ids=["first-day", "last-day"])
def test_every_page_renders_values_at_the_edges_of_the_range(client_for, owner, money, program, category, eur, day):
    program.start_date, program.finish_date = bounds.DATE_MIN, bounds.DATE_MAX
    program.contingency_reserve = bounds.MONEY_MAX
    program.save()
    money.planned_start, money.planned_finish = bounds.DATE_MIN, bounds.DATE_MAX
    money.save()
    CostEntryFactory(project=money, category=category, date=day, amount=bounds.MONEY_MAX, currency=eur)
    moment = dt.datetime.combine(day + dt.timedelta(days=2 if day == bounds.DATE_MIN else -2), dt.time(8), dt.UTC)
    task_create(
        actor=owner, project=money, name="Far", duration_minutes=480, constraint_type="MSO", constraint_date=moment
    )
    benefit = BenefitFactory(program=program, realisation_date=day)
    BenefitMeasurementFactory(benefit=benefit, measured_on=day)
    StatusReportFactory(project=money, period_end=day)
    person = PersonFactory()
    AbsenceFactory(person=person, start=bounds.DATE_MIN, end=bounds.DATE_MAX)
    OperatingLevelAgreementFactory(program=program, start_date=bounds.DATE_MIN, review_date=bounds.DATE_MAX)
    objects = [
        benefit,
        person,
        RiskFactory(
            project=money,
            cost_impact=bounds.MONEY_MAX,
            schedule_impact_days=bounds.DAYS_MAX,
            trigger_date=day,
            proximity_date=day,
        ),
        IssueFactory(project=money, due_date=day),
        StageGateFactory(project=money, planned_date=day),
        DecisionFactory(program=program, decided_on=day),
        ChangeRequestFactory(project=money, schedule_impact_days=-bounds.DAYS_MAX),
        ContractFactory(
            program=program,
            ceiling=bounds.MONEY_MAX,
            obligated=bounds.MONEY_MAX,
            period_start=bounds.DATE_MIN,
            period_end=bounds.DATE_MAX,
        ),
    ]
    client = client_for(owner)
    client.raise_request_exception = False
    failed, pages = [], 0
    for url in urls_for(objects):
        response = client.get(url)
        pages += response.status_code == 200
        if response.status_code >= 500 or len(response.content) > PAGE_LIMIT:
            failed.append((url, response.status_code, len(response.content)))
    assert not failed
    assert pages > 50
