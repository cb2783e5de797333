"""Form helpers shared by every app's HTML forms, and the API token form.

Forms validate input; services write. When a service still refuses the data (a race on a
unique code, a constraint the form could not see), `add_service_errors` puts its
ValidationError back on the form so the user sees it next to the field it names.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from . import bounds
from .models import ApiToken
from .serializers import is_whole_id
from .services import STALE_VERSION, StaleVersionError


class KeelFormMixin:
    """Classes the stylesheet uses to mark required and invalid fields."""

    required_css_class = "required"
    error_css_class = "has-error"

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error)


class VersionedFormMixin(KeelFormMixin):
    """Carries the row version the user loaded in a hidden field.

    The edit view passes `cleaned_data["version"]` to the service as `expected_version`;
    a save based on an outdated form then raises StaleVersionError instead of overwriting.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Added here rather than declared: declarative fields on a plain mixin are not collected.
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput, min_value=1, initial=self.instance.version if self.instance.pk else None
        )

    stale = False

    def add_stale_error(self) -> None:
        self.stale = True
        self.add_error(None, STALE_VERSION)

    def save_with(self, update: Callable[[int], Any]) -> Any:
        """Run `update(expected_version)` — a service update — for this bound, valid form and
        return its result, or None when the service refused: a stale version (the form says so
        and `stale` is set; answer 409) or a ValidationError (its messages land on the fields)."""
        try:
            return update(self.cleaned_data["version"])
        except StaleVersionError:
            self.add_stale_error()
        except ValidationError as error:
            self.add_service_errors(error)
        return None


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Attach a service's ValidationError to `form`: by field when the form has that field,
    otherwise as a form-wide error that still names the field."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        if name in form.fields:
            form.add_error(name, messages)
        elif name == NON_FIELD_ERRORS:
            form.add_error(None, messages)
        else:
            form.add_error(None, [f"{name.replace('_', ' ').capitalize()}: {m}" for m in messages])


def present_filter_form(filterset, *, order: list[str]) -> None:
    """Lay out a FilterSet's form for people: fields in `order`, blank choices read "Any"."""
    form = filterset.form
    form.order_fields(order)
    for field in form.fields.values():
        if getattr(field, "empty_label", None) is not None:
            field.empty_label = "Any"
            field.widget.choices = field.choices  # the widget may hold a copy made with the old label
        elif type(field) in (forms.ChoiceField, forms.TypedChoiceField):
            field.choices = [("", "Any") if value == "" else (value, label) for value, label in field.choices]


def narrow_filter_choices(filterset, **querysets) -> None:
    """Limit a shared FilterSet's choice fields to rows the user may see.

    The FilterSet itself is shared with the API and lists every row; in the HTML form the
    drop-downs would otherwise show other portfolios' programs and people. Narrowing the
    form field's queryset also makes an out-of-scope id a validation error.
    """
    for name, queryset in querysets.items():
        filterset.form.fields[name].queryset = queryset


class ApiTokenForm(KeelFormMixin, forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “ledger import”.", label="Token name")
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ_WRITE,
        required=False,  # a client posting only a name gets what it always got: read and write
        widget=forms.RadioSelect,
        label="Access",
        help_text="A read-only token may only read; any change it attempts is refused.",
    )
    expires_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label="Expires after",
        help_text="Optional: the token stops working at the end of this day. Empty: it works until revoked.",
    )

    def clean_scope(self):
        return self.cleaned_data.get("scope") or ApiToken.Scope.READ_WRITE

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is not None and not bounds.date_in_range(day):
            raise forms.ValidationError(bounds.DATE_OUT_OF_RANGE)
        return day

    def expires_at(self):
        """The moment the token stops working: the last minute of `expires_on` in the current
        time zone (shown as "31 Mar 2027 23:59", the day the user chose)."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


FINISH_BEFORE_START = "The finish date must be on or after the start date."


def date_input() -> forms.DateInput:
    """A native date picker; type="date" inputs need ISO dates whatever the display locale."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def check_dates_ordered(form: forms.BaseForm, start: str, finish: str) -> None:
    """Report a finish before its start on the finish field (the database constraint would
    only give a form-wide message that names no field)."""
    first, last = form.cleaned_data.get(start), form.cleaned_data.get(finish)
    if first and last and last < first:
        form.add_error(finish, FINISH_BEFORE_START)


def person_label(user) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


class PersonChoiceField(forms.ModelChoiceField):
    """A user drop-down labelled with full names."""

    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class IdChoicesField(forms.ModelMultipleChoiceField):
    """Several related objects by id; an id that is not a whole number in the key range is an
    invalid choice before any query (a 30-digit id would overflow the database driver: a 500)."""

    def _check_values(self, value):
        for pk in value:
            if not is_whole_id(str(pk)):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class NotificationPreferencesForm(forms.Form):
    """One row per notification kind: in the app, by e-mail, e-mail in the daily digest.
    Fields are named `<kind>-in_app`, `<kind>-email`, `<kind>-digest`."""

    FLAGS = ("in_app", "email", "digest")

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for pref in rows:
            for flag in self.FLAGS:
                self.fields[f"{pref.kind}-{flag}"] = forms.BooleanField(
                    required=False, initial=getattr(pref, flag), label=f"{pref.get_kind_display()}: {flag}"
                )

    def table(self) -> list[dict]:
        """The rows the template draws: the kind's label and its three bound fields."""
        return [
            {"label": pref.get_kind_display(), **{flag: self[f"{pref.kind}-{flag}"] for flag in self.FLAGS}}
            for pref in self.rows
        ]

    def values(self) -> dict[str, dict[str, bool]]:
        return {
            pref.kind: {flag: self.cleaned_data[f"{pref.kind}-{flag}"] for flag in self.FLAGS} for pref in self.rows
        }


class NotificationFilterForm(forms.Form):
    """The notifications list's one filter: `?unread=1` shows only the unread."""

    unread = forms.BooleanField(required=False, label="Unread only")
