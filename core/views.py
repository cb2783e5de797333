"""The profile page and personal API tokens, the administrators' jobs page, plus helpers every
app's HTML views share."""

import functools
from collections.abc import Iterable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import notifications, taskruns
from .filters import TaskRunFilterSet, unknown_list_params
from .forms import ApiTokenForm, NotificationFilterForm, NotificationPreferencesForm
from .models import ApiToken, Notification, TaskRun
from .services import api_token_create, api_token_revoke

PAGE_SIZE = 25
TOKEN_REVOKED = "Token “{name}” revoked. Requests using it are now refused."  # noqa: S105 - a message
ALL_READ = "{count} notification(s) marked read."
PREFERENCES_SAVED = "Notification preferences saved."


def paginate(request, queryset, per_page: int = PAGE_SIZE) -> Page:
    """The page named by `?page=` (the last page when it is past the end, the first when it
    is not a number). Two queries: a count and the page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def refuse_unknown_filters(request, filters, *, also: Iterable[str] = ()) -> HttpResponse | None:
    """A 400 page naming each query parameter an HTML list does not read, else None. A list that
    ignored `?code=X` would show everything as if it were the filtered answer. `filters` is the
    list's FilterSet or its plain filter form."""
    unknown, known = unknown_list_params(request.GET, filters, also=also)
    if not unknown:
        return None
    context = {"unknown": unknown, "known": [name for name in known if name not in ("page", "sort", "export")]}
    return render(request, "core/unknown_filters.html", context, status=400)


def refused_status(request) -> int:
    """The status of a refused form: 422 for htmx, which swaps it in (base.html's htmx-config) and
    which django-htmx's debug overlay leaves alone (it takes over the page on a 400); 400 for a
    plain form post."""
    return 422 if getattr(request, "htmx", False) else 400


def filters_active(request) -> bool:
    """Does the query string filter the list (anything besides page and sort)?"""
    return any(value for key, value in request.GET.items() if key not in ("page", "sort", "export"))


def _token_panel(request, *, form=None, new_secret=None, new_token=None) -> dict:
    return {
        "tokens": list(ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk")),
        "token_form": form or ApiTokenForm(),
        "new_secret": new_secret,
        "new_token": new_token,
    }


def _render_tokens(request, panel: dict, status: int = 200):
    """The token panel alone for htmx, otherwise the whole profile page around it."""
    if request.htmx:
        return render(request, "includes/_api_tokens.html", panel, status=status)
    # The roles table comes from portfolio's {% user_memberships %} tag: core imports no domain.
    return render(request, "core/user_profile.html", panel, status=status)


@login_required
def profile(request):
    return _render_tokens(request, _token_panel(request))


@login_required
@require_POST
def api_token_create_view(request):
    """Create a token and show its secret in this response only: it is never stored or
    shown again, so this is not a redirect-after-POST."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        # 200, not 4xx: htmx swaps only successful responses, and the errors must show.
        return _render_tokens(request, _token_panel(request, form=form))
    try:
        token, secret = api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            expires_at=form.expires_at(),
            scope=form.cleaned_data["scope"],
        )
    except ValidationError as error:
        if "expires_at" in getattr(error, "error_dict", {}):
            error = ValidationError({"expires_on": error.error_dict["expires_at"]})
        form.add_service_errors(error)
        return _render_tokens(request, _token_panel(request, form=form))
    return _render_tokens(request, _token_panel(request, new_secret=secret, new_token=token), status=201)


@login_required
@require_POST
def api_token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    api_token_revoke(token=token)
    if request.htmx:
        return _render_tokens(request, _token_panel(request))
    messages.success(request, TOKEN_REVOKED.format(name=token.name))
    return redirect("core:profile")


# -- notifications ------------------------------------------------------------------------------


@login_required
def notification_list(request):
    """The user's in-app notifications, newest first (`?unread=1`: unread only). Three queries
    whatever the number of rows: the count, the page and the bell."""
    form = NotificationFilterForm(request.GET)
    if refused := refuse_unknown_filters(request, form):
        return refused
    rows = Notification.objects.filter(user=request.user, in_app=True).order_by("-created_at", "-id")
    unread_only = form.is_valid() and form.cleaned_data["unread"]
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    context = {"page": paginate(request, rows), "unread_only": unread_only, "filters_active": unread_only}
    return render(request, "core/notification_list.html", context)


def _back_to_list(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("core:notifications")


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one notification read; another user's is 404."""
    get_object_or_404(Notification.objects.filter(user=request.user), pk=pk)
    notifications.notification_mark_read(user=request.user, notification_id=pk)
    return _back_to_list(request)


@login_required
@require_POST
def notification_read_all(request):
    count = notifications.notifications_mark_all_read(user=request.user)
    messages.success(request, ALL_READ.format(count=count))
    return _back_to_list(request)


@login_required
def notification_preferences(request):
    """A row per kind: in the app, by e-mail, e-mail in the daily digest."""
    rows = notifications.preference_rows(user=request.user)
    if request.method == "POST":
        form = NotificationPreferencesForm(request.POST, rows=rows)
        if form.is_valid():
            notifications.notification_preferences_update(user=request.user, values=form.values())
            messages.success(request, PREFERENCES_SAVED)
            return redirect("core:notification-preferences")
        status = refused_status(request)
    else:
        form = NotificationPreferencesForm(rows=rows)
        status = 200
    return render(request, "core/notification_preferences.html", {"form": form}, status=status)


# -- administrators' tools -------------------------------------------------------------------


def staff_only(view):
    """Administrators (is_staff) only; anyone else, signed in or not, gets a 404 (the page does
    not exist for them), never a redirect to the login page that would reveal it."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@staff_only
def taskrun_list(request):
    """Recent task runs, newest first, filtered by status, task and label; two queries."""
    filterset = TaskRunFilterSet(request.GET, queryset=TaskRun.objects.all(), request=request)
    if refused := refuse_unknown_filters(request, filterset):
        return refused
    page = paginate(request, filterset.qs.order_by("-queued_at", "-id"))
    context = {
        "filter": filterset,
        "filters_active": filters_active(request),
        "page": page,
        "rows": [taskruns.describe(run) for run in page.object_list],
        "actions": taskruns.actions(),
    }
    return render(request, "core/taskrun_list.html", context)


@staff_only
def taskrun_detail(request, task_id: str):
    """One run: its status, times, progress bar and error. htmx polls the progress partial
    every 2 s until the run has finished."""
    run = get_object_or_404(TaskRun, task_id=task_id)
    template = "core/_taskrun_progress.html" if request.htmx else "core/taskrun_detail.html"
    return render(request, template, taskruns.describe(run))


LOCKED_OUT = (
    "Too many failed log-ins for this account from your address. Try again in {minutes} minutes, "
    "or reset your password."
)


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login (AXES_LOCKOUT_CALLABLE): 429 with Retry-After,
    the lock-out page for a browser, the API's error body for an API client."""
    minutes = settings.KEEL_LOGIN_COOLOFF_MINUTES
    if request.path.startswith("/api/"):
        detail = LOCKED_OUT.format(minutes=minutes)
        response = JsonResponse({"status": 429, "detail": detail, "errors": []}, status=429)
    else:
        context = {"minutes": minutes, "failure_limit": settings.KEEL_LOGIN_MAX_FAILURES}
        response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
