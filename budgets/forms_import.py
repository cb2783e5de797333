"""Forms of the import pages: the upload, and the column mapping (one select per field)."""

from django import forms

from core.forms import KeelFormMixin

from .imports import DATE_FORMATS
from .imports.jobs import MAX_UPLOAD_BYTES, TOO_LARGE
from .models import CostEntry, ImportJob

NOT_IN_FILE = "— not in the file —"
DATE_FORMAT_CHOICES = [("", "YYYY-MM-DD (ISO)"), *((k, v) for k, v in DATE_FORMATS.items() if k and k != "%Y-%m-%d")]


class ImportUploadForm(KeelFormMixin, forms.Form):
    file = forms.FileField(
        label="CSV or Excel file", help_text="The first row names the columns. .csv (comma or semicolon) or .xlsx."
    )
    source = forms.ChoiceField(
        label="Source",
        choices=CostEntry.Source.choices,
        initial=CostEntry.Source.LEDGER,
        help_text="For rows whose file has no source column.",
    )
    date_format = forms.ChoiceField(label="Dates written as", choices=DATE_FORMAT_CHOICES, required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind != ImportJob.Kind.ACTUALS:
            del self.fields["source"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(TOO_LARGE)
        return upload


class ImportMappingForm(KeelFormMixin, forms.Form):
    """One select per import field, listing the file's columns; `mapping()` is the result."""

    def __init__(self, *args, job: ImportJob, headers: list[str], fields, **kwargs):
        initial = {f"field_{name}": column for name, column in job.mapping.items()}
        initial.update(source=job.default_source, date_format=job.date_format)
        super().__init__(*args, initial=initial, **kwargs)
        choices = [("", NOT_IN_FILE), *((h, h) for h in headers)]
        self.import_fields = fields
        for field in fields.values():
            label = f"{field.label}" + ("" if field.required else " (optional)")
            self.fields[f"field_{field.name}"] = forms.ChoiceField(
                label=label, choices=choices, required=False, help_text=field.help
            )
        if job.kind == ImportJob.Kind.ACTUALS:
            self.fields["source"] = forms.ChoiceField(
                label="Source", choices=CostEntry.Source.choices, help_text="For rows whose file has no source column."
            )
        self.fields["date_format"] = forms.ChoiceField(
            label="Dates written as", choices=DATE_FORMAT_CHOICES, required=False
        )

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"field_{name}"]
            for name in self.import_fields
            if self.cleaned_data.get(f"field_{name}")
        }
