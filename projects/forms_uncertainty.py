"""Forms of the risk analysis inputs page (views/uncertainty.py): duration ranges by WBS branch
and correlation groups. The services check again; their errors land on the fields."""

from decimal import Decimal

from django import forms

from core.forms import KeelFormMixin

from .forms import TaskChoiceField, task_label
from .models import Distribution, Task

ALL_TASKS_LABEL = "All tasks (not covered by a branch)"


class DurationRangeForm(KeelFormMixin, forms.Form):
    branch = TaskChoiceField(label="Branch", required=False, blank_label=ALL_TASKS_LABEL)
    low_percent = forms.DecimalField(
        label="Shorter by up to (%)", min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    high_percent = forms.DecimalField(
        label="Longer by up to (%)", min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    distribution = forms.ChoiceField(choices=Distribution.choices, initial=Distribution.TRIANGULAR)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, summaries=(), instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "branch": str(instance.branch_id or ""),
                    "low_percent": instance.low_percent,
                    "high_percent": instance.high_percent,
                    "distribution": instance.distribution,
                    "version": instance.version,
                },
            )
            kwargs.setdefault("auto_id", f"range{instance.pk}_%s")
        else:
            kwargs.setdefault("auto_id", "new_range_%s")
        super().__init__(*args, **kwargs)
        self.fields["branch"].set_tasks(summaries, label_of=task_label, blank_label=ALL_TASKS_LABEL)
        for name in ("low_percent", "high_percent"):
            self.fields[name].widget.attrs.update({"step": "0.01", "min": 0, "max": 100})

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("branch", "low_percent", "high_percent", "distribution")}


class CorrelationGroupForm(KeelFormMixin, forms.Form):
    name = forms.CharField(max_length=100)
    coefficient = forms.DecimalField(
        label="Correlation (0 to 1)",
        min_value=0,
        max_value=1,
        max_digits=3,
        decimal_places=2,
        initial=Decimal("0.5"),
        help_text="0: independent; 1: the durations move together.",
    )
    tasks = forms.MultipleChoiceField(label="Tasks", widget=forms.CheckboxSelectMultiple, help_text="At least two.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, tasks=(), instance=None, **kwargs):
        self.instance = instance
        self.tasks_by_key = {str(t.pk): t for t in tasks}
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "coefficient": instance.coefficient,
                    "tasks": [str(t.pk) for t in instance.tasks.all()],
                    "version": instance.version,
                },
            )
            kwargs.setdefault("auto_id", f"group{instance.pk}_%s")
        else:
            kwargs.setdefault("auto_id", "new_group_%s")
        super().__init__(*args, **kwargs)
        self.fields["tasks"].choices = [(str(t.pk), task_label(t)) for t in tasks if not t.is_summary]
        self.fields["coefficient"].widget.attrs.update({"step": "0.05", "min": 0, "max": 1})

    def service_data(self) -> dict:
        return {
            "name": self.cleaned_data["name"],
            "coefficient": self.cleaned_data["coefficient"],
            "tasks": [self.tasks_by_key[key] for key in self.cleaned_data["tasks"]],
        }


def summary_tasks(tasks: list[Task]) -> list[Task]:
    return [t for t in tasks if t.is_summary]
