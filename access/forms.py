"""Forms of user administration: invite, grant a role, accept an invitation."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import UsernameField

from core.forms import KeelFormMixin
from portfolio.models import Portfolio, Program
from portfolio.roles import Role
from projects.models import Project

from .selectors import administered_portfolios, administered_programs, administered_projects

UNKNOWN_SCOPE = "Choose a portfolio, program or project you administer."
USERNAME_TAKEN = "This username is taken; choose another."
PASSWORDS_DIFFER = "The two passwords differ."
ROLE_CHOICES = [("", "— choose a role —"), *Role.choices]


def scope_choices(viewer) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped <select> choices: every scope `viewer` administers, valued `kind:code`."""
    return [
        ("", "— choose where —"),
        ("Portfolios", [(f"portfolio:{p.code}", str(p)) for p in administered_portfolios(viewer).order_by("code")]),
        ("Programs", [(f"program:{p.code}", str(p)) for p in administered_programs(viewer).order_by("code")]),
        ("Projects", [(f"project:{p.code}", str(p)) for p in administered_projects(viewer).order_by("code")]),
    ]


def scope_from_value(viewer, value: str):
    """The administered scope a `kind:code` value names, or None."""
    kind, _, code = value.partition(":")
    queryset = {
        "portfolio": administered_portfolios(viewer),
        "program": administered_programs(viewer),
        "project": administered_projects(viewer),
    }.get(kind)
    return None if queryset is None else queryset.filter(code=code).first()


def scope_value(scope) -> str:
    kind = {Portfolio: "portfolio", Program: "program", Project: "project"}[type(scope)]
    return f"{kind}:{scope.code}"


class InviteForm(KeelFormMixin, forms.Form):
    email = forms.EmailField(label="E-mail address", help_text="The invitation link is sent here.")
    role = forms.ChoiceField(choices=ROLE_CHOICES)
    scope = forms.ChoiceField(label="On", help_text="A role on a portfolio or program applies to everything in it.")

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        self.fields["scope"].choices = scope_choices(viewer)

    def clean_scope(self):
        scope = scope_from_value(self.viewer, self.cleaned_data["scope"])
        if scope is None:
            raise forms.ValidationError(UNKNOWN_SCOPE)
        return scope


class GrantForm(KeelFormMixin, forms.Form):
    """Grant a role on the page's scope to someone already in the viewer's portfolios."""

    user = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label="Person", empty_label="— choose —")
    role = forms.ChoiceField(choices=ROLE_CHOICES)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people.filter(is_active=True).order_by("username")
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.username})" if u.get_full_name() else u.username
        )


class AcceptForm(KeelFormMixin, forms.Form):
    """A new account from an invitation: the e-mail is the invited one."""

    username = UsernameField(max_length=150, help_text="Letters, digits and @ . + - _ only.")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    password1 = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(USERNAME_TAKEN)
        return username

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", PASSWORDS_DIFFER)
        elif first:
            candidate = get_user_model()(
                username=data.get("username", ""),
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
