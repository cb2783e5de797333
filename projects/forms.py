"""HTML forms for projects and status reports. Forms validate; projects.services writes."""

from django import forms
from django.utils import timezone

from core.forms import (
    KeelFormMixin,
    PersonChoiceField,
    VersionedFormMixin,
    check_dates_ordered,
    date_input,
    narrow_filter_choices,
    person_label,
    present_filter_form,
)

from .models import Project, Rag, StatusReport
from .selectors import project_filter_choices

PROJECT_FIELDS = ["name", "description", "manager", "phase", "status", "priority", "planned_start", "planned_finish"]
PROJECT_WIDGETS = {
    "description": forms.Textarea(attrs={"rows": 3}),
    "planned_start": date_input(),
    "planned_finish": date_input(),
}


class _ProjectFieldsMixin:
    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = people

    def clean(self):
        cleaned = super().clean()
        check_dates_ordered(self, "planned_start", "planned_finish")
        return cleaned

    def service_data(self) -> dict:
        """The form's model fields, as keyword arguments / `data` for the project services."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ProjectCreateForm(_ProjectFieldsMixin, KeelFormMixin, forms.ModelForm):
    """A new project in a program (the view supplies the program)."""

    class Meta:
        model = Project
        fields = ["code", *PROJECT_FIELDS]
        widgets = PROJECT_WIDGETS
        field_classes = {"manager": PersonChoiceField}
        help_texts = {"code": "Capital letters, digits, '-' or '_', e.g. MOD-ERP. Used in links; cannot change."}


class ProjectForm(_ProjectFieldsMixin, VersionedFormMixin, forms.ModelForm):
    """Edit a project. The code identifies the project in links and is not editable."""

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = PROJECT_WIDGETS
        field_classes = {"manager": PersonChoiceField}


RAG_FIELDS = ["overall_rag", "schedule_rag", "cost_rag", "scope_rag", "risk_rag"]


class StatusReportForm(KeelFormMixin, forms.ModelForm):
    """A new status report; `initial_from(previous)` prefills it from the last one."""

    class Meta:
        model = StatusReport
        fields = ["period_end", *RAG_FIELDS, "percent_complete", "summary", "accomplishments", "next_steps"]
        widgets = {
            "period_end": date_input(),
            **dict.fromkeys(RAG_FIELDS, forms.RadioSelect),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "accomplishments": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "overall_rag": "Overall",
            "schedule_rag": "Schedule",
            "cost_rag": "Cost",
            "scope_rag": "Scope",
            "risk_rag": "Risk",
            "percent_complete": "Percent complete",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RAG_FIELDS:
            # The model field has no default, so Django would offer a blank "---------" radio.
            self.fields[name].choices = Rag.choices
        self.fields["percent_complete"].widget.attrs.update({"min": 0, "max": 100, "step": "0.01"})

    @property
    def rag_fields(self):
        return [self[name] for name in RAG_FIELDS]

    @property
    def narrative_fields(self):
        return [self[name] for name in ("percent_complete", "summary", "accomplishments", "next_steps")]

    @staticmethod
    def initial_from(previous: StatusReport | None) -> dict:
        """Start from the previous report's ratings and text; the period defaults to today."""
        initial = {"period_end": timezone.localdate()}
        if previous is not None:
            for name in [*RAG_FIELDS, "percent_complete", "summary", "accomplishments", "next_steps"]:
                initial[name] = getattr(previous, name)
        return initial


def scope_project_filters(filterset, *, user) -> None:
    """Present the shared ProjectFilterSet as an HTML form limited to what `user` may see."""
    choices = project_filter_choices(user=user)
    narrow_filter_choices(filterset, program=choices["program"], manager=choices["manager"])
    fields = filterset.form.fields
    # The FilterSet takes a portfolio id (a NumberFilter, for the API); offer the visible
    # portfolios by name instead. The filter then receives the Portfolio, which it accepts.
    fields["portfolio"] = forms.ModelChoiceField(queryset=choices["portfolio"], required=False, label="Portfolio")
    fields["manager"].label_from_instance = person_label
    for name in ("phase", "status"):
        fields[name].widget = forms.CheckboxSelectMultiple(choices=fields[name].choices)
    fields["starts_after"].label = "Starts on or after"
    fields["finishes_before"].label = "Finishes on or before"
    for name in ("starts_after", "finishes_before"):
        fields[name].widget = date_input()
    present_filter_form(
        filterset,
        order=[
            "q",
            "portfolio",
            "program",
            "health",
            "status",
            "phase",
            "priority",
            "manager",
            "starts_after",
            "finishes_before",
        ],
    )
