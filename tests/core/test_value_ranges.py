"""The one range of every kind of value (core.bounds), found by walking the models and the API:

- every money, date, duration and percentage field of every model carries the range as
  validators and as a named database check constraint (`<app>_<model>_<field>_in_range`) that
  exists in PostgreSQL and refuses a value just outside it, even written past validation;
- every writable field of every API serializer refuses the values just outside the range at
  both ends with a field error, and takes the value just inside;
- a NUL character in a code or filter answers 400, never 500.

A new field of one of these kinds is covered by adding it to a model: the walk finds it, and
the first test fails until it has its validators and constraint.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, connection, models, transaction
from rest_framework import serializers

from config.api_router import router
from core import bounds
from tests.factories import budgets as budget_factories
from tests.factories import governance as governance_factories
from tests.factories import portfolio as portfolio_factories
from tests.factories import projects as project_factories
from tests.factories import risks as risk_factories
from tests.factories import staffing as staffing_factories

DOMAIN_APPS = ("portfolio", "projects", "budgets", "risks", "staffing", "governance")
CENT = Decimal("0.01")
DAY = dt.timedelta(days=1)

# Fields left out of the walk, each with its reason (none today). Not editable fields are derived
# (e.g. a change request's cost impact, Σ of its bounded lines) and are not walked.
NOT_BOUNDED: set[tuple[str, str, str]] = set()


def kind_of(field: models.Field) -> str | None:
    """'money', 'date', 'minutes', 'days' or 'percent' for a field Keel bounds, else None."""
    if isinstance(field, models.GeneratedField) or not field.editable:
        return None
    if isinstance(field, models.DateTimeField):
        return None  # moments (audit stamps, computed schedule dates); task dates: see below
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, models.DecimalField) and (field.max_digits, field.decimal_places) == (19, 2):
        return "money"
    if isinstance(field, models.IntegerField) and field.name.endswith("_minutes"):
        return "minutes"
    if isinstance(field, models.IntegerField) and field.name.endswith("_days"):
        return "days"
    if isinstance(field, models.DecimalField) and field.name in ("percent_complete", "probability_percent", "weight"):
        return "percent"
    return None


def bounded_fields():
    found = []
    for app in DOMAIN_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                kind = kind_of(field)
                if kind and (app, model.__name__, field.name) not in NOT_BOUNDED:
                    found.append(pytest.param(model, field, kind, id=f"{model._meta.label}.{field.name}"))
    return found


BOUNDED = bounded_fields()


def step(kind):
    return {"date": DAY, "money": CENT, "percent": CENT}.get(kind, 1)


def floor_of(field, kind, low):
    """The lowest value the field takes: core.bounds' floor, or the field's own higher one
    (a reserve transaction or a rate is at least 0.01)."""
    if kind == "date":
        return low
    own = [v.limit_value for v in field.validators if isinstance(v, MinValueValidator)]
    return max([low, *own])


def expected_range(field, kind) -> tuple:
    signed = field.model._meta.label in ("budgets.CostEntry", "governance.ChangeRequestLine", "projects.Dependency")
    signed = signed or (field.model._meta.label, field.name) in (
        ("governance.ChangeRequest", "schedule_impact_days"),
        ("projects.Project", "critical_float_minutes"),  # P6: "critical if total float <= x", x may be < 0
    )
    return {
        "money": (bounds.MONEY_MIN_SIGNED if signed else bounds.MONEY_MIN, bounds.MONEY_MAX),
        "date": (bounds.DATE_MIN, bounds.DATE_MAX),
        "minutes": (-bounds.DURATION_MINUTES_MAX if signed else 0, bounds.DURATION_MINUTES_MAX),
        "days": (-bounds.DAYS_MAX if signed else 0, bounds.DAYS_MAX),
        "percent": (bounds.PERCENT_MIN, bounds.PERCENT_MAX),
    }[kind]


# -- the models: validators and named constraints --------------------------------------------

# Percentages bounded before core.bounds, by constraints of their own name.
EARLIER_PERCENT_CONSTRAINTS = {
    "projects.Task": "percent_range",
    "projects.StatusReport": "percent_range",
    "risks.Risk": "percent_range",
    "portfolio.ProgramObjective": "weight_range",
}


def constraint_name(model, field, kind) -> str:
    prefix = f"{model._meta.app_label}_{model.__name__.lower()}_"
    if kind == "percent" and model._meta.label in EARLIER_PERCENT_CONSTRAINTS:
        return prefix + EARLIER_PERCENT_CONSTRAINTS[model._meta.label]
    return prefix + f"{field.name}_in_range"


def test_the_walk_finds_the_fields_of_every_kind():
    kinds = {param.values[2] for param in BOUNDED}
    assert kinds == {"money", "date", "minutes", "days", "percent"}
    assert len(BOUNDED) > 60


@pytest.mark.parametrize(("model", "field", "kind"), BOUNDED)
def test_every_bounded_field_refuses_just_outside_and_takes_just_inside(model, field, kind):
    low, high = expected_range(field, kind)
    floor = floor_of(field, kind, low)
    for value in (high + step(kind), floor - step(kind)):
        with pytest.raises(ValidationError):
            field.run_validators(value)
    field.run_validators(high)
    field.run_validators(floor)


@pytest.mark.parametrize(("model", "field", "kind"), BOUNDED)
def test_every_bounded_field_has_its_named_check_constraint(model, field, kind):
    assert constraint_name(model, field, kind) in {c.name for c in model._meta.constraints}, (
        f"{model._meta.label}.{field.name} needs bounds.checks(...) in Meta.constraints"
    )


@pytest.mark.django_db
def test_the_named_constraints_exist_in_the_database():
    missing = []
    with connection.cursor() as cursor:
        for param in BOUNDED:
            model, field, kind = param.values
            name = constraint_name(model, field, kind)
            if name not in connection.introspection.get_constraints(cursor, model._meta.db_table):
                missing.append(name)
    assert not missing


FACTORIES = {
    f._meta.model: f
    for module in (
        budget_factories,
        governance_factories,
        portfolio_factories,
        project_factories,
        risk_factories,
        staffing_factories,
    )
    for f in vars(module).values()
    if isinstance(f, type) and hasattr(f, "_meta") and getattr(f._meta, "model", None) is not None
}
WITH_FACTORY = [p for p in BOUNDED if p.values[0] in FACTORIES]


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.parametrize(("model", "field", "kind"), WITH_FACTORY)
def test_the_database_refuses_a_value_just_outside_written_past_validation(model, field, kind):
    row = FACTORIES[model]()
    low, high = expected_range(field, kind)
    for value in (high + step(kind), low - step(kind)):
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.filter(pk=row.pk).update(**{field.name: value})


def test_most_bounded_models_have_a_factory_for_the_database_check():
    assert len(WITH_FACTORY) >= len(BOUNDED) * 3 // 4


# -- the API: every writable serializer field -----------------------------------------------


def serializer_fields():
    """(serializer, field name, model field, kind) for every writable field of every viewset's
    serializer that stores a bounded model field."""
    found, seen = [], set()
    for prefix, viewset, _ in router.registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        if serializer_class is None or not issubclass(serializer_class, serializers.ModelSerializer):
            continue
        model = serializer_class.Meta.model
        for name, field in serializer_class().fields.items():
            if field.read_only or (serializer_class, name) in seen:
                continue
            source = field.source if field.source and "." not in field.source else name
            if source not in {f.name for f in model._meta.concrete_fields}:
                continue  # a computed or input-only field
            model_field = model._meta.get_field(source)
            kind = kind_of(model_field)
            if kind and (model._meta.app_label, model.__name__, source) not in NOT_BOUNDED:
                seen.add((serializer_class, name))
                found.append(pytest.param(serializer_class, name, model_field, kind, id=f"{prefix}.{name}"))
    return found


SERIALIZED = serializer_fields()


def wire(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def test_the_api_walk_finds_money_and_dates():
    kinds = {p.values[3] for p in SERIALIZED}
    assert {"money", "date"} <= kinds
    assert len(SERIALIZED) > 30


@pytest.mark.parametrize(("serializer_class", "name", "model_field", "kind"), SERIALIZED)
def test_every_api_field_refuses_just_outside_the_range_with_a_field_error(serializer_class, name, model_field, kind):
    field = serializer_class().fields[name]
    low, high = expected_range(model_field, kind)
    floor = floor_of(model_field, kind, low)
    for value in (high + step(kind), floor - step(kind)):
        with pytest.raises(serializers.ValidationError):
            field.run_validation(wire(value))
    field.run_validation(wire(high))
    field.run_validation(wire(floor))


# -- text hygiene ----------------------------------------------------------------------------


def test_no_nul_refuses_a_nul_character():
    assert bounds.no_nul("EUR") == "EUR"
    with pytest.raises(ValidationError):
        bounds.no_nul("EU\x00R")


@pytest.mark.django_db
@pytest.mark.parametrize("param", ["currency", "from_currency", "to_currency", "base_currency", "code", "search"])
def test_a_nul_character_in_a_filter_or_code_answers_400_never_500(client_for, owner, project, param):
    budget_factories.CurrencyFactory(code="EUR")
    client, failed = client_for(owner), []
    client.raise_request_exception = False
    for prefix, _, _ in router.registry:
        response = client.get(f"/api/v1/{prefix}/", {param: "EU\x00R"})
        if response.status_code >= 500:
            failed.append(f"GET {prefix}")
        response = client.post(
            f"/api/v1/{prefix}/", {param: "EU\x00R", "currency": "EU\x00R"}, content_type="application/json"
        )
        if response.status_code >= 500:
            failed.append(f"POST {prefix}")
    assert not failed


# -- the HTML forms ----------------------------------------------------------------------------

# Form fields that store a value of another kind, each with its own range on its model field:
# hours (0-168 a week), fiscal years (1900-2200), currency places (0-4), exchange rates (> 0),
# a staffing share (0-100 % or hours, by a constraint of its own), and a benefit's measures,
# which are counts or scores in the benefit's own unit, not money.
OTHER_KINDS = {
    "weekly_capacity_hours",
    "fiscal_year",
    "decimal_places",
    "rate",
    "fte_percent",
    "hours_per_week",
    "baseline_value",
    "target_value",
    "value",
    "version",
}


def form_fields():
    """(form, field name) for every date or number field declared by a form of a domain app."""
    import importlib
    import inspect

    from django import forms

    found = []
    for app in DOMAIN_APPS:
        for name in (f"{app}.forms", f"{app}.forms_import"):
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            for form in vars(module).values():
                if not (inspect.isclass(form) and issubclass(form, forms.BaseForm)) or form.__module__ != name:
                    continue
                for field_name, field in form.base_fields.items():
                    number_or_day = isinstance(field, forms.DecimalField | forms.IntegerField | forms.DateField)
                    if number_or_day and not isinstance(field, forms.DateTimeField) and field_name not in OTHER_KINDS:
                        found.append(pytest.param(form, field_name, id=f"{form.__name__}.{field_name}"))
    return found


BOUNDED_MODEL_FIELDS = {(p.values[0], p.values[1].name) for p in BOUNDED}


@pytest.mark.parametrize(("form", "name"), form_fields())
def test_every_form_field_is_bounded_by_its_model_or_by_itself(form, name):
    """A ModelForm runs its model fields' validators (core.bounds) in _post_clean, so a value
    past the range is an error on that field; a field of no model carries its own bound."""
    model = getattr(getattr(form, "_meta", None), "model", None)
    if model is not None and name in {f.name for f in model._meta.concrete_fields}:
        assert (model, name) in BOUNDED_MODEL_FIELDS
        return
    field = form.base_fields[name]
    own = [v for v in field.validators if isinstance(v, MaxValueValidator) or v is bounds.validate_date_in_range]
    assert own, f"{form.__name__}.{name} needs a bound from core.bounds"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["/projects/EU%00R/", "/programs/EU%00R/", "/projects/EU%00R/costs/", "/api/v1/currencies/EU%00R/"],
)
def test_a_nul_character_in_an_address_is_a_404_never_a_500(client_for, owner, project, url):
    client = client_for(owner)
    client.raise_request_exception = False
    assert client.get(url).status_code == 404
