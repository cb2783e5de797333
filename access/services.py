"""Writes of user administration and single sign-on. Each is atomic and audited; roles are
granted and revoked through portfolio.services (which audit them)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from core.services import audit_record, update_audited
from portfolio.models import Membership, Portfolio, Program
from portfolio.services import membership_create, membership_delete
from projects.models import Project

from .models import Invitation, SsoMembership

log = logging.getLogger(__name__)

INVITATION_SALT = "access.invitation"
INVITATION_INVALID = "This invitation link is not valid."
INVITATION_EXPIRED = "This invitation has expired. Ask for a new one."
INVITATION_USED = "This invitation has already been used."
INVITATION_REVOKED = "This invitation was withdrawn."
INVITATION_OTHER_ACCOUNT = "This invitation is for {email}; you are signed in as someone else."
INVITATION_ACCOUNT_INACTIVE = "The account for {email} is deactivated; ask an administrator."
INVITATION_ALREADY_OPEN = "{email} already has an open invitation for this role here."
ROLE_ALREADY_HELD = "{user} already holds this role here."
CANNOT_DEACTIVATE_SELF = "You cannot deactivate your own account."
CANNOT_DEACTIVATE_SUPERUSER = "Only a superuser can deactivate a superuser."
HAS_ROLES_ELSEWHERE = (
    "{user} also holds roles outside the portfolios you administer; only an administrator can deactivate the account."
)
SSO_MANAGED = "This role is granted by single sign-on (group {group}); change it in the identity provider."


def _scope_kwargs(scope) -> dict:
    if isinstance(scope, Portfolio):
        return {"portfolio": scope}
    if isinstance(scope, Program):
        return {"program": scope}
    if isinstance(scope, Project):
        return {"project": scope}
    raise ValueError(f"Not a scope: {scope!r}")


# --- Roles ---


@transaction.atomic
def role_grant(*, actor, user, role: str, scope) -> Membership:
    """Grant `role` on `scope` (a portfolio, program or project) to `user`."""
    kwargs = _scope_kwargs(scope)
    if Membership.objects.filter(user=user, role=role, **kwargs).exists():
        raise ValidationError({"role": ROLE_ALREADY_HELD.format(user=user.username)})
    return membership_create(actor=actor, user=user, role=role, **kwargs)


@transaction.atomic
def role_revoke(*, actor, membership: Membership) -> None:
    """Remove one membership (audited by portfolio.services.membership_delete). A role single
    sign-on manages is refused: the next sign-in would grant it again."""
    sso = SsoMembership.objects.filter(membership=membership).first()
    if sso is not None:
        raise ValidationError({"membership": SSO_MANAGED.format(group=sso.group)})
    membership_delete(actor=actor, membership=membership)


# --- Accounts ---


def _has_roles_elsewhere(*, actor, person) -> bool:
    from .selectors import administered_memberships

    if actor.is_superuser:
        return False
    mine = administered_memberships(actor).filter(user=person).values("pk")
    return Membership.objects.filter(user=person).exclude(pk__in=mine).exists()


def deactivation_refusal(*, actor, person) -> str | None:
    """Why `actor` may not deactivate `person`, or None."""
    if person.pk == actor.pk:
        return CANNOT_DEACTIVATE_SELF
    if person.is_superuser and not actor.is_superuser:
        return CANNOT_DEACTIVATE_SUPERUSER
    if _has_roles_elsewhere(actor=actor, person=person):
        return HAS_ROLES_ELSEWHERE.format(user=person.username)
    return None


@transaction.atomic
def user_deactivate(*, actor, person):
    """Deactivate an account: it can no longer sign in, its sessions end at their next request
    (Django's backends refuse inactive users) and its API tokens are refused
    (core.authentication). Memberships stay, so reactivating restores the same access."""
    refusal = deactivation_refusal(actor=actor, person=person)
    if refusal:
        raise ValidationError({"user": refusal})
    return update_audited(actor=actor, obj=person, data={"is_active": False})


@transaction.atomic
def user_reactivate(*, actor, person):
    refusal = deactivation_refusal(actor=actor, person=person)
    if refusal:
        raise ValidationError({"user": refusal})
    return update_audited(actor=actor, obj=person, data={"is_active": True})


# --- Invitations ---


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"id": invitation.pk, "n": invitation.nonce}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("access:invitation-accept", args=[invitation_token(invitation)])


@transaction.atomic
def invitation_create(*, actor, email: str, role: str, scope, send: bool = True) -> Invitation:
    """Invite `email` to `role` on `scope` and mail the link (Django's configured mailer)."""
    email = email.strip()
    kwargs = _scope_kwargs(scope)
    now = timezone.now()
    if Invitation.objects.filter(
        email__iexact=email,
        role=role,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
        **kwargs,
    ).exists():
        raise ValidationError({"email": INVITATION_ALREADY_OPEN.format(email=email)})
    invitation = Invitation(
        email=email,
        role=role,
        invited_by=actor,
        expires_at=now + timedelta(hours=settings.KEEL_INVITATION_HOURS),
        **kwargs,
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=invitation,
        changes={"email": [None, email], "role": [None, role], "scope": [None, str(scope)]},
    )
    if send:
        url = invitation_url(invitation)
        context = {"invitation": invitation, "url": url, "inviter": actor, "hours": settings.KEEL_INVITATION_HOURS}
        # Sent after commit: a rolled-back invitation sends nothing.
        transaction.on_commit(
            lambda: send_mail(
                subject=f"You are invited to Keel: {invitation.get_role_display()} on {invitation.scope}",
                message=render_to_string("access/invitation_email.txt", context),
                from_email=None,
                recipient_list=[email],
            )
        )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor, invitation: Invitation) -> Invitation:
    if invitation.is_open:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=invitation,
            changes={"revoked_at": [None, str(invitation.revoked_at)]},
        )
    return invitation


def invitation_from_token(token: str) -> Invitation:
    """The open invitation a link names. Raises ValidationError with INVITATION_* texts."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=timedelta(hours=settings.KEEL_INVITATION_HOURS))
    except signing.SignatureExpired:
        raise ValidationError(INVITATION_EXPIRED, code="expired") from None
    except signing.BadSignature:
        raise ValidationError(INVITATION_INVALID, code="invalid") from None
    invitation = (
        Invitation.objects.select_related("portfolio", "program", "project", "invited_by")
        .filter(pk=data.get("id"), nonce=data.get("n"))
        .first()
    )
    if invitation is None:
        raise ValidationError(INVITATION_INVALID, code="invalid")
    if invitation.accepted_at is not None:
        raise ValidationError(INVITATION_USED, code="used")
    if invitation.revoked_at is not None:
        raise ValidationError(INVITATION_REVOKED, code="revoked")
    if invitation.expires_at <= timezone.now():
        raise ValidationError(INVITATION_EXPIRED, code="expired")
    return invitation


def invitation_existing_user(invitation: Invitation):
    return get_user_model().objects.filter(email__iexact=invitation.email).order_by("pk").first()


@transaction.atomic
def invitation_accept(*, token: str, user=None, username: str = "", password: str = "", **names):
    """Use an invitation once: grant its role to `user` (signed in, with the invited e-mail), or
    create the account (`username`, `password`, first_name/last_name) for a new address.
    Returns the user. Raises ValidationError with INVITATION_* texts."""
    invitation = invitation_from_token(token)
    # Lock the row: two tabs posting the same link grant once.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(INVITATION_USED, code="used")
    if user is not None:
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(INVITATION_OTHER_ACCOUNT.format(email=invitation.email), code="other")
        if not user.is_active:
            raise ValidationError(INVITATION_ACCOUNT_INACTIVE.format(email=invitation.email), code="inactive")
    else:
        user = get_user_model()(username=username, email=invitation.email, **names)
        user.set_password(password)
        user.full_clean()
        user.save()
        audit_record(
            actor=user,
            action=AuditEntry.Action.CREATE,
            obj=user,
            changes={"via": [None, f"invitation {invitation.pk}"]},
        )
    scope_kwargs = _scope_kwargs(invitation.scope)
    if not Membership.objects.filter(user=user, role=invitation.role, **scope_kwargs).exists():
        # The grant is the inviter's decision; the audit entry names them.
        membership_create(actor=invitation.invited_by, user=user, role=invitation.role, **scope_kwargs)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    audit_record(
        actor=user,
        action=AuditEntry.Action.UPDATE,
        obj=invitation,
        changes={"accepted_at": [None, str(invitation.accepted_at)]},
    )
    return user


# --- Single sign-on ---


@transaction.atomic
def sso_user_create(*, username: str, claims: dict):
    user = get_user_model().objects.create_user(
        username,
        email=claims["email"],
        first_name=str(claims.get("given_name", ""))[:150],
        last_name=str(claims.get("family_name", ""))[:150],
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    audit_record(actor=user, action=AuditEntry.Action.CREATE, obj=user, changes={"via": [None, "single sign-on"]})
    return user


def sso_user_update(*, user, claims: dict):
    """Names follow the provider; the username and e-mail stay as they are."""
    data = {
        name: str(claims[claim])[:150]
        for name, claim in (("first_name", "given_name"), ("last_name", "family_name"))
        if claims.get(claim)
    }
    return update_audited(actor=user, obj=user, data=data) if data else user


def _mapped_scope(kind: str, code: str):
    model = {"portfolio": Portfolio, "program": Program, "project": Project}[kind]
    return model.objects.filter(code=code).first()


@transaction.atomic
def sso_sync_roles(*, user, groups: list[str]) -> dict:
    """Apply KEEL_OIDC_ROLE_MAP for `user`'s identity-provider `groups`: grant the mapped roles
    they lack (marking them SSO-managed) and remove the SSO-managed ones no group maps to any
    more. Roles granted by hand are never touched. Returns {"granted": [...], "removed": [...]}."""
    wanted: dict[tuple, str] = {}
    for group, role, kind, code in settings.KEEL_OIDC_ROLE_MAP:
        if group not in groups:
            continue
        scope = _mapped_scope(kind, code)
        if scope is None:
            log.warning("KEEL_OIDC_ROLE_MAP: no %s with code %s (group %s)", kind, code, group)
            continue
        wanted.setdefault((role, kind, scope.pk), group)
    managed = {
        (sso.membership.role, sso.membership.scope_kind, sso.membership.scope.pk): sso
        for sso in SsoMembership.objects.filter(membership__user=user).select_related(
            "membership__portfolio", "membership__program", "membership__project"
        )
    }
    granted, removed = [], []
    for key, sso in managed.items():
        if key not in wanted:
            membership = sso.membership
            removed.append(str(membership))
            membership_delete(actor=None, membership=membership)
    for key, group in wanted.items():
        if key in managed:
            continue
        role, kind, pk = key
        scope_kwargs = {f"{kind}_id": pk}
        if Membership.objects.filter(user=user, role=role, **scope_kwargs).exists():
            continue  # granted by hand: left alone, and not taken over
        membership = Membership(user=user, role=role, **scope_kwargs)
        membership = membership_create(actor=None, user=user, role=role, **{kind: getattr(membership, kind)})
        SsoMembership.objects.create(membership=membership, group=group)
        granted.append(str(membership))
    return {"granted": granted, "removed": removed}
