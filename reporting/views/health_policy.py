"""A portfolio's health thresholds, for its portfolio admins: the form (defaults shown beside each
field) and "Reset to defaults" with a confirmation step. Anyone else gets 404, as for every edit
URL; the API (reporting.api.HealthPolicyViewSet) lets readers see the thresholds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from portfolio.models import Portfolio

from ..forms import HealthPolicyForm
from ..services.health_policy import health_policy_for, health_policy_reset, health_policy_update

THRESHOLDS_SAVED = "Health thresholds of {portfolio} saved; computed health is being recomputed."
THRESHOLDS_RESET = "Health thresholds of {portfolio} are back to the defaults; computed health is being recomputed."


def _administered_portfolio(request, pk: int) -> Portfolio:
    """The portfolio `pk` if the user is its portfolio admin (404 otherwise, even for readers)."""
    return get_object_or_404(Portfolio.objects.editable_by(request.user), pk=pk)


@login_required
def health_thresholds(request, pk: int):
    portfolio = _administered_portfolio(request, pk)
    policy = health_policy_for(portfolio=portfolio)
    form = HealthPolicyForm(request.POST or None, policy=policy)
    if form.is_bound and form.is_valid():
        try:
            health_policy_update(actor=request.user, portfolio=portfolio, data=form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, THRESHOLDS_SAVED.format(portfolio=portfolio.name))
            return redirect("reporting:health-thresholds", portfolio.pk)
    context = {"portfolio": portfolio, "policy": policy, "form": form, "customised": policy.pk is not None}
    return render(request, "reporting/health_thresholds.html", context, status=400 if form.errors else 200)


@login_required
def health_thresholds_reset(request, pk: int):
    """GET: the confirmation; POST: back to the defaults."""
    portfolio = _administered_portfolio(request, pk)
    if request.method == "POST":
        health_policy_reset(actor=request.user, portfolio=portfolio)
        messages.success(request, THRESHOLDS_RESET.format(portfolio=portfolio.name))
        return redirect("reporting:health-thresholds", portfolio.pk)
    policy = health_policy_for(portfolio=portfolio)
    return render(
        request,
        "reporting/health_thresholds_reset.html",
        {"portfolio": portfolio, "customised": policy.pk is not None},
    )
