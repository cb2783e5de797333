"""HTML forms for programs. Forms validate; portfolio.services writes."""

from django import forms

from core.forms import (
    PersonChoiceField,
    VersionedFormMixin,
    check_dates_ordered,
    date_input,
    narrow_filter_choices,
    person_label,
    present_filter_form,
)

from .models import Program
from .selectors import program_filter_choices


class ProgramForm(VersionedFormMixin, forms.ModelForm):
    """Edit a program's own fields. `people` limits the manager and sponsor choices."""

    class Meta:
        model = Program
        fields = [
            "name",
            "description",
            "status",
            "manager",
            "sponsor",
            "start_date",
            "finish_date",
            "contingency_reserve",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_date": date_input(),
            "finish_date": date_input(),
        }
        field_classes = {"manager": PersonChoiceField, "sponsor": PersonChoiceField}

    def __init__(self, *args, people, currency: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = people
        self.fields["sponsor"].queryset = people
        if currency:
            self.fields["contingency_reserve"].label = f"Contingency reserve ({currency})"

    def clean(self):
        cleaned = super().clean()
        check_dates_ordered(self, "start_date", "finish_date")
        return cleaned

    def service_data(self) -> dict:
        """The edited fields, as program_update's `data`."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


def scope_program_filters(filterset, *, user) -> None:
    """Present the shared ProgramFilterSet as an HTML form limited to what `user` may see."""
    narrow_filter_choices(filterset, **program_filter_choices(user=user))
    fields = filterset.form.fields
    for name in ("status", "objectives"):
        fields[name].widget = forms.CheckboxSelectMultiple(choices=fields[name].choices)
    for name in ("manager", "sponsor"):
        fields[name].label_from_instance = person_label
    fields["health"].label = "Has a project reported"
    fields["starts_after"].label = "Starts on or after"
    fields["finishes_before"].label = "Finishes on or before"
    for name in ("starts_after", "finishes_before"):
        fields[name].widget = date_input()
    present_filter_form(
        filterset,
        order=[
            "q",
            "portfolio",
            "health",
            "computed_health",
            "status",
            "manager",
            "sponsor",
            "objectives",
            "starts_after",
            "finishes_before",
        ],
    )
