"""HTML forms for staffing. Forms validate input; staffing.services writes (and reports the
rules it checks — pool, request, amounts — back on the field through add_service_errors).

Forms for rows of a pool or project are built with their owner (`portfolio=` / `project=`), so
drop-downs offer only that pool's people and roles and that project's requests.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from core.forms import IdChoicesField, KeelFormMixin, VersionedFormMixin, check_dates_ordered, date_input
from portfolio.models import Portfolio, Program
from projects.models import Project

from .models import Absence, Allocation, CostRate, Person, Role, StaffingRequest
from .selectors import DEFAULT_WEEKS, EARLIEST_START, LATEST_START, START_OUT_OF_RANGE, WEEK_CHOICES
from .services import check_amount


def _hours_widget() -> forms.NumberInput:
    return forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal", "min": "0"})


class PersonForm(KeelFormMixin, forms.ModelForm):
    """A person of a pool: on creation the pool is chosen among those the user manages."""

    class Meta:
        model = Person
        fields = [
            "portfolio",
            "name",
            "email",
            "department",
            "user",
            "roles",
            "primary_role",
            "weekly_capacity_hours",
            "is_active",
        ]
        widgets = {"weekly_capacity_hours": _hours_widget()}
        field_classes = {"roles": IdChoicesField}

    def __init__(self, *args, pools, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["portfolio"]
            roles = Role.objects.filter(portfolio=self.instance.portfolio_id)
        else:
            self.fields["portfolio"].queryset = pools
            self.fields["portfolio"].label = "Resource pool (portfolio)"
            roles = Role.objects.filter(portfolio__in=pools).select_related("portfolio")
        self.fields["roles"].queryset = roles
        self.fields["primary_role"].queryset = roles
        self.fields["roles"].widget = forms.CheckboxSelectMultiple(choices=self.fields["roles"].choices)
        self.fields["user"].help_text = "The login of this person, if they have one."
        self.fields["weekly_capacity_hours"].help_text = "Hours in a full Monday–Friday week; 0 means no capacity."


class PersonEditForm(VersionedFormMixin, PersonForm):
    pass


class CostRateForm(KeelFormMixin, forms.ModelForm):
    class Meta:
        model = CostRate
        fields = ["effective_from", "hourly_rate", "currency"]
        widgets = {"effective_from": date_input()}

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].required = False
        self.fields["currency"].help_text = f"Default: {person.portfolio.base_currency}."


class AbsenceForm(KeelFormMixin, forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["start", "end", "kind", "note"]
        widgets = {"start": date_input(), "end": date_input()}

    def clean(self):
        cleaned = super().clean()
        check_dates_ordered(self, "start", "end")
        return cleaned


class _AmountForm(KeelFormMixin, forms.ModelForm):
    """Dates and exactly one amount, checked with the services' rules so the error lands on the
    field (the model's constraint alone would give a nameless error)."""

    def clean(self):
        cleaned = super().clean()
        check_dates_ordered(self, "start", "end")
        if "fte_percent" not in self.errors and "hours_per_week" not in self.errors:
            try:
                check_amount(cleaned.get("fte_percent"), cleaned.get("hours_per_week"))
            except ValidationError as error:
                self.add_service_errors(error)
        return cleaned


class AllocationForm(_AmountForm):
    class Meta:
        model = Allocation
        fields = ["person", "role", "start", "end", "fte_percent", "hours_per_week", "request", "notes"]
        widgets = {
            "start": date_input(),
            "end": date_input(),
            "fte_percent": forms.NumberInput(attrs={"step": "5", "min": "0", "max": "100"}),
            "hours_per_week": _hours_widget(),
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        portfolio_id = project.program.portfolio_id
        self.fields["person"].queryset = Person.objects.filter(portfolio=portfolio_id, is_active=True)
        self.fields["role"].queryset = Role.objects.filter(portfolio=portfolio_id, is_active=True)
        self.fields["request"].queryset = (
            StaffingRequest.objects.filter(project=project)
            .exclude(status=StaffingRequest.Status.CANCELLED)
            .select_related("role", "project")
        )
        self.fields["fte_percent"].help_text = "Percent of the person's capacity — or give hours per week."


class AllocationEditForm(VersionedFormMixin, AllocationForm):
    pass


class StaffingRequestForm(_AmountForm):
    class Meta:
        model = StaffingRequest
        fields = ["role", "start", "end", "fte_percent", "hours_per_week", "notes"]
        widgets = {
            "start": date_input(),
            "end": date_input(),
            "fte_percent": forms.NumberInput(attrs={"step": "5", "min": "0", "max": "100"}),
            "hours_per_week": _hours_widget(),
            "notes": forms.TextInput(),
        }

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.filter(portfolio=project.program.portfolio_id, is_active=True)
        self.fields["fte_percent"].help_text = "Percent of a 40-hour week — or give hours per week."


class StaffingRequestEditForm(VersionedFormMixin, StaffingRequestForm):
    pass


class CapacityFilterForm(forms.Form):
    """The capacity heat map's filters (GET). Choices are narrowed to what the user can see."""

    portfolio = forms.ModelChoiceField(queryset=Portfolio.objects.none(), required=False, empty_label="Any")
    department = forms.ChoiceField(required=False)
    role = forms.ModelChoiceField(queryset=Role.objects.none(), required=False, empty_label="Any")
    program = forms.ModelChoiceField(queryset=Program.objects.none(), required=False, empty_label="Any")
    project = forms.CharField(required=False, label="Project code", max_length=32)
    start = forms.DateField(
        required=False,
        widget=date_input(),
        label="From week of",
        validators=[
            MinValueValidator(EARLIEST_START, START_OUT_OF_RANGE),
            MaxValueValidator(LATEST_START, START_OUT_OF_RANGE),
        ],
    )
    weeks = forms.TypedChoiceField(
        choices=[(n, f"{n} weeks") for n in WEEK_CHOICES], coerce=int, required=False, initial=DEFAULT_WEEKS
    )

    def __init__(self, *args, user, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["portfolio"].queryset = Portfolio.objects.visible_to(user).order_by("name")
        self.fields["role"].queryset = Role.objects.visible_to(user).select_related("portfolio").order_by("name")
        self.fields["program"].queryset = Program.objects.visible_to(user).order_by("code")
        self.fields["department"].choices = [("", "Any"), *((d, d) for d in departments)]
