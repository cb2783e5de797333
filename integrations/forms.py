"""Webhook forms: the scope is chosen among the portfolios and programs the user manages."""

from django import forms

from core import events
from portfolio.models import Portfolio, Program

EVENT_CHOICES = list(events.KINDS.items())


def scope_choices(user) -> list[tuple[str, str]]:
    portfolios = Portfolio.objects.editable_by(user).order_by("name")
    programs = Program.objects.editable_by(user).select_related("portfolio").order_by("portfolio__name", "code")
    return [(f"portfolio:{p.pk}", f"Portfolio {p.name}") for p in portfolios] + [
        (f"program:{p.pk}", f"Program {p.code} {p.name}") for p in programs
    ]


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=100)
    url = forms.URLField(
        label="Payload URL",
        max_length=500,
        assume_scheme="https",
        help_text="Keel POSTs JSON here, signed with the webhook's secret. https; public addresses only.",
    )
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple, help_text="Send these events."
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)

    def __init__(self, *args, scopes: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if scopes is not None:
            self.fields = {
                "scope": forms.ChoiceField(
                    choices=[("", "Choose…"), *scopes],
                    help_text="Events of this portfolio (and everything in it) or of this program.",
                ),
                **self.fields,
            }

    def scope_objects(self) -> dict:
        kind, _, pk = self.cleaned_data["scope"].partition(":")
        if kind == "portfolio":
            return {"portfolio": Portfolio.objects.get(pk=pk)}
        return {"program": Program.objects.get(pk=pk)}
