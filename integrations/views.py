"""Webhook pages: list, create, detail with the delivery log, edit, delete, rotate the secret,
send a test. Only the people who manage a subscription see it; everyone else gets 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.views import paginate, refused_status

from . import selectors, services
from .forms import WebhookForm, scope_choices
from .models import WebhookSubscription

TEST_QUEUED = "Test event queued for “{name}”; its delivery appears below."
DELETED = "Webhook “{name}” deleted."
SAVED = "Webhook “{name}” saved."


def _managed(request, pk: int) -> WebhookSubscription:
    return get_object_or_404(
        WebhookSubscription.objects.visible_to(request.user).select_related("portfolio", "program"), pk=pk
    )


def _form_errors(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def webhook_list(request):
    rows = list(selectors.subscriptions_for(request.user))
    can_create = bool(rows) or bool(scope_choices(request.user))
    if not rows and not can_create:
        raise Http404
    return render(request, "integrations/webhook_list.html", {"rows": rows, "can_create": can_create})


@login_required
def webhook_create(request):
    scopes = scope_choices(request.user)
    if not scopes:
        raise Http404
    form = WebhookForm(request.POST or None, scopes=scopes, initial={"is_active": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            subscription, secret = services.webhook_create(
                actor=request.user,
                name=data["name"],
                url=data["url"],
                events=data["events"],
                is_active=data["is_active"],
                **form.scope_objects(),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            context = {"subscription": subscription, "secret": secret, "created": True}
            return render(request, "integrations/webhook_secret.html", context, status=201)
    status = refused_status(request) if form.errors else 200
    return render(request, "integrations/webhook_form.html", {"form": form, "title": "New webhook"}, status=status)


@login_required
def webhook_detail(request, pk: int):
    subscription = _managed(request, pk)
    page = paginate(request, selectors.deliveries_of(subscription), per_page=20)
    return render(request, "integrations/webhook_detail.html", {"subscription": subscription, "page": page})


@login_required
def webhook_edit(request, pk: int):
    subscription = _managed(request, pk)
    initial = {"name": subscription.name, "url": subscription.url, "events": subscription.events}
    form = WebhookForm(request.POST or None, initial={**initial, "is_active": subscription.is_active})
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_update(actor=request.user, subscription=subscription, data=form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, SAVED.format(name=form.cleaned_data["name"]))
            return redirect("integrations:webhook-detail", pk=subscription.pk)
    status = refused_status(request) if form.errors else 200
    context = {"form": form, "title": f"Edit “{subscription.name}”", "subscription": subscription}
    return render(request, "integrations/webhook_form.html", context, status=status)


@login_required
def webhook_delete(request, pk: int):
    subscription = _managed(request, pk)
    if request.method == "POST":
        services.webhook_delete(actor=request.user, subscription=subscription)
        messages.success(request, DELETED.format(name=subscription.name))
        return redirect("integrations:webhook-list")
    count = subscription.deliveries.count()
    return render(
        request,
        "integrations/webhook_confirm.html",
        {"subscription": subscription, "action": "delete", "deliveries": count},
    )


@login_required
def webhook_rotate(request, pk: int):
    """GET: what rotating does, and a button; POST: rotate and show the new secret once."""
    subscription = _managed(request, pk)
    if request.method == "POST":
        subscription, secret = services.webhook_secret_rotate(actor=request.user, subscription=subscription)
        return render(request, "integrations/webhook_secret.html", {"subscription": subscription, "secret": secret})
    return render(request, "integrations/webhook_confirm.html", {"subscription": subscription, "action": "rotate"})


@login_required
@require_POST
def webhook_test(request, pk: int):
    subscription = _managed(request, pk)
    services.webhook_send_test(actor=request.user, subscription=subscription)
    messages.success(request, TEST_QUEUED.format(name=subscription.name))
    return redirect("integrations:webhook-detail", pk=subscription.pk)
