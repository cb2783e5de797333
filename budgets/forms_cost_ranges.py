"""The cost range form of a project's risk analysis inputs page (budgets/views/cost_ranges.py)."""

from django import forms

from core import bounds
from core.forms import KeelFormMixin
from projects.models import Distribution

from .models import CostCategory


def _money(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_value=bounds.MONEY_MAX,
        max_digits=18,
        decimal_places=2,
        help_text=help_text,
    )


class CostRangeForm(KeelFormMixin, forms.Form):
    category = forms.ModelChoiceField(queryset=CostCategory.objects.none(), label="Cost category")
    low_amount = _money("Low")
    likely_amount = _money("Most likely", required=False, help_text="Empty: the category's current budget.")
    high_amount = _money("High")
    distribution = forms.ChoiceField(choices=Distribution.choices, initial=Distribution.TRIANGULAR)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, categories=(), instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "category": instance.category_id,
                    "low_amount": instance.low_amount,
                    "likely_amount": instance.likely_amount,
                    "high_amount": instance.high_amount,
                    "distribution": instance.distribution,
                    "version": instance.version,
                },
            )
            kwargs.setdefault("auto_id", f"cost{instance.pk}_%s")
        else:
            kwargs.setdefault("auto_id", "new_cost_%s")
        super().__init__(*args, **kwargs)
        pks = [c.pk for c in categories]
        self.fields["category"].queryset = CostCategory.objects.filter(pk__in=pks)
        for name in ("low_amount", "likely_amount", "high_amount"):
            self.fields[name].widget.attrs.update({"step": "0.01", "min": 0})

    def service_data(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("category", "low_amount", "likely_amount", "high_amount", "distribution")
        }
