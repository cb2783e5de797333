"""Bad input on every staffing endpoint and form: what an integration or a careless user sends gets
a 4xx naming the field (never a 500, never a half-written change); unknown filters and orderings
give DRF's usual clean answer; computed windows are capped before anything is computed."""

import datetime as dt
from decimal import Decimal

import pytest

from core.models import AuditEntry
from staffing import selectors
from staffing.models import Allocation, StaffingRequest
from staffing.serializers import SCOPE_AT_MOST_ONE, SCOPE_EXACTLY_ONE
from tests.factories.portfolio import PortfolioFactory, ProgramFactory
from tests.factories.projects import ProjectFactory
from tests.factories.staffing import (
    AbsenceFactory,
    AllocationFactory,
    CostRateFactory,
    PersonFactory,
    RoleFactory,
    StaffingRequestFactory,
)
from tests.factories.users import UserFactory

pytestmark = pytest.mark.django_db

HUGE = 10**30


def url(prefix, pk=None, action=None):
    return f"/api/v1/{prefix}/" + (f"{pk}/" if pk else "") + (f"{action}/" if action else "")


def fields_of(response, status=400):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return {(e["field"] or "") for e in response.json()["errors"]}


@pytest.fixture
def world(portfolio, program, project, person, analyst_role, eur):
    """One of each staffing row in the CORP pool, plus another portfolio's pool (person, role,
    program, project)."""
    other = PortfolioFactory(code="ELSE")
    other_program = ProgramFactory(portfolio=other, code="ELSE-P")
    request = StaffingRequestFactory(project=project, role=analyst_role)
    return {
        "portfolio": portfolio,
        "program": program,
        "project": project,
        "person": person,
        "role": analyst_role,
        "other": other,
        "other_program": other_program,
        "other_project": ProjectFactory(program=other_program, code="ELSE-1"),
        "other_person": PersonFactory(portfolio=other),
        "other_role": RoleFactory(portfolio=other),
        "second_role": RoleFactory(portfolio=portfolio, code="DEV"),
        "rate": CostRateFactory(person=person, currency=eur),
        "absence": AbsenceFactory(person=person),
        "request": request,
        "allocation": AllocationFactory(person=person, project=project, role=analyst_role),
    }


BODIES = {
    "staffing-roles": (lambda w: {"portfolio": w["portfolio"].pk, "code": "QA", "name": "Tester"}, "role"),
    "people": (
        lambda w: {
            "portfolio": w["portfolio"].pk,
            "name": "Bob",
            "roles": [w["role"].pk],
            "weekly_capacity_hours": "40",
        },
        "person",
    ),
    "cost-rates": (
        lambda w: {"person": w["person"].pk, "effective_from": "2026-05-01", "hourly_rate": "95", "currency": "EUR"},
        "rate",
    ),
    "absences": (lambda w: {"person": w["person"].pk, "start": "2026-05-04", "end": "2026-05-08"}, "absence"),
    "allocations": (
        lambda w: {
            "person": w["person"].pk,
            "project": w["project"].pk,
            "role": w["role"].pk,
            "start": "2026-05-04",
            "end": "2026-05-29",
            "fte_percent": "50",
        },
        "allocation",
    ),
    "staffing-requests": (
        lambda w: {
            "project": w["project"].pk,
            "role": w["role"].pk,
            "start": "2026-05-04",
            "end": "2026-05-29",
            "hours_per_week": "20",
        },
        "request",
    ),
}

NOT_NUMBERS = ["abc", "1e999", "NaN", "Infinity", "-Infinity", HUGE, "", None, [1], {"a": 1}]
NOT_DATES = ["2026-13-45", "2026-02-30", "", None, "garbage", ["2026-01-01"]]
NOT_IDS = [999999, HUGE, "abc", "", None, [1], {"id": 1}]

BAD_FIELDS = [
    *(("staffing-roles", "portfolio", v, "portfolio") for v in [*NOT_IDS, "<other>"]),
    ("staffing-roles", "code", "", "code"),
    ("staffing-roles", "code", "bad code!", "code"),
    ("staffing-roles", "code", "BA", "code"),  # taken in this pool
    ("staffing-roles", "code", None, "code"),
    ("staffing-roles", "name", None, "name"),
    *(("staffing-roles", "standard_rate", v, "standard_rate") for v in ["abc", "1e999", "NaN", "Infinity", "0", "-5"]),
    *(("people", "portfolio", v, "portfolio") for v in [*NOT_IDS, "<other>"]),
    ("people", "name", "", "name"),
    ("people", "name", ["Bob"], "name"),
    ("people", "email", "not an email", "email"),
    ("people", "roles", "<other_role>", "roles"),
    ("people", "roles", [999999], "roles"),
    ("people", "roles", [HUGE], "roles"),
    ("people", "roles", ["<other_role>"], "roles"),
    ("people", "primary_role", "<other_role>", "primary_role"),
    ("people", "user", 999999, "user"),
    ("people", "user", "abc", "user"),
    *(("people", "weekly_capacity_hours", v, "weekly_capacity_hours") for v in [*NOT_NUMBERS, "-1", "169"]),
    *(("cost-rates", "person", v, "person") for v in [*NOT_IDS, "<other_person>"]),
    *(("cost-rates", "effective_from", v, "effective_from") for v in NOT_DATES),
    *(("cost-rates", "hourly_rate", v, "hourly_rate") for v in [*NOT_NUMBERS, "-1"]),
    ("cost-rates", "currency", "XXX", "currency"),
    ("cost-rates", "currency", ["EUR"], "currency"),
    *(("absences", "person", v, "person") for v in [*NOT_IDS, "<other_person>"]),
    *(("absences", "start", v, "start") for v in NOT_DATES),
    ("absences", "end", "2026-05-01", "end"),  # before the start
    ("absences", "kind", "bogus", "kind"),
    *(("allocations", "person", v, "person") for v in [*NOT_IDS, "<other_person>"]),
    *(("allocations", "project", v, "project") for v in [*NOT_IDS, "<other_project>"]),
    *(("allocations", "role", v, "role") for v in [*NOT_IDS, "<other_role>"]),
    *(("allocations", "start", v, "start") for v in NOT_DATES),
    ("allocations", "end", "2026-05-01", "end"),
    *(("allocations", "fte_percent", v, "fte_percent") for v in ["abc", "1e999", "NaN", "Infinity", HUGE, "0", "101"]),
    ("allocations", "hours_per_week", "20", "hours_per_week"),  # both amounts
    ("allocations", "fte_percent", None, "hours_per_week"),  # neither
    ("allocations", "request", 999999, "request"),
    ("allocations", "request", "<other_request>", "request"),
    ("allocations", "notes", ["a"], "notes"),
    *(("staffing-requests", "project", v, "project") for v in [*NOT_IDS, "<other_project>"]),
    *(("staffing-requests", "role", v, "role") for v in [*NOT_IDS, "<other_role>"]),
    *(("staffing-requests", "start", v, "start") for v in NOT_DATES),
    *(("staffing-requests", "hours_per_week", v, "hours_per_week") for v in ["abc", "NaN", "1e999", "0", "200"]),
    ("staffing-requests", "fte_percent", "50", "fte_percent"),  # both amounts
    ("staffing-requests", "hours_per_week", None, "fte_percent"),  # neither
]

BAD_PATCHES = [
    ("staffing-roles", {"standard_rate": "NaN"}, "standard_rate"),
    ("staffing-roles", {"portfolio": "<other>"}, "portfolio"),
    ("staffing-roles", {"code": "DEV"}, "code"),  # another role's code
    ("people", {"weekly_capacity_hours": "1e999"}, "weekly_capacity_hours"),
    ("people", {"roles": ["<other_role>"]}, "roles"),
    ("people", {"portfolio": "<other>"}, "portfolio"),
    ("cost-rates", {"hourly_rate": "Infinity"}, "hourly_rate"),
    ("cost-rates", {"person": "<other_person>"}, "person"),
    ("absences", {"end": "2026-01-01"}, "end"),
    ("absences", {"start": "2026-13-45"}, "start"),
    ("allocations", {"fte_percent": "150"}, "fte_percent"),
    ("allocations", {"fte_percent": "50", "hours_per_week": "10"}, "fte_percent"),
    ("allocations", {"fte_percent": None}, "hours_per_week"),
    ("allocations", {"role": "<other_role>"}, "role"),
    ("allocations", {"person": "<other_person>"}, "person"),
    ("allocations", {"project": "<other_project>"}, "project"),
    ("staffing-requests", {"hours_per_week": "-4"}, "hours_per_week"),
    ("staffing-requests", {"fte_percent": "50", "hours_per_week": "10"}, "hours_per_week"),
    ("staffing-requests", {"end": "2020-01-01"}, "end"),
    ("staffing-requests", {"role": "<other_role>"}, "role"),
]


def resolve(value, w):
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        key = value[1:-1]
        if key == "other_request":
            other = StaffingRequestFactory(project=ProjectFactory(program=w["program"]), role=w["role"])
            return other.pk
        return w[key].pk
    if isinstance(value, list):
        return [resolve(v, w) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, w) for k, v in value.items()}
    return value


def _model_of(prefix):
    from staffing.api import ROUTES

    return next(viewset for p, viewset, _ in ROUTES if p == prefix).model


@pytest.mark.parametrize(("prefix", "field", "value", "named"), BAD_FIELDS, ids=lambda v: str(v)[:30])
def test_bad_field_on_create_is_400_naming_it_and_writes_nothing(
    api_for, resource_manager, world, prefix, field, value, named
):
    body, _ = BODIES[prefix]
    model = _model_of(prefix)
    payload = {**body(world), field: resolve(value, world)}
    before = (model.objects.count(), AuditEntry.objects.count())
    response = api_for(resource_manager).post(url(prefix), payload, format="json")
    assert named in fields_of(response)
    assert (model.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("prefix", sorted(BODIES))
def test_the_good_body_is_created(api_for, resource_manager, world, prefix):
    body, _ = BODIES[prefix]
    response = api_for(resource_manager).post(url(prefix), body(world), format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(("prefix", "change", "named"), BAD_PATCHES, ids=lambda v: str(v)[:30])
def test_bad_patch_is_400_naming_the_field_and_changes_nothing(api_for, resource_manager, world, prefix, change, named):
    _, key = BODIES[prefix]
    row = world[key]
    response = api_for(resource_manager).patch(url(prefix, row.pk), resolve(change, world), format="json")
    assert named in fields_of(response)
    row.refresh_from_db()
    assert row.version == 1


def test_patching_one_amount_of_a_request_switches_to_it(api_for, resource_manager, world):
    """As for allocations: hours alone on an FTE request replace the percentage (it used to be
    refused as "both")."""
    request = world["request"]
    response = api_for(resource_manager).patch(url("staffing-requests", request.pk), {"hours_per_week": "20"})
    assert response.status_code == 200, response.json()
    assert (response.json()["fte_percent"], response.json()["hours_per_week"]) == (None, "20.00")


@pytest.mark.parametrize("prefix", sorted(BODIES))
@pytest.mark.parametrize("body", ["[]", '"text"', "5", "null", '[{"a": 1}]', "{not json"])
def test_json_that_is_not_an_object_is_400(api_for, resource_manager, world, prefix, body):
    _, key = BODIES[prefix]
    client = api_for(resource_manager)
    assert client.post(url(prefix), body, content_type="application/json").status_code == 400
    assert client.patch(url(prefix, world[key].pk), body, content_type="application/json").status_code == 400


@pytest.mark.parametrize("prefix", sorted(BODIES))
def test_stale_if_match_is_412_and_changes_nothing(api_for, resource_manager, world, prefix):
    _, key = BODIES[prefix]
    row = world[key]
    client = api_for(resource_manager)
    assert client.patch(url(prefix, row.pk), {}, format="json", headers={"If-Match": '"7"'}).status_code == 412
    assert client.patch(url(prefix, row.pk), {}, format="json", headers={"If-Match": "soon"}).status_code == 412
    assert client.delete(url(prefix, row.pk), headers={"If-Match": '"7"'}).status_code == 412
    row.refresh_from_db()
    assert row.version == 1


@pytest.mark.parametrize("prefix", sorted(BODIES))
@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"page": 999999}, 404),  # DRF: "Invalid page."
        ({"page": "abc"}, 404),
        ({"ordering": "nonexistent"}, 200),
        ({"unknown_filter": "x"}, 400),  # refused, naming the parameter (core.filters)
        ({"page_size": HUGE}, 200),
    ],
    ids=repr,
)
def test_list_queries_get_drfs_usual_answer(api_for, resource_manager, world, prefix, query, status):
    assert api_for(resource_manager).get(url(prefix), query).status_code == status


@pytest.mark.parametrize(
    ("prefix", "query", "named"),
    [
        ("people", {"portfolio": "abc"}, "portfolio"),
        ("people", {"role": str(HUGE)}, "role"),
        ("cost-rates", {"effective_after": "2026-13-45"}, "effective_after"),
        ("absences", {"active_on": "garbage"}, "active_on"),
        ("absences", {"kind": "bogus"}, "kind"),
        ("allocations", {"person": "abc"}, "person"),
        ("allocations", {"ends_after": "2026-02-30"}, "ends_after"),
        ("staffing-requests", {"status": "bogus"}, "status"),
        ("staffing-requests", {"project": "NaN"}, "project"),
    ],
    ids=repr,
)
def test_a_filter_value_of_the_wrong_type_is_400_naming_it(api_for, resource_manager, world, prefix, query, named):
    assert named in fields_of(api_for(resource_manager).get(url(prefix), query))


@pytest.mark.parametrize("prefix", sorted(BODIES))
@pytest.mark.parametrize("pk", ["abc", str(HUGE), "999999"])
def test_unknown_or_malformed_id_is_404(api_for, resource_manager, world, prefix, pk):
    assert api_for(resource_manager).get(url(prefix, pk)).status_code == 404


def test_an_outsider_gets_404_for_every_row(api_for, outsider, world):
    client = api_for(outsider)
    for prefix, (_, key) in BODIES.items():
        assert client.get(url(prefix, world[key].pk)).status_code == 404, prefix


# -- computed endpoints ----------------------------------------------------------------------------

COMPUTED = {
    "utilisation": lambda w: url("people", w["person"].pk, "utilisation"),
    "capacity": lambda w: url("people", action="capacity"),
    "conflicts": lambda w: url("allocations", action="conflicts"),
    "labour-forecast": lambda w: url("allocations", action="labour-forecast"),
    "gaps": lambda w: url("staffing-requests", action="gaps"),
}
# A valid scope for each, to which the bad parameter is added.
SCOPES = {
    "utilisation": lambda w: {},
    "capacity": lambda w: {},
    "conflicts": lambda w: {"program": w["program"].pk},
    "labour-forecast": lambda w: {"project": w["project"].pk},
    "gaps": lambda w: {"program": w["program"].pk},
}
WINDOWED = ["utilisation", "capacity", "conflicts"]

BAD_WINDOWS = [
    ({"start": "garbage", "weeks": -1}, {"start", "weeks"}),
    ({"weeks": 100000}, {"weeks"}),  # refused, not computed
    ({"weeks": 0}, {"weeks"}),
    ({"weeks": "abc"}, {"weeks"}),
    ({"weeks": "1e999"}, {"weeks"}),
    ({"weeks": str(HUGE)}, {"weeks"}),
    ({"start": "2026-13-45"}, {"start"}),
    ({"start": "0001-01-01"}, {"start"}),
    ({"start": "9999-12-31", "weeks": 104}, {"start"}),
]


@pytest.mark.parametrize("endpoint", WINDOWED)
@pytest.mark.parametrize(("query", "named"), BAD_WINDOWS, ids=repr)
def test_a_bad_window_is_400_naming_it(api_for, resource_manager, world, endpoint, query, named):
    response = api_for(resource_manager).get(COMPUTED[endpoint](world), {**SCOPES[endpoint](world), **query})
    assert fields_of(response) == named


@pytest.mark.parametrize(
    ("endpoint", "query", "named"),
    [
        ("conflicts", {}, "portfolio"),  # no scope
        ("conflicts", {"program": "<program>", "project": "<project>"}, "project"),  # two
        ("conflicts", {"portfolio": "<portfolio>", "program": "<program>"}, "program"),
        ("conflicts", {"program": "abc"}, "program"),
        ("conflicts", {"project": str(HUGE)}, "project"),
        ("conflicts", {"project": "-1"}, "project"),
        ("capacity", {"program": "<program>", "project": "<project>"}, "project"),
        ("capacity", {"role": "1e999"}, "role"),
        ("capacity", {"department": "x" * 101}, "department"),
        ("labour-forecast", {}, "project"),
        ("labour-forecast", {"project": "abc"}, "project"),
        ("labour-forecast", {"project": str(HUGE)}, "project"),
        ("gaps", {}, "program"),
        ("gaps", {"program": "<program>", "project": "<project>"}, "project"),
        ("gaps", {"project": "<project>", "current_from": "2026-13-45"}, "current_from"),
    ],
    ids=repr,
)
def test_a_missing_double_or_malformed_scope_is_400_naming_it(api_for, resource_manager, world, endpoint, query, named):
    query = {k: resolve(v, world) for k, v in query.items()}
    assert fields_of(api_for(resource_manager).get(COMPUTED[endpoint](world), query)) == {named}


def test_the_scope_messages_say_what_to_give(api_for, resource_manager, world):
    client = api_for(resource_manager)
    none = client.get(COMPUTED["conflicts"](world)).json()["errors"][0]["message"]
    assert none == SCOPE_EXACTLY_ONE.format(names="portfolio / program / project")
    both = {"program": world["program"].pk, "project": world["project"].pk}
    two = client.get(COMPUTED["capacity"](world), both).json()["errors"][0]["message"]
    assert two == SCOPE_AT_MOST_ONE.format(names="program / project")


@pytest.mark.parametrize(
    ("endpoint", "key"),
    [
        ("conflicts", "other"),
        ("conflicts", "other_program"),
        ("conflicts", "other_project"),
        ("labour-forecast", "other_project"),
        ("gaps", "other_program"),
        ("gaps", "other_project"),
    ],
)
def test_a_scope_the_user_cannot_see_is_404(api_for, resource_manager, world, endpoint, key):
    name = {"other": "portfolio", "other_program": "program", "other_project": "project"}[key]
    response = api_for(resource_manager).get(COMPUTED[endpoint](world), {name: world[key].pk})
    assert response.status_code == 404


@pytest.mark.parametrize("query", [{"role": "<other_role>"}, {"portfolio": "<other>"}, {"program": 999999}], ids=repr)
def test_a_capacity_filter_the_user_cannot_see_is_404(api_for, resource_manager, world, query):
    query = {k: resolve(v, world) for k, v in query.items()}
    assert api_for(resource_manager).get(COMPUTED["capacity"](world), query).status_code == 404


@pytest.mark.parametrize("pk", ["999999", "<other_person>"])
def test_utilisation_of_an_unknown_or_hidden_person_is_404(api_for, resource_manager, world, pk):
    pk = resolve(pk, world)
    assert api_for(resource_manager).get(url("people", pk, "utilisation")).status_code == 404


def test_computed_answers_page_past_the_end_is_404(api_for, resource_manager, world):
    client = api_for(resource_manager)
    assert client.get(COMPUTED["capacity"](world), {"page": 999999}).status_code == 404
    conflicts = client.get(COMPUTED["conflicts"](world), {"program": world["program"].pk, "page": 999999})
    assert conflicts.status_code == 404


def test_the_window_is_capped_in_the_selector_too(world):
    """A caller that skips input validation still gets a bounded window."""
    mondays, first, _ = selectors.window(dt.date(1, 1, 1), 100000)
    assert len(mondays) == selectors.MAX_WEEKS
    assert first >= selectors.EARLIEST_START
    mondays, _, last = selectors.window(dt.date(9999, 12, 31), 104)
    assert last.year < 9999


# -- actions ---------------------------------------------------------------------------------------


def test_cancelling_twice_is_400_on_status(api_for, resource_manager, world):
    request, client = world["request"], api_for(resource_manager)
    assert client.post(url("staffing-requests", request.pk, "cancel")).status_code == 200
    assert fields_of(client.post(url("staffing-requests", request.pk, "cancel"))) == {"status"}


def test_cancelling_with_a_stale_if_match_is_412(api_for, resource_manager, world):
    request = world["request"]
    response = api_for(resource_manager).post(
        url("staffing-requests", request.pk, "cancel"), headers={"If-Match": '"5"'}
    )
    assert response.status_code == 412
    request.refresh_from_db()
    assert request.status != StaffingRequest.Status.CANCELLED


def test_allocating_to_a_cancelled_request_is_400_on_request(api_for, resource_manager, world):
    request, client = world["request"], api_for(resource_manager)
    client.post(url("staffing-requests", request.pk, "cancel"))
    body = {**BODIES["allocations"][0](world), "request": request.pk}
    assert "request" in fields_of(client.post(url("allocations"), body, format="json"))
    assert Allocation.objects.filter(request=request).count() == 0


# -- HTML forms ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"start": "0001-01-01"}, "start"),
        ({"start": "9999-12-31", "weeks": "26"}, "start"),
        ({"start": "2026-13-45", "weeks": "-1"}, "start"),
        ({"weeks": "100000"}, "weeks"),
        ({"portfolio": str(HUGE)}, "portfolio"),
        ({"role": "1e999"}, "role"),
        ({"program": "abc"}, "program"),
        ({"project": "x" * 40}, "project"),
    ],
    ids=repr,
)
def test_capacity_page_reports_a_bad_filter_on_its_field(client_for, resource_manager, world, query, named):
    response = client_for(resource_manager).get("/staffing/capacity/", query)
    assert response.status_code == 200
    assert named in response.context["form"].errors


@pytest.mark.parametrize("roles", [[str(HUGE)], ["abc"], ["-1"], ["999999"]])
def test_person_form_refuses_malformed_role_ids_on_roles(client_for, resource_manager, world, roles):
    data = {"portfolio": world["portfolio"].pk, "name": "Bob", "roles": roles, "weekly_capacity_hours": "40"}
    before = AuditEntry.objects.count()
    response = client_for(resource_manager).post("/people/add/", data)
    assert response.status_code in (200, 400)
    assert "roles" in response.context["form"].errors
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fte_percent", "NaN"),
        ("fte_percent", "1e999"),
        ("hours_per_week", "Infinity"),
        ("start", "2026-13-45"),
        ("person", str(HUGE)),
        ("role", "abc"),
        ("request", "999999"),
    ],
)
def test_allocation_form_refuses_bad_input_on_its_field(client_for, resource_manager, world, field, value):
    data = {
        "person": world["person"].pk,
        "role": world["role"].pk,
        "start": "2026-05-04",
        "end": "2026-05-29",
        "fte_percent": "50",
        field: value,
    }
    before = Allocation.objects.count()
    response = client_for(resource_manager).post(f"/projects/{world['project'].code}/staffing/allocations/add/", data)
    assert response.status_code in (200, 400)
    assert field in response.context["allocation_form"].errors
    assert Allocation.objects.count() == before


def test_a_user_id_that_does_not_exist_is_refused_on_user(api_for, resource_manager, world):
    body = {**BODIES["people"][0](world), "user": UserFactory().pk + 1000}
    assert "user" in fields_of(api_for(resource_manager).post(url("people"), body, format="json"))


def test_hourly_rate_has_two_places(api_for, resource_manager, world):
    body = {**BODIES["cost-rates"][0](world), "hourly_rate": "10.123"}
    assert "hourly_rate" in fields_of(api_for(resource_manager).post(url("cost-rates"), body, format="json"))
    assert Decimal(world["rate"].hourly_rate) == Decimal("100.00")
