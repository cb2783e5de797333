"""Invitations to Keel and the roles that single sign-on manages."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from portfolio.roles import Role


def _nonce() -> str:
    return secrets.token_urlsafe(16)


class Invitation(TimeStampedModel):
    """An e-mailed offer of one role on one scope. The link carries a signed id and nonce; it
    works once (accepted_at) until `expires_at`, unless revoked first."""

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    portfolio = models.ForeignKey(
        "portfolio.Portfolio", null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    program = models.ForeignKey(
        "portfolio.Program", null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    # Part of the signed link: a link forged from a guessed id alone does not verify.
    nonce = models.CharField(max_length=32, default=_nonce, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(portfolio__isnull=False, program__isnull=True, project__isnull=True)
                    | Q(portfolio__isnull=True, program__isnull=False, project__isnull=True)
                    | Q(portfolio__isnull=True, program__isnull=True, project__isnull=False)
                ),
                name="%(app_label)s_%(class)s_exactly_one_scope",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="%(app_label)s_%(class)s_not_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()} · {self.scope}"

    @property
    def scope(self):
        return self.portfolio or self.program or self.project

    @property
    def scope_kind(self) -> str:
        return "portfolio" if self.portfolio_id else "program" if self.program_id else "project"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class SsoMembership(models.Model):
    """Marks a membership as granted by single sign-on from an identity-provider group: it is
    removed again at a later login when the person is no longer in that group. Memberships
    granted by hand carry no such row and sign-on never touches them."""

    membership = models.OneToOneField(
        "portfolio.Membership", on_delete=models.CASCADE, related_name="sso", primary_key=True
    )
    group = models.CharField(max_length=200, help_text="The identity-provider group that granted it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["membership"]

    def __str__(self) -> str:
        return f"{self.membership} (SSO group {self.group})"
