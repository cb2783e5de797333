"""HTML forms for risks, mitigation actions, issues, escalation and realisation.

Forms validate input; risks.services writes and checks the rules across fields (probability vs
percentage, residual vs inherent, dates, contract and tasks in scope), whose refusals
`add_service_errors` shows next to the field they name. Choice lists are limited to what the
risk's program offers: its people, its contracts, its (project's) tasks.
"""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.forms.models import fields_for_model, model_to_dict

from budgets.models import Contract, ReserveTransaction, Vendor
from core import bounds
from core.forms import IdChoicesField, KeelFormMixin
from projects.models import Task

from . import scoring
from .models import AnalysisRun, Issue, MitigationAction, Risk
from .models.analysis import ITERATIONS_DEFAULT, ITERATIONS_MAX, ITERATIONS_MIN

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LEVEL_CHOICES = [(level, f"{level} — {scoring.PROBABILITY_LABELS[level]}") for level in scoring.LEVELS]
IMPACT_CHOICES = [(level, f"{level} — {scoring.IMPACT_LABELS[level]}") for level in scoring.LEVELS]

RISK_FORM_FIELDS = [
    "title",
    "category",
    "description",
    "cause",
    "event",
    "effect",
    "probability",
    "probability_percent",
    "impact",
    "cost_impact",
    "schedule_impact_days",
    "owner",
    "response",
    "status",
    "trigger",
    "trigger_date",
    "proximity_date",
    "residual_probability",
    "residual_impact",
    "vendor",
    "contract",
]


def people_of(program):
    """Active users holding a role on `program`, its portfolio or one of its projects."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(memberships__program=program)
            | Q(memberships__portfolio=program.portfolio_id)
            | Q(memberships__project__program=program)
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class _VersionField(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)


class RiskForm(KeelFormMixin, _VersionField):
    """A risk's fields (not its scope). `risk` given: edit it (initial values, version)."""

    def __init__(self, *args, program, project=None, user, risk=None, **kwargs):
        if risk is not None:
            initial = model_to_dict(risk, fields=RISK_FORM_FIELDS)
            initial["tasks"] = [task.pk for task in risk.tasks.all()]
            initial["version"] = risk.version
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        version = self.fields.pop("version")
        self.fields.update(fields_for_model(Risk, fields=RISK_FORM_FIELDS))
        self.fields["probability"] = forms.TypedChoiceField(
            choices=LEVEL_CHOICES, coerce=int, required=False, help_text="Or give the percentage below."
        )
        self.fields["probability_percent"].required = False
        self.fields["probability_percent"].help_text = (
            "Left empty: the level's default (5, 20, 40, 60 or 85 %). Level 1 covers 0-10 %, 2 over 10-30 %, "
            "3 over 30-50 %, 4 over 50-70 %, 5 over 70 %."
        )
        self.fields["impact"] = forms.TypedChoiceField(choices=IMPACT_CHOICES, coerce=int)
        for name in ("residual_probability", "residual_impact"):
            choices = LEVEL_CHOICES if name == "residual_probability" else IMPACT_CHOICES
            self.fields[name] = forms.TypedChoiceField(
                choices=[("", "Not assessed"), *choices], coerce=int, required=False, empty_value=None
            )
        self.fields["residual_probability"].help_text = "After the planned mitigations (both or neither)."
        for name in ("trigger_date", "proximity_date"):
            self.fields[name].widget = DATE
        statuses = [(v, label) for v, label in Risk.Status.choices if v != Risk.Status.REALISED]
        if risk is not None and risk.status == Risk.Status.REALISED:
            statuses = [(Risk.Status.REALISED, "Realised"), (Risk.Status.CLOSED, "Closed")]
        self.fields["status"].choices = statuses
        self.fields["owner"].queryset = people_of(program)
        self.fields["vendor"].queryset = Vendor.objects.visible_to(user).order_by("name")
        self.fields["contract"].queryset = Contract.objects.filter(program=program).order_by("number")
        tasks = Task.objects.filter(project=project) if project else Task.objects.filter(project__program=program)
        self.fields["tasks"] = IdChoicesField(
            queryset=tasks.select_related("project").order_by("project__code", "sort_order"),
            required=False,
            help_text="Tasks this risk threatens.",
        )
        self.fields["version"] = version

    def service_data(self) -> tuple[dict, list]:
        """(risk fields, tasks) for risks.services; an empty percentage is left to the service."""
        data = {name: self.cleaned_data[name] for name in RISK_FORM_FIELDS}
        # On an edit, the one of the pair the user changed wins and the other is derived from it
        # (risks.scoring), so moving the level does not clash with the old percentage.
        changed = set(self.changed_data)
        if "probability" in changed and "probability_percent" not in changed:
            data["probability_percent"] = None
        elif "probability_percent" in changed and "probability" not in changed:
            data["probability"] = None
        if data["probability"] in (None, ""):
            data.pop("probability")
        if data["probability_percent"] is None:
            data.pop("probability_percent")
        return data, list(self.cleaned_data["tasks"])


ACTION_FIELDS = ["title", "owner", "due_date", "status", "cost", "completed_on"]


class MitigationActionForm(KeelFormMixin, _VersionField):
    def __init__(self, *args, program, action=None, **kwargs):
        if action is not None:
            kwargs.setdefault("initial", {**model_to_dict(action, fields=ACTION_FIELDS), "version": action.version})
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(MitigationAction, fields=ACTION_FIELDS))
        self.fields["owner"].queryset = people_of(program)
        self.fields["due_date"].widget = DATE
        self.fields["completed_on"].widget = DATE
        self.fields["completed_on"].help_text = "Left empty on a done action: today."

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ACTION_FIELDS}


ISSUE_FIELDS = ["title", "description", "severity", "owner", "due_date", "status", "resolution", "resolved_on"]


class IssueForm(KeelFormMixin, _VersionField):
    def __init__(self, *args, program, issue=None, **kwargs):
        if issue is not None:
            kwargs.setdefault("initial", {**model_to_dict(issue, fields=ISSUE_FIELDS), "version": issue.version})
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Issue, fields=ISSUE_FIELDS))
        self.fields["owner"].queryset = people_of(program)
        self.fields["due_date"].widget = DATE
        self.fields["resolved_on"].widget = DATE
        self.fields["resolved_on"].help_text = "Left empty when resolving: today."

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ISSUE_FIELDS}


class EscalateForm(KeelFormMixin, forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Why the program must handle it (beyond the project's authority, tolerance or budget).",
    )


class RealiseForm(KeelFormMixin, forms.Form):
    """Realise a risk, optionally drawing reserve (both amount and reserve, or neither)."""

    reserve = forms.ChoiceField(
        choices=[("", "No drawdown"), *ReserveTransaction.Reserve.choices], required=False, label="Draw from"
    )
    amount = forms.DecimalField(
        max_digits=19, decimal_places=2, min_value=Decimal("0.01"), max_value=bounds.MONEY_MAX, required=False
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="What happened.")


class AnalysisRunForm(KeelFormMixin, forms.Form):
    """Start a Monte Carlo analysis: how many iterations, an optional seed (to repeat a run),
    residual or inherent risks, and an optional target date to read the chance of."""

    iterations = forms.IntegerField(
        min_value=ITERATIONS_MIN,
        max_value=ITERATIONS_MAX,
        initial=ITERATIONS_DEFAULT,
        help_text=f"{ITERATIONS_MIN:,} to {ITERATIONS_MAX:,}; more iterations give steadier percentiles.",
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=2**63 - 1,
        required=False,
        help_text="Leave empty for a new one; reuse one to repeat a run.",
    )
    basis = forms.ChoiceField(
        choices=AnalysisRun.Basis.choices,
        initial=AnalysisRun.Basis.RESIDUAL,
        label="Risk events",
        widget=forms.RadioSelect,
    )
    target_date = forms.DateField(
        required=False,
        widget=DATE,
        validators=bounds.DATE_VALIDATORS,
        help_text="Optional: the analysis gives the chance of finishing by this day.",
    )


def scope_risk_filters(filterset, *, program, user, project=None, with_all: bool = False) -> None:
    """Lay out the shared RiskFilterSet for a register page: the scope is in the path, so the
    program, portfolio and id filters go; projects and owners are limited to `program`'s."""
    from core.forms import present_filter_form
    from projects.models import Project

    fields = filterset.form.fields
    for name in ("program", "portfolio", "vendor", "contract", "min_score", "residual_band"):
        fields.pop(name, None)
    if project is not None:
        fields.pop("project", None)
        fields.pop("scope", None)
    else:
        fields["project"].queryset = Project.objects.visible_to(user).filter(program=program).order_by("code")
    fields["owner"].queryset = people_of(program)
    for name in ("status", "category", "band", "response"):
        fields[name].widget = forms.CheckboxSelectMultiple(choices=fields[name].choices)
    for name in ("proximity_before", "proximity_after"):
        fields[name].widget = DATE
    if not with_all:
        fields.pop("all", None)
    order = ["q", "status", "band", "category", "probability", "impact", "residual_probability", "residual_impact"]
    order += ["response", "owner", "project", "scope", "escalated", "proximity_after", "proximity_before", "all"]
    present_filter_form(filterset, order=[name for name in order if name in fields])


def scope_issue_filters(filterset, *, program, user, project=None) -> None:
    from core.forms import present_filter_form
    from projects.models import Project

    fields = filterset.form.fields
    for name in ("program", "portfolio", "risk"):
        fields.pop(name, None)
    if project is not None:
        fields.pop("project", None)
        fields.pop("scope", None)
    else:
        fields["project"].queryset = Project.objects.visible_to(user).filter(program=program).order_by("code")
    fields["owner"].queryset = people_of(program)
    for name in ("status", "severity"):
        fields[name].widget = forms.CheckboxSelectMultiple(choices=fields[name].choices)
    fields["due_before"].widget = DATE
    present_filter_form(
        filterset, order=["q", "status", "severity", "owner", "project", "scope", "from_risk", "due_before"]
    )
