"""HTML forms for governance. Forms validate input; governance.services writes."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone

from budgets.forms import PeriodChoiceField, period_choices
from budgets.models import CostCategory
from core import bounds
from core.forms import KeelFormMixin, PersonChoiceField, VersionedFormMixin, date_input
from projects.models import Project

from .models import (
    GATED_PHASES,
    Benefit,
    ChangeRequest,
    ChangeRequestLine,
    Decision,
    OlaTarget,
    OperatingLevelAgreement,
    StageGate,
    phase_index,
)
from .services.gates import DECISION_REQUIRED
from .services.program import NEGATIVE_VALUE, REVIEW_BEFORE_START, TARGET_IS_BASELINE

TARGET_LINE_INVALID = "Line {n}: write “metric | >= or <= | number | unit”, e.g. “Availability | >= | 99.9 | %”."


class StageGateForm(KeelFormMixin, forms.ModelForm):
    """Prepare a gate into one of the phases after the project's current one."""

    criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One criterion per line. Leave empty for the phase's standard checklist.",
    )

    class Meta:
        model = StageGate
        fields = ["to_phase", "name", "planned_date", "decision_notes"]
        widgets = {"planned_date": date_input(), "decision_notes": forms.Textarea(attrs={"rows": 2})}
        labels = {"to_phase": "Gate into", "decision_notes": "Notes for the board"}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        ahead = [p for p in GATED_PHASES if phase_index(p) > phase_index(project.phase)]
        self.fields["to_phase"].choices = [(p, Project.Phase(p).label) for p in ahead]

    def criteria_list(self) -> list[str] | None:
        lines = [line.strip() for line in self.cleaned_data.get("criteria", "").splitlines() if line.strip()]
        return lines or None


class StageGateEditForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = StageGate
        fields = ["name", "planned_date", "decision_notes"]
        widgets = {"planned_date": date_input(), "decision_notes": forms.Textarea(attrs={"rows": 2})}


class GateCriterionForm(KeelFormMixin, forms.Form):
    text = forms.CharField(max_length=300, label="New criterion")


class GateDecideForm(KeelFormMixin, forms.Form):
    """The decision on a gate: nothing is chosen until the approver chooses. Posted without
    `confirm` it leads to the confirmation page (what the decision will do); with `confirm` it
    records the decision."""

    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject"), ("defer", "Defer")],
        widget=forms.RadioSelect,
        error_messages={"required": DECISION_REQUIRED},
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Required to reject or defer."
    )
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class ChangeRequestForm(KeelFormMixin, forms.ModelForm):
    class Meta:
        model = ChangeRequest
        fields = ["title", "description", "reason", "scope_impact", "schedule_impact_days", "rebaseline"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in ("description", "reason", "scope_impact")}
        labels = {"schedule_impact_days": "Schedule impact (days)", "rebaseline": "Re-baseline the schedule"}
        help_texts = {
            "schedule_impact_days": "Negative when the change shortens the schedule.",
            "rebaseline": "On approval, snapshot the schedule as a new baseline named after this request.",
        }


class ChangeRequestEditForm(VersionedFormMixin, ChangeRequestForm):
    pass


class ChangeRequestLineForm(KeelFormMixin, forms.ModelForm):
    """How the request moves the current budget of a category in a period (the cost impact is
    their sum)."""

    class Meta:
        model = ChangeRequestLine
        fields = ["category", "period", "amount_delta", "notes"]
        field_classes = {"period": PeriodChoiceField}
        labels = {"amount_delta": "Change (+/-)"}

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = period_choices(project.program.portfolio)
        self.fields["category"].queryset = CostCategory.objects.order_by("code")


class DecisionNotesForm(KeelFormMixin, forms.Form):
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Decision notes")


class DecisionForm(KeelFormMixin, forms.ModelForm):
    class Meta:
        model = Decision
        fields = ["title", "project", "context", "decision", "status", "decided_on", "decided_by"]
        widgets = {
            "context": forms.Textarea(attrs={"rows": 3}),
            "decision": forms.Textarea(attrs={"rows": 3}),
            "decided_on": date_input(),
        }
        field_classes = {"decided_by": PersonChoiceField}
        help_texts = {"decided_on": "Set to today when a decided entry has no date."}

    def __init__(self, *args, program, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(program=program).order_by("code")
        self.fields["decided_by"].queryset = people

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") != Decision.Status.PROPOSED and not cleaned.get("decided_on"):
            cleaned["decided_on"] = timezone.localdate()  # as the service would: decided today
        return cleaned


class DecisionEditForm(VersionedFormMixin, DecisionForm):
    pass


class BenefitForm(KeelFormMixin, forms.ModelForm):
    class Meta:
        model = Benefit
        fields = [
            "name",
            "description",
            "kpi",
            "unit",
            "baseline_value",
            "target_value",
            "non_negative",
            "owner",
            "realisation_date",
            "status",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "realisation_date": date_input()}
        field_classes = {"owner": PersonChoiceField}

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people

    def clean(self):
        """The service's rules, reported on their fields (the database constraints would only
        give form-wide messages)."""
        cleaned = super().clean()
        baseline, target = cleaned.get("baseline_value"), cleaned.get("target_value")
        if baseline is not None and target is not None and baseline == target:
            self.add_error("target_value", TARGET_IS_BASELINE)
        if cleaned.get("non_negative"):
            for name in ("baseline_value", "target_value"):
                if cleaned.get(name) is not None and cleaned[name] < 0:
                    self.add_error(name, NEGATIVE_VALUE)
        return cleaned


class BenefitEditForm(VersionedFormMixin, BenefitForm):
    pass


class MeasurementForm(KeelFormMixin, forms.Form):
    measured_on = forms.DateField(widget=date_input(), validators=bounds.DATE_VALIDATORS)
    value = forms.DecimalField(max_digits=18, decimal_places=4)
    note = forms.CharField(max_length=300, required=False)


def _target_line(target: OlaTarget) -> str:
    sign = ">=" if target.direction == OlaTarget.Direction.AT_LEAST else "<="
    return f"{target.metric} | {sign} | {target.target.normalize():f} | {target.unit}".rstrip(" |")


class OlaForm(KeelFormMixin, forms.ModelForm):
    """An OLA; its targets are typed one per line as “metric | >= or <= | number | unit”."""

    targets_text = forms.CharField(
        label="Targets",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="One per line: metric | >= or <= | number | unit, e.g. “Availability | >= | 99.9 | %”.",
    )

    class Meta:
        model = OperatingLevelAgreement
        fields = ["service", "it_process_owner", "owner_name", "start_date", "review_date", "status", "notes"]
        widgets = {"start_date": date_input(), "review_date": date_input(), "notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"it_process_owner": PersonChoiceField}
        labels = {"it_process_owner": "IT process owner"}

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["it_process_owner"].queryset = people
        if self.instance.pk and not self.is_bound:
            self.initial["targets_text"] = "\n".join(_target_line(t) for t in self.instance.targets.all())

    def clean_targets_text(self) -> list[dict]:
        targets = []
        for n, line in enumerate(self.cleaned_data.get("targets_text", "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) < 3 or parts[1] not in (">=", "<=") or not parts[0]:
                raise forms.ValidationError(TARGET_LINE_INVALID.format(n=n))
            try:
                target = Decimal(parts[2])
            except InvalidOperation:
                raise forms.ValidationError(TARGET_LINE_INVALID.format(n=n)) from None
            direction = OlaTarget.Direction.AT_LEAST if parts[1] == ">=" else OlaTarget.Direction.AT_MOST
            unit = parts[3] if len(parts) > 3 else ""
            targets.append({"metric": parts[0], "direction": direction, "target": target, "unit": unit})
        return targets

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start_date") and cleaned.get("review_date") and cleaned["review_date"] < cleaned["start_date"]:
            self.add_error("review_date", REVIEW_BEFORE_START)
        return cleaned

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class OlaEditForm(VersionedFormMixin, OlaForm):
    pass
