"""HTML lists refuse a query parameter they do not read (400 naming it) instead of answering the
whole list as if it were the filtered one; every parameter their filter form sends still works."""

import re

import pytest
from django.urls import reverse

# (url name, needs the project code / program code / nothing)
LISTS = [
    ("portfolio:program-list", None),
    ("projects:project-list", None),
    ("budgets:currency-list", None),
    ("budgets:vendor-list", None),
    ("staffing:person-list", None),
    ("staffing:capacity", None),
    ("staffing:capacity-conflicts", None),
    ("budgets:cost-entry-list", "project"),
    ("risks:project-register", "project"),
    ("risks:issue-list-project", "project"),
    ("budgets:contract-list", "program"),
    ("risks:program-register", "program"),
    ("risks:issue-list-program", "program"),
    ("governance:decision-list", "program"),
    ("governance:ola-list", "program"),
]


def _url(name, scope, program, project):
    if scope == "project":
        return reverse(name, args=[project.code])
    if scope == "program":
        return reverse(name, args=[program.code])
    return reverse(name)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "scope"), LISTS)
def test_unknown_parameter_is_refused_naming_it(client_for, owner, program, project, name, scope):
    url = _url(name, scope, program, project)
    response = client_for(owner).get(url, {"colour": "red"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "“colour”" in text
    assert "is not a filter of this list" in text
    assert f'href="{url}"' in text  # the way back to the unfiltered list


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "scope"), LISTS)
def test_every_parameter_the_filter_form_sends_is_accepted(client_for, owner, program, project, name, scope):
    url = _url(name, scope, program, project)
    client = client_for(owner)
    page = client.get(url)
    assert page.status_code == 200
    # Submitting the page's own filter form, empty, with the page and sort it links to.
    # The top bar's search box (role="search") is a GET form too, but it submits to /search/.
    forms = re.finditer(r'<form([^>]*method="get"[^>]*)>(.*?)</form>', page.content.decode(), re.S | re.I)
    form = next((f for f in forms if 'role="search"' not in f.group(1)), None)
    fields = form.group(2) if form else ""
    names = set(re.findall(r'name="([^"]+)"', fields))
    # A browser sends nothing for an empty multiple select or an unticked box.
    names -= set(re.findall(r'<select[^>]*\bmultiple\b[^>]*name="([^"]+)"', fields))
    names -= set(re.findall(r'<select[^>]*name="([^"]+)"[^>]*\bmultiple\b', fields))
    names -= set(re.findall(r'<input[^>]*type="checkbox"[^>]*name="([^"]+)"', fields))
    names.discard("csrfmiddlewaretoken")
    query = dict.fromkeys(names, "") | {"page": "1", "sort": ""}
    assert client.get(url, query).status_code == 200, sorted(names)


@pytest.mark.django_db
def test_project_list_code_is_refused_not_answered_with_everything(client_for, owner, project):
    response = client_for(owner).get(reverse("projects:project-list"), {"code": project.code})
    assert response.status_code == 400
    assert "“code”" in response.content.decode()
