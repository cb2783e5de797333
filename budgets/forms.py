"""HTML forms for money. Forms validate; budgets.services writes.

Forms for rows of a project or program are built with the owner (`project=` / `program=`), so
their choice fields offer only what belongs there and the model's own rules (a task of
another project, an invoice without a contract …) are reported next to the field before the
service is called. Amounts in a currency other than the portfolio's base currency are checked
against the exchange rates: without a rate on or before the day the amount is converted at,
the currency field carries budgets.selectors' MISSING_RATE message (naming the currency and
the day), because the cost pages could not convert the amount.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms

from core import bounds
from core.forms import (
    KeelFormMixin,
    VersionedFormMixin,
    check_dates_ordered,
    date_input,
    present_filter_form,
)

from .models import (
    BudgetLine,
    Contract,
    ContractSecurityRequirement,
    CostCategory,
    CostEntry,
    Currency,
    ExchangeRate,
    FiscalPeriod,
    Forecast,
    LifecycleCostEstimate,
    LifecycleCostLine,
    ReserveTransaction,
    Vendor,
)
from .selectors import MissingExchangeRate, exchange_rate_on, fiscal_calendar_for


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: FiscalPeriod) -> str:
        return f"{obj.span.label} · {obj.start:%b %Y}"


def _money_widget() -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"})


def period_choices(portfolio):
    """The stored periods of the calendar the portfolio's budgets use (none when it has no
    stored calendar yet)."""
    calendar = fiscal_calendar_for(portfolio=portfolio)
    if calendar.pk is None:
        return FiscalPeriod.objects.none()
    return FiscalPeriod.objects.filter(calendar=calendar).order_by("start")


def check_rate(form: forms.BaseForm, *, base: str, currency_field: str = "currency", day: dt.date | None) -> None:
    """Report on the currency field when its amount cannot be converted into `base` on `day`."""
    currency = form.cleaned_data.get(currency_field)
    if currency is None or day is None or currency.pk == base:
        return
    try:
        exchange_rate_on(currency=currency.pk, to_currency=base, day=day)
    except MissingExchangeRate as error:
        form.add_error(currency_field, error.text)


class _OwnedRowForm(KeelFormMixin, forms.ModelForm):
    """Common set-up: money inputs, the currency defaulting to the base currency."""

    base_currency: str

    def _set_up_money(self, base: str) -> None:
        self.base_currency = base
        if "currency" in self.fields:
            self.fields["currency"].queryset = Currency.objects.order_by("code")
            self.fields["currency"].empty_label = None
            if not self.instance.pk and not self.is_bound:
                self.initial.setdefault("currency", base)
        if "amount" in self.fields:
            self.fields["amount"].widget = _money_widget()
            self.fields["amount"].label = "Amount"
        if "category" in self.fields:
            self.fields["category"].queryset = CostCategory.objects.order_by("code")

    def service_data(self) -> dict:
        """The edited fields, as the update service's `data`."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


# -- project money ---------------------------------------------------------------------------


class BudgetLineForm(_OwnedRowForm):
    """Add a budget line to a project (the view supplies the project)."""

    class Meta:
        model = BudgetLine
        fields = ["budget_version", "period", "category", "amount", "currency", "notes"]
        field_classes = {"period": PeriodChoiceField}
        widgets = {"notes": forms.TextInput}
        labels = {"budget_version": "Budget"}

    def __init__(self, *args, project, periods=None, **kwargs):
        kwargs.setdefault("instance", BudgetLine(project=project))
        super().__init__(*args, **kwargs)
        portfolio = project.program.portfolio
        self.fields["period"].queryset = period_choices(portfolio) if periods is None else periods
        self._set_up_money(portfolio.base_currency)

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period")
        check_rate(self, base=self.base_currency, day=period.start if period else None)
        return cleaned


class BudgetLineEditForm(VersionedFormMixin, BudgetLineForm):
    """Change a budget line; the version it was loaded at travels in a hidden field."""


class ForecastForm(_OwnedRowForm):
    """Add a forecast (estimate to complete) for a category in a period."""

    class Meta:
        model = Forecast
        fields = ["period", "category", "amount", "currency", "notes"]
        field_classes = {"period": PeriodChoiceField}
        widgets = {"notes": forms.TextInput}

    def __init__(self, *args, project, periods=None, **kwargs):
        kwargs.setdefault("instance", Forecast(project=project))
        super().__init__(*args, **kwargs)
        portfolio = project.program.portfolio
        self.fields["period"].queryset = period_choices(portfolio) if periods is None else periods
        self._set_up_money(portfolio.base_currency)

    def clean(self):
        cleaned = super().clean()
        period = cleaned.get("period")
        check_rate(self, base=self.base_currency, day=period.start if period else None)
        return cleaned


class ForecastEditForm(VersionedFormMixin, ForecastForm):
    pass


class BudgetOriginalForm(KeelFormMixin, forms.Form):
    replace = forms.BooleanField(
        required=False,
        label="Replace the existing original baseline (a formal re-baseline)",
    )


class CostEntryForm(_OwnedRowForm):
    """A manual actual cost (imports bring ledger, invoice and timesheet costs). A negative
    amount is a credit or reversal."""

    class Meta:
        model = CostEntry
        fields = ["date", "category", "amount", "currency", "task", "vendor", "contract", "external_ref", "description"]
        widgets = {"date": date_input(), "description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"amount": "Negative for a credit or reversal."}

    def __init__(self, *args, project, user, **kwargs):
        kwargs.setdefault("instance", CostEntry(project=project, source=CostEntry.Source.MANUAL))
        super().__init__(*args, **kwargs)
        self._set_up_money(project.program.portfolio.base_currency)
        self.fields["amount"].help_text = "Negative for a credit or reversal."
        self.fields["task"].queryset = project.tasks.filter(is_summary=False).order_by("sort_order", "pk")
        self.fields["vendor"].queryset = Vendor.objects.visible_to(user).order_by("name")
        self.fields["contract"].queryset = Contract.objects.filter(program_id=project.program_id).order_by("number")

    def clean(self):
        cleaned = super().clean()
        check_rate(self, base=self.base_currency, day=cleaned.get("date"))
        return cleaned


class CostEntryEditForm(VersionedFormMixin, CostEntryForm):
    pass


class ReserveDrawdownForm(KeelFormMixin, forms.Form):
    reserve = forms.ChoiceField(choices=ReserveTransaction.Reserve.choices)
    amount = forms.DecimalField(
        max_digits=19,
        decimal_places=2,
        validators=bounds.money_validators(minimum=Decimal("0.01")),
        widget=_money_widget(),
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Why the reserve is drawn down.")

    def __init__(self, *args, currency: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if currency:
            self.fields["amount"].label = f"Amount ({currency})"


def scope_cost_entry_filters(filterset, *, project, user) -> None:
    """Present the shared CostEntryFilterSet on a project's cost-entry list: the project is in
    the path, so its project, program and portfolio filters are left out; categories, vendors,
    contracts and tasks are offered by name instead of by id."""
    fields = filterset.form.fields
    for name in ("project", "project_code", "program", "portfolio", "category_code", "external_ref"):
        fields.pop(name, None)
    fields["category"] = forms.ModelChoiceField(
        queryset=CostCategory.objects.order_by("code"), required=False, label="Category"
    )
    fields["vendor"] = forms.ModelChoiceField(
        queryset=Vendor.objects.visible_to(user).order_by("name"), required=False, label="Vendor"
    )
    fields["contract"] = forms.ModelChoiceField(
        queryset=Contract.objects.filter(program_id=project.program_id).order_by("number"),
        required=False,
        label="Contract",
    )
    fields["task"] = forms.ModelChoiceField(
        queryset=project.tasks.filter(is_summary=False).order_by("sort_order", "pk"), required=False, label="Task"
    )
    fields["currency"] = forms.ModelChoiceField(
        queryset=Currency.objects.order_by("code"), required=False, label="Currency"
    )
    fields["source"].widget = forms.CheckboxSelectMultiple(choices=fields["source"].choices)
    fields["date_after"].label = "On or after"
    fields["date_before"].label = "On or before"
    for name in ("date_after", "date_before"):
        fields[name].widget = date_input()
    fields["amount_min"].label = "Amount at least"
    fields["amount_max"].label = "Amount at most"
    present_filter_form(
        filterset,
        order=[
            "q",
            "date_after",
            "date_before",
            "category",
            "source",
            "currency",
            "vendor",
            "contract",
            "task",
            "amount_min",
            "amount_max",
        ],
    )


# -- program money --------------------------------------------------------------------------


class ContractForm(_OwnedRowForm):
    """A new contract of a program (the view supplies the program)."""

    class Meta:
        model = Contract
        fields = [
            "number",
            "title",
            "vendor",
            "type",
            "ceiling",
            "obligated",
            "currency",
            "period_start",
            "period_end",
            "projects",
            "notes",
        ]
        widgets = {
            "period_start": date_input(),
            "period_end": date_input(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "projects": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, program, user, **kwargs):
        kwargs.setdefault("instance", Contract(program=program))
        super().__init__(*args, **kwargs)
        self._set_up_money(program.portfolio.base_currency)
        self.fields["vendor"].queryset = Vendor.objects.visible_to(user).order_by("name")
        if "projects" in self.fields:
            self.fields["projects"].queryset = program.projects.order_by("code")
            self.fields["projects"].help_text = "The projects of this program the contract serves."
        for name in ("ceiling", "obligated"):
            self.fields[name].widget = _money_widget()

    def clean(self):
        cleaned = super().clean()
        check_dates_ordered(self, "period_start", "period_end")
        return cleaned


class ContractEditForm(VersionedFormMixin, ContractForm):
    """Change a contract's fields; its projects change through ContractProjectsForm."""

    class Meta(ContractForm.Meta):
        fields = [name for name in ContractForm.Meta.fields if name != "projects"]


class ContractProjectsForm(KeelFormMixin, forms.Form):
    projects = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple, label="Projects served"
    )

    def __init__(self, *args, contract, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].queryset = contract.program.projects.order_by("code")
        if not self.is_bound:
            self.initial["projects"] = [p.pk for p in contract.projects.all()]


class SecurityRequirementForm(KeelFormMixin, forms.ModelForm):
    """Add an item to a contract's security checklist, or set where one stands."""

    class Meta:
        model = ContractSecurityRequirement
        fields = ["requirement", "status", "notes"]
        widgets = {"notes": forms.TextInput}


class SecurityStatusForm(KeelFormMixin, forms.Form):
    """The status (and note) of one existing checklist item, set inline."""

    status = forms.ChoiceField(choices=ContractSecurityRequirement.Status.choices)
    notes = forms.CharField(required=False, widget=forms.TextInput)


class VendorForm(KeelFormMixin, forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ["name", "risk_rating", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"risk_rating": "Supply-chain risk"}

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class VendorEditForm(VersionedFormMixin, VendorForm):
    pass


class LcceNotesForm(KeelFormMixin, forms.Form):
    """Notes for a new estimate or a new version of one."""

    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LcceApproveForm(KeelFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class LcceLineForm(_OwnedRowForm):
    """Set the amount of one phase, fiscal year and category of a draft estimate (a line that
    exists is updated)."""

    class Meta:
        model = LifecycleCostLine
        fields = ["phase", "fiscal_year", "category", "amount", "currency"]

    def __init__(self, *args, estimate: LifecycleCostEstimate, base: str, **kwargs):
        # Not bound to a row: lcce_line_set adds or updates by (phase, fiscal year, category),
        # so the model's uniqueness check must not refuse an existing combination here.
        super().__init__(*args, **kwargs)
        self.estimate = estimate
        self._set_up_money(base)

    def validate_unique(self):
        pass

    def validate_constraints(self):
        pass


class LcceLineAmountForm(_OwnedRowForm):
    """Change the amount (and currency) of an existing line, inline."""

    class Meta:
        model = LifecycleCostLine
        fields = ["amount", "currency"]

    def __init__(self, *args, base: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_up_money(base)


class LcceCompareForm(forms.Form):
    """Which two versions of the program's estimate to compare (GET)."""

    left = forms.ModelChoiceField(queryset=None, label="Compare", empty_label=None)
    right = forms.ModelChoiceField(queryset=None, label="with", empty_label=None)

    def __init__(self, *args, estimates, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("left", "right"):
            self.fields[name].queryset = estimates
            self.fields[name].to_field_name = "number"


# -- reference data -----------------------------------------------------------------------------


class CurrencyForm(KeelFormMixin, forms.ModelForm):
    class Meta:
        model = Currency
        fields = ["code", "name", "decimal_places"]
        help_texts = {"code": "ISO 4217, e.g. EUR. Cannot change later.", "decimal_places": "For display."}

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name != "code"}


class CurrencyEditForm(CurrencyForm):
    class Meta(CurrencyForm.Meta):
        fields = ["name", "decimal_places"]


class ExchangeRateForm(KeelFormMixin, forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = ["from_currency", "to_currency", "rate", "valid_on", "source"]
        widgets = {"valid_on": date_input(), "rate": forms.NumberInput(attrs={"step": "0.00000001"})}
        help_texts = {"rate": "How many of the second currency one of the first is worth."}
        labels = {"valid_on": "Valid from"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("from_currency", "to_currency"):
            self.fields[name].queryset = Currency.objects.order_by("code")

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ExchangeRateEditForm(VersionedFormMixin, ExchangeRateForm):
    pass


def scope_rate_filters(filterset) -> None:
    fields = filterset.form.fields
    for name in ("from_currency", "to_currency", "source"):
        fields.pop(name, None)
    fields["currency"].widget.attrs.update({"maxlength": 3, "placeholder": "e.g. USD"})
    fields["valid_after"].label = "Valid on or after"
    fields["valid_before"].label = "Valid on or before"
    for name in ("valid_after", "valid_before"):
        fields[name].widget = date_input()


def scope_contract_filters(filterset, *, user) -> None:
    """The shared ContractFilterSet on a program's contract list (the program is in the path)."""
    fields = filterset.form.fields
    for name in ("program", "number", "project"):
        fields.pop(name, None)
    fields["vendor"] = forms.ModelChoiceField(
        queryset=Vendor.objects.visible_to(user).order_by("name"), required=False, label="Vendor"
    )
    fields["currency"] = forms.ModelChoiceField(
        queryset=Currency.objects.order_by("code"), required=False, label="Currency"
    )
    fields["type"].widget = forms.CheckboxSelectMultiple(choices=fields["type"].choices)
    fields["active_on"].widget = date_input()
    present_filter_form(filterset, order=["q", "vendor", "type", "currency", "active_on"])


def scope_vendor_filters(filterset) -> None:
    fields = filterset.form.fields
    fields["risk_rating"].widget = forms.CheckboxSelectMultiple(choices=fields["risk_rating"].choices)
    fields["risk_rating"].label = "Supply-chain risk"


__all__ = [
    "BudgetLineEditForm",
    "BudgetLineForm",
    "BudgetOriginalForm",
    "ContractEditForm",
    "ContractForm",
    "ContractProjectsForm",
    "CostEntryEditForm",
    "CostEntryForm",
    "CurrencyEditForm",
    "CurrencyForm",
    "ExchangeRateEditForm",
    "ExchangeRateForm",
    "ForecastEditForm",
    "ForecastForm",
    "LcceApproveForm",
    "LcceCompareForm",
    "LcceLineAmountForm",
    "LcceLineForm",
    "LcceNotesForm",
    "ReserveDrawdownForm",
    "SecurityRequirementForm",
    "SecurityStatusForm",
    "VendorEditForm",
    "VendorForm",
    "scope_contract_filters",
    "scope_cost_entry_filters",
    "scope_rate_filters",
    "scope_vendor_filters",
]
