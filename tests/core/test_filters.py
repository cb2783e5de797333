"""Every API list refuses a query parameter it does not know, and knows every one it documents."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from config.api_router import router
from core.filters import filter_param_names
from projects.filters import TaskFilterSet

API = "/api/v1"


def list_prefixes() -> list[str]:
    """Every registered resource with a list route."""
    return sorted(prefix for prefix, viewset, _ in router.registry if hasattr(viewset, "list"))


@pytest.fixture(scope="module")
def documented_params(django_db_blocker) -> dict[str, list[str]]:
    with django_db_blocker.unblock():
        paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return {
        prefix: [p["name"] for p in paths[f"{API}/{prefix}/"]["get"].get("parameters", []) if p["in"] == "query"]
        for prefix in list_prefixes()
    }


def test_the_walk_covers_the_lists():
    assert {"projects", "tasks", "risks", "cost-entries", "change-requests", "people"} <= set(list_prefixes())


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", list_prefixes())
def test_list_answers_400_naming_an_unknown_parameter(api_for, owner, prefix):
    response = api_for(owner).get(f"{API}/{prefix}/", {"colour": "red", "page": 1})
    assert response.status_code == 400, (prefix, response.content[:300])
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("colour", "unknown_parameter")
    assert "“colour”" in error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", list_prefixes())
def test_list_knows_every_parameter_its_schema_documents(api_for, owner, prefix, documented_params):
    params = dict.fromkeys(documented_params[prefix], "1")
    response = api_for(owner).get(f"{API}/{prefix}/", params)
    codes = {e["code"] for e in response.json().get("errors", [])} if response.status_code == 400 else set()
    assert "unknown_parameter" not in codes, (prefix, response.json())


def test_a_date_range_filter_is_read_as_its_two_halves():
    import django_filters

    class Ranged(TaskFilterSet):
        window = django_filters.DateFromToRangeFilter(field_name="start")

    assert {"window_after", "window_before", "q"} <= filter_param_names(Ranged)
    assert "window" not in filter_param_names(Ranged)


@pytest.mark.django_db
def test_projects_refuse_code_which_is_not_one_of_their_filters(api_for, owner, project):
    response = api_for(owner).get(f"{API}/projects/", {"code": project.code})
    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "code")
    assert api_for(owner).get(f"{API}/projects/", {"q": project.code}).json()["count"] == 1


@pytest.mark.django_db
def test_detail_routes_are_not_checked(api_for, owner, project):
    assert api_for(owner).get(f"{API}/projects/{project.pk}/", {"code": "X"}).status_code == 200
