"""Pages of user administration (portfolio admins), the invitation page and the login page.

Every administration page starts from access.selectors: scopes and people outside the viewer's
portfolios are 404. Revoking a role and deactivating an account show what changes and ask first.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.views import paginate, refused_status
from portfolio.models import Membership

from . import selectors, services
from .forms import AcceptForm, GrantForm, InviteForm, scope_value
from .oidc import sso_enabled

PASSWORD_LOGIN_OFF = "Password sign-in is switched off here; use single sign-on."  # noqa: S105 - a message
SSO_FAILED = "Single sign-on did not complete. Try again, or ask your administrator."
ROLE_GRANTED = "{user} is now {role} on {scope}."
ROLE_REVOKED = "{user} is no longer {role} on {scope}."
INVITED = "Invitation sent to {email}. The link works once, for {hours} hours."
INVITATION_WITHDRAWN = "Invitation to {email} withdrawn."
DEACTIVATED = "{user} is deactivated: they can no longer sign in and their API tokens are refused."
REACTIVATED = "{user} is active again."
WELCOME = "Welcome to Keel. You are {role} on {scope}."


# --- Sign-in ---


class KeelLoginView(LoginView):
    """Django's login page, with the single sign-on button; with KEEL_PASSWORD_LOGIN=0 it shows
    only the button and refuses a posted password (403)."""

    def post(self, request, *args, **kwargs):
        if not settings.KEEL_PASSWORD_LOGIN:
            return render(request, self.template_name, self.get_context_data(refused=PASSWORD_LOGIN_OFF), status=403)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            password_login=settings.KEEL_PASSWORD_LOGIN,
            sso_enabled=sso_enabled(),
            sso_label=settings.KEEL_OIDC_LABEL,
            sso_failed=SSO_FAILED if self.request.GET.get("sso") == "failed" else "",
        )
        return context


# --- Administration ---


def _require_admin(user):
    if not selectors.administers_anything(user):
        raise Http404


@login_required
def people(request):
    """Everyone holding a role in the viewer's portfolios, and open invitations."""
    _require_admin(request.user)
    query = request.GET.get("q", "").strip()
    page = paginate(request, selectors.people_list(viewer=request.user, query=query))
    invitations = (
        selectors.administered_invitations(request.user)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("portfolio", "program", "project", "invited_by")[:50]
    )
    portfolios = selectors.administered_portfolios(request.user).order_by("code")
    context = {"page": page, "query": query, "invitations": invitations, "portfolios": portfolios}
    return render(request, "access/people.html", context)


def _person(request, pk: int):
    _require_admin(request.user)
    return get_object_or_404(selectors.administrable_users(request.user), pk=pk)


@login_required
def person_detail(request, pk: int):
    person = _person(request, pk)
    context = {
        "person": person,
        "memberships": list(selectors.person_memberships(person=person, viewer=request.user)),
        "reach": selectors.person_effective_access(person=person, viewer=request.user),
        "tokens": person.api_tokens.filter(revoked_at__isnull=True).count(),
        "refusal": services.deactivation_refusal(actor=request.user, person=person),
    }
    return render(request, "access/person_detail.html", context)


@login_required
def person_deactivate(request, pk: int):
    """GET: what deactivating changes; POST: do it."""
    person = _person(request, pk)
    refusal = services.deactivation_refusal(actor=request.user, person=person)
    if request.method == "POST" and refusal is None and person.is_active:
        services.user_deactivate(actor=request.user, person=person)
        messages.success(request, DEACTIVATED.format(user=person.username))
        return redirect("access:person", pk=person.pk)
    context = {
        "person": person,
        "refusal": refusal,
        "tokens": person.api_tokens.filter(revoked_at__isnull=True).count(),
        "memberships": list(selectors.person_memberships(person=person, viewer=request.user)),
    }
    return render(request, "access/person_deactivate.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def person_reactivate(request, pk: int):
    person = _person(request, pk)
    try:
        services.user_reactivate(actor=request.user, person=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, REACTIVATED.format(user=person.username))
    return redirect("access:person", pk=person.pk)


SCOPE_QUERYSETS = {
    "portfolio": selectors.administered_portfolios,
    "program": selectors.administered_programs,
    "project": selectors.administered_projects,
}


@login_required
def scope_access(request, kind: str, code: str):
    """Who has access to one portfolio, program or project; grant a role here."""
    _require_admin(request.user)
    if kind not in SCOPE_QUERYSETS:
        raise Http404
    scope = get_object_or_404(SCOPE_QUERYSETS[kind](request.user), code=code)
    people = selectors.administrable_users(request.user)
    form = GrantForm(request.POST or None, people=people)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            user, role = form.cleaned_data["user"], form.cleaned_data["role"]
            try:
                services.role_grant(actor=request.user, user=user, role=role, scope=scope)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                label = dict(Membership.Role.choices)[role]
                messages.success(request, ROLE_GRANTED.format(user=user.username, role=label, scope=scope))
                return redirect(request.path)
        status = refused_status(request)
    context = {
        "scope": scope,
        "kind": kind,
        "chain": selectors.scope_chain(scope)[1:],
        "rows": selectors.scope_members(scope),
        "form": form,
        "invite_url": reverse("access:invite") + f"?scope={scope_value(scope)}",
    }
    return render(request, "access/scope_access.html", context, status=status)


def _scope_url(scope) -> str:
    kind, _, code = scope_value(scope).partition(":")
    return reverse("access:scope", args=[kind, code])


@login_required
def membership_revoke(request, pk: int):
    """GET: what revoking changes; POST: revoke."""
    _require_admin(request.user)
    membership = get_object_or_404(
        selectors.administered_memberships(request.user).select_related("user", "portfolio", "program", "project"),
        pk=pk,
    )
    back = _scope_url(membership.scope)
    error = ""
    if request.method == "POST":
        try:
            services.role_revoke(actor=request.user, membership=membership)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(
                request,
                ROLE_REVOKED.format(
                    user=membership.user.username, role=membership.get_role_display(), scope=membership.scope
                ),
            )
            return redirect(back)
    remaining = selectors.person_memberships(person=membership.user, viewer=request.user).exclude(pk=membership.pk)
    context = {"membership": membership, "back": back, "remaining": list(remaining), "error": error}
    return render(request, "access/membership_revoke.html", context, status=400 if error else 200)


@login_required
def invite(request):
    _require_admin(request.user)
    form = InviteForm(request.POST or None, viewer=request.user, initial={"scope": request.GET.get("scope", "")})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.invitation_create(
                    actor=request.user, email=data["email"], role=data["role"], scope=data["scope"]
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, INVITED.format(email=data["email"], hours=settings.KEEL_INVITATION_HOURS))
                return redirect("access:people")
        status = refused_status(request)
    return render(request, "access/invite.html", {"form": form}, status=status)


@login_required
def invitation_revoke(request, pk: int):
    _require_admin(request.user)
    invitation = get_object_or_404(
        selectors.administered_invitations(request.user).select_related("portfolio", "program", "project"), pk=pk
    )
    if request.method == "POST":
        services.invitation_revoke(actor=request.user, invitation=invitation)
        messages.success(request, INVITATION_WITHDRAWN.format(email=invitation.email))
        return redirect("access:people")
    return render(request, "access/invitation_revoke.html", {"invitation": invitation})


# --- Invitation link (anyone holding it) ---


def invitation_accept(request, token: str):
    """The link from the invitation e-mail: sign in (password or SSO) or set a password, then
    accept once."""
    try:
        invitation = services.invitation_from_token(token)
    except ValidationError as error:
        status = 404 if error.code == "invalid" else 410
        return render(request, "access/invitation_invalid.html", {"reason": error.messages[0]}, status=status)
    existing = services.invitation_existing_user(invitation)
    user = request.user if request.user.is_authenticated else None
    form = None
    if user is None and existing is None and settings.KEEL_PASSWORD_LOGIN:
        form = AcceptForm(request.POST or None, email=invitation.email)
    error = ""
    if request.method == "POST":
        try:
            if user is not None:
                accepted = services.invitation_accept(token=token, user=user)
            elif form is not None and form.is_valid():
                data = form.cleaned_data
                accepted = services.invitation_accept(
                    token=token,
                    username=data["username"],
                    password=data["password1"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
                auth_login(request, accepted, backend="django.contrib.auth.backends.ModelBackend")
            else:
                accepted = None
        except ValidationError as refusal:
            if form is not None and hasattr(refusal, "error_dict"):
                form.add_service_errors(refusal)
            else:
                error = " ".join(refusal.messages)
            accepted = None
        if accepted is not None:
            messages.success(request, WELCOME.format(role=invitation.get_role_display(), scope=invitation.scope))
            return redirect("portfolio:home")
    context = {
        "invitation": invitation,
        "form": form,
        "existing": existing,
        "signed_in_as_other": user is not None and user.email.lower() != invitation.email.lower(),
        "error": error,
        "sso_enabled": sso_enabled(),
        "sso_label": settings.KEEL_OIDC_LABEL,
        "login_url": reverse("login") + f"?next={request.path}",
        "sso_url": reverse("access:oidc-start") + f"?next={request.path}",
    }
    status = 200 if request.method == "GET" else 400
    return render(request, "access/invitation_accept.html", context, status=status)
