"""Currencies and exchange rates: read by everyone signed in, maintained by reference-data
editors (a portfolio admin or finance analyst role on some portfolio); others get 404 on the
write URLs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core.views import filters_active, paginate, refuse_unknown_filters

from ..filters import ExchangeRateFilterSet
from ..forms import CurrencyEditForm, CurrencyForm, ExchangeRateEditForm, ExchangeRateForm, scope_rate_filters
from ..models import Currency, ExchangeRate
from ..selectors import currency_list as currencies_of
from ..selectors import exchange_rate_list
from ..services import currency_create, currency_update, exchange_rate_create, exchange_rate_update
from ._common import done, may_edit_reference_data

CURRENCY_ADDED = "Currency {code} added."
CURRENCY_SAVED = "Currency {code} saved."
RATE_ADDED = "Rate {rate} added."
RATE_SAVED = "Rate {rate} saved."


def _list_url() -> str:
    return reverse("budgets:currency-list")


def _editor_only(request) -> None:
    if not may_edit_reference_data(request.user):
        raise Http404


@login_required
def currency_list(request):
    """The currencies and, below them, the exchange rates (filtered, paginated)."""
    filterset = ExchangeRateFilterSet(request.GET, queryset=exchange_rate_list(user=request.user), request=request)
    scope_rate_filters(filterset)
    if refused := refuse_unknown_filters(request, filterset):
        return refused
    context = {
        "currencies": list(currencies_of(user=request.user).order_by("code")),
        "filter": filterset,
        "filters_active": filters_active(request),
        "page": paginate(request, filterset.qs.order_by("from_currency", "to_currency", "-valid_on", "pk")),
        "can_edit": may_edit_reference_data(request.user),
    }
    return render(request, "budgets/currency_list.html", context)


@login_required
def currency_add(request):
    _editor_only(request)
    form = CurrencyForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            currency = currency_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return done(request, _list_url(), CURRENCY_ADDED.format(code=currency.code))
    return render(request, "budgets/reference_form.html", {"form": form, "title": "New currency"})


@login_required
def currency_edit(request, currency: str):
    _editor_only(request)
    row = get_object_or_404(Currency.objects.editable_by(request.user), code=currency)
    form = CurrencyEditForm(request.POST or None, instance=row)
    if form.is_bound and form.is_valid():
        try:
            row = currency_update(actor=request.user, currency=row, data=form.service_data())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return done(request, _list_url(), CURRENCY_SAVED.format(code=row.code))
    return render(request, "budgets/reference_form.html", {"form": form, "title": f"Edit currency {row.code}"})


def _rate_text(rate: ExchangeRate) -> str:
    return f"1 {rate.from_currency_id} = {rate.rate.normalize():f} {rate.to_currency_id} from {rate.valid_on:%d %b %Y}"


@login_required
def exchange_rate_add(request):
    _editor_only(request)
    form = ExchangeRateForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            rate = exchange_rate_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return done(request, _list_url(), RATE_ADDED.format(rate=_rate_text(rate)))
    return render(request, "budgets/reference_form.html", {"form": form, "title": "New exchange rate"})


@login_required
def exchange_rate_edit(request, pk: int):
    _editor_only(request)
    rate = get_object_or_404(ExchangeRate.objects.editable_by(request.user), pk=pk)
    form = ExchangeRateEditForm(request.POST or None, instance=rate)
    if form.is_bound and form.is_valid():
        saved = form.save_with(
            lambda version: exchange_rate_update(
                actor=request.user,
                exchange_rate=rate,
                data=form.service_data(),
                expected_version=version,
            )
        )
        if saved is not None:
            rate = saved
            return done(request, _list_url(), RATE_SAVED.format(rate=_rate_text(rate)))
    status = 409 if form.stale else 200
    context = {"form": form, "title": "Edit exchange rate"}
    return render(request, "budgets/reference_form.html", context, status=status)
