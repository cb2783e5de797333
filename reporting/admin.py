from django import forms
from django.contrib import admin

from .models import HealthPolicy
from .services.health_policy import FIELDS, health_policy_reset, health_policy_update, validate_thresholds


class HealthPolicyAdminForm(forms.ModelForm):
    class Meta:
        model = HealthPolicy
        fields = ["portfolio", *FIELDS]

    def clean(self):
        cleaned = super().clean()
        candidate = HealthPolicy(**{name: cleaned[name] for name in FIELDS if cleaned.get(name) is not None})
        try:
            validate_thresholds(candidate)
        except forms.ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in self.fields and name not in self.errors:
                    self.add_error(name, messages)
        return cleaned


@admin.register(HealthPolicy)
class HealthPolicyAdmin(admin.ModelAdmin):
    """Health thresholds per portfolio (portfolio admins also edit them on the portfolio's
    thresholds page). Saves and deletes go through reporting.services.health_policy, so they are
    audited and every project of the portfolio recomputes its health."""

    saves_through_services = True  # core.admin_site: keeps add / change / delete
    form = HealthPolicyAdminForm
    list_display = ["portfolio", "cpi_amber", "cpi_red", "spi_amber", "spi_red", "slip_amber_days", "slip_red_days"]
    list_select_related = ["portfolio"]
    search_fields = ["portfolio__code", "portfolio__name"]
    readonly_fields = ["updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # The portfolio of a saved row is fixed: a policy is looked up by its portfolio.
        return ["portfolio", "updated_at"] if obj is not None else ["updated_at"]

    def save_model(self, request, obj, form, change):
        saved = health_policy_update(
            actor=request.user, portfolio=obj.portfolio, data={name: form.cleaned_data[name] for name in FIELDS}
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        health_policy_reset(actor=request.user, portfolio=obj.portfolio)

    def delete_queryset(self, request, queryset):
        for policy in queryset.select_related("portfolio"):
            health_policy_reset(actor=request.user, portfolio=policy.portfolio)
