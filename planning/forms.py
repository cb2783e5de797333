"""The planning pages' forms. They validate input; planning.services write (and may still refuse,
in which case the view puts the service's ValidationError back on the form)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms

from core import bounds
from core.forms import IdChoicesField, KeelFormMixin

MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]
INCLUDED_CHOICES = [("", "As live"), ("in", "Include"), ("out", "Leave out")]
# Saaty's scale, read as "the row criterion is … than the column criterion".
SAATY_CHOICES = [
    ("9", "9 — extremely more important"),
    ("7", "7 — very strongly more important"),
    ("5", "5 — strongly more important"),
    ("3", "3 — moderately more important"),
    ("1", "1 — equally important"),
    ("0.3333", "1/3 — moderately less important"),
    ("0.2", "1/5 — strongly less important"),
    ("0.1429", "1/7 — very strongly less important"),
    ("0.1111", "1/9 — extremely less important"),
]
# The same scale, short, for the cells of the judgement matrix (the page explains it above).
SAATY_SHORT_CHOICES = [(value, label.split(" — ")[0]) for value, label in SAATY_CHOICES]
CONFIRM_REQUIRED = "Tick the box to confirm that these changes go live."
CONFIRM_NAME = "Type the scenario's name exactly as shown to confirm."
START_AND_SHIFT = "Give a new start month or a shift in months, not both."


def month_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class MonthField(forms.DateField):
    """A calendar month ("2027-03"), cleaned to its first day."""

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", MONTH_FORMATS)
        kwargs.setdefault("widget", month_input())
        super().__init__(**kwargs)

    def clean(self, value):
        day = super().clean(value)
        return day.replace(day=1) if isinstance(day, dt.date) else day


class ScenarioForm(KeelFormMixin, forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    horizon_start = MonthField(label="First month", required=False, help_text="Empty: next month.")
    horizon_months = forms.IntegerField(label="Months planned", min_value=1, max_value=60, initial=36)
    delay_max_months = forms.IntegerField(
        label="Latest delay the optimiser may choose (months)", min_value=0, max_value=60, initial=6
    )


class ScenarioCopyForm(KeelFormMixin, forms.Form):
    name = forms.CharField(max_length=200, label="Name of the copy")


class ScenarioProjectForm(KeelFormMixin, forms.Form):
    """One project's place in the scenario: included or not, its start, and the optimiser's
    rules for it."""

    included = forms.TypedChoiceField(
        choices=INCLUDED_CHOICES,
        required=False,
        coerce=lambda value: {"in": True, "out": False}.get(value),
        empty_value=None,
        label="In the scenario",
    )
    start = MonthField(label="New start month", required=False, help_text="Empty: the live start.")
    shift_months = forms.IntegerField(
        label="Or shift by (months)", required=False, min_value=-60, max_value=60, help_text="Negative: earlier."
    )
    mandatory = forms.BooleanField(label="Mandatory (the optimiser must include it)", required=False)
    exclusive_group = forms.CharField(
        label="Exclusive group", max_length=60, required=False, help_text="At most one project of a group."
    )
    requires = IdChoicesField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Requires",
        help_text="Projects that must be included, and start no later, for this one to be.",
    )
    delay_max_months = forms.IntegerField(
        label="Latest delay (months)",
        required=False,
        min_value=0,
        max_value=60,
        help_text="How much later the optimiser may start it. Empty: the scenario's.",
    )
    notes = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requires"].queryset = others
        self.fields["requires"].label_from_instance = lambda p: f"{p.code} {p.name}"

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("shift_months"):
            self.add_error("shift_months", START_AND_SHIFT)
        return data


class ScenarioBudgetForm(KeelFormMixin, forms.Form):
    """A project's budget in one fiscal period of the scenario (empty amount: back to live)."""

    period = forms.ModelChoiceField(queryset=None, label="Fiscal period")
    amount = forms.DecimalField(
        required=False, max_digits=18, decimal_places=2, validators=bounds.money_validators(), help_text="Empty: live."
    )

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods
        self.fields["period"].label_from_instance = lambda p: f"FY{p.fiscal_year} P{p.number:02d} ({p.start:%b %Y})"


class ScenarioDemandForm(KeelFormMixin, forms.Form):
    """A project's staffing demand for one role in one month (empty FTE: back to live)."""

    role = forms.ModelChoiceField(queryset=None)
    month = MonthField()
    fte = forms.DecimalField(
        label="FTE",
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(1000),
        max_digits=7,
        decimal_places=2,
        help_text="Empty: live.",
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles


class BudgetCapForm(KeelFormMixin, forms.Form):
    fiscal_year = forms.IntegerField(min_value=1900, max_value=2200, widget=forms.HiddenInput)
    amount = forms.DecimalField(
        label="Cap",
        required=False,
        max_digits=18,
        decimal_places=2,
        validators=bounds.money_validators(),
        help_text="Empty: no cap.",
    )


class CriterionForm(KeelFormMixin, forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=())
    direction = forms.ChoiceField(choices=(), required=False, help_text="Empty: the kind's usual direction.")
    weight = forms.DecimalField(
        label="Direct weight (%)", max_digits=5, decimal_places=2, validators=bounds.percent_validators(), initial=0
    )

    def __init__(self, *args, kinds, directions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["direction"].choices = [("", "Usual for the kind"), *directions]


class CriterionWeightForm(KeelFormMixin, forms.Form):
    weight = forms.DecimalField(
        label="Direct weight (%)", max_digits=5, decimal_places=2, validators=bounds.percent_validators()
    )


class PairwiseForm(KeelFormMixin, forms.Form):
    value = forms.TypedChoiceField(choices=SAATY_CHOICES, coerce=Decimal, label="Judgement")


class CriterionValueForm(KeelFormMixin, forms.Form):
    project = forms.ModelChoiceField(queryset=None)
    criterion = forms.ModelChoiceField(queryset=None)
    value = forms.DecimalField(
        required=False,
        max_digits=16,
        decimal_places=4,
        min_value=Decimal("-999999999999.9999"),
        max_value=Decimal("999999999999.9999"),
        help_text="Empty: read from the portfolio's data.",
    )

    def __init__(self, *args, criteria, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = criteria
        self.fields["project"].queryset = projects
        self.fields["project"].label_from_instance = lambda p: f"{p.code} {p.name}"


class CommitConfirmForm(KeelFormMixin, forms.Form):
    """Nothing is pre-selected: the box is unticked and the name field empty."""

    confirm = forms.BooleanField(
        label="I have read every change above and want them applied to the live portfolio now.",
        error_messages={"required": CONFIRM_REQUIRED},
    )
    name = forms.CharField(label="Type the scenario's name", max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, scenario_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.scenario_name = scenario_name

    def clean_name(self):
        typed = self.cleaned_data["name"].strip()
        if typed != self.scenario_name:
            raise forms.ValidationError(CONFIRM_NAME)
        return typed


class ApplyPlanForm(KeelFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label="Apply the plan's inclusions and starts to this scenario (the live portfolio does not change).",
        error_messages={"required": "Tick the box to apply the plan."},
    )
