"""The comment form: a Markdown body (the services check it again) and, for a reply, its parent."""

from django import forms

from core.forms import KeelFormMixin

from .models import COMMENT_MAX_CHARS


class CommentForm(KeelFormMixin, forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=COMMENT_MAX_CHARS,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown. Mention someone with @username to notify them.",
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
