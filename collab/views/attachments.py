"""collab views: the attachments of an object (see collab.urls).

`/collab/<slug>/<pk>/attachments/` is a full page and, for htmx, the fragment the `collab_panel`
loads into an object's page. Upload, delete (after a confirmation page) and download hang below
it. Every view first finds the object through its model's `visible_to(user)`: someone who cannot
see it gets 404 for all of them, whether or not the object or the attachment exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.views import refused_status

from ..links import object_url
from ..selectors.attachments import attachment_get, attachment_list, attachment_version
from ..services import attachments as services
from ..services.filecheck import ACCEPT_ATTRIBUTE
from ..targets import TARGETS, target_editable, target_object

UPLOADED = {
    "created": "“{name}” attached.",
    "new_version": "“{name}” uploaded as version {number}.",
    "unchanged": "“{name}” is identical to its latest version; nothing changed.",
}
DELETED = "“{name}” deleted."
KINDS_TEXT = (
    "PDF; PNG, JPEG, GIF or WebP images; Word, Excel or PowerPoint (.docx, .xlsx, .pptx); "
    "OpenDocument (.odt, .ods, .odp); plain text or CSV"
)


def _target(request, slug: str, pk: int):
    obj = target_object(slug=slug, pk=pk, user=request.user)
    if obj is None:
        raise Http404("No such object.")
    return obj


def _back(request, default: str) -> str:
    """The same-site page to return to: `next` from the form or query string, else `default`."""
    value = request.POST.get("next") or request.GET.get("next") or ""
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    return default


def _panel(request, slug: str, obj, *, error: str = "", notice: str = "") -> dict:
    """Everything the attachments fragment shows, computed here (the template only loops)."""
    editable = target_editable(obj, request.user)
    frozen = ""
    try:
        services.check_not_frozen(obj)
    except ValidationError as exc:
        frozen = " ".join(exc.messages)
    attachments = attachment_list(obj=obj)
    for a in attachments:
        a.may_delete = not frozen and (editable or a.uploaded_by_id == request.user.pk)
    page_url = reverse("collab:attachments", args=[slug, obj.pk])
    # Inside an object's page (htmx) actions come back to that page; on the full page, to it.
    here = request.htmx.current_url_abs_path if getattr(request, "htmx", False) else None
    return {
        "slug": slug,
        "obj": obj,
        "target": TARGETS[slug],
        "attachments": attachments,
        "may_attach": editable and not frozen,
        "frozen": frozen,
        "error": error,
        "notice": notice,
        "max_size": filesizeformat(services.max_upload_bytes()),
        "kinds": KINDS_TEXT,
        "accept": ACCEPT_ATTRIBUTE,
        "page_url": page_url,
        "back": _back(request, here or page_url),
    }


def _render(request, slug: str, obj, context: dict, status: int = 200):
    if request.htmx:
        return render(request, "collab/_attachments.html", context, status=status)
    context["object_url"] = object_url(slug, obj) or None
    context.update(_heading(slug, obj))
    return render(request, "collab/attachment_list.html", context, status=status)


def _heading(slug: str, obj) -> dict:
    """The full page's title and where it belongs: a criterion is named by its text, under its
    gate (whose page shows it); anything else by its own name."""
    if slug == "gate-criterion":
        gate = obj.gate
        return {"heading": obj.text, "context_line": f"{gate.project.code} · {gate.name}", "object_label": "stage gate"}
    return {"heading": str(obj), "context_line": "", "object_label": TARGETS[slug].label}


@require_GET
@login_required
def attachments_page(request, slug: str, pk: int):
    obj = _target(request, slug, pk)
    return _render(request, slug, obj, _panel(request, slug, obj))


@require_POST
@login_required
def attachment_upload_view(request, slug: str, pk: int):
    """Upload one file (`file`). htmx gets the fragment back (422 with the reason when refused);
    a plain post is redirected to `next` with a message."""
    obj = _target(request, slug, pk)
    try:
        result = services.attachment_upload(user=request.user, target=obj, file=request.FILES.get("file"))
    except (ValidationError, PermissionDenied) as exc:
        error = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        status = 403 if isinstance(exc, PermissionDenied) else refused_status(request)
        if request.htmx:
            return _render(request, slug, obj, _panel(request, slug, obj, error=error), status=status)
        messages.error(request, error)
        return redirect(_back(request, reverse("collab:attachments", args=[slug, pk])))
    notice = UPLOADED[result.outcome].format(name=result.attachment.name, number=result.version.number)
    if request.htmx:
        return _render(request, slug, obj, _panel(request, slug, obj, notice=notice))
    messages.success(request, notice)
    return redirect(_back(request, reverse("collab:attachments", args=[slug, pk])))


@require_http_methods(["GET", "POST"])
@login_required
def attachment_delete_view(request, slug: str, pk: int, attachment_pk: int):
    """GET: what deleting will do, and a button to confirm (nothing is pre-chosen). POST: delete."""
    obj = _target(request, slug, pk)
    attachment = attachment_get(obj=obj, pk=attachment_pk)
    if attachment is None:
        raise Http404("No such attachment.")
    page_url = reverse("collab:attachments", args=[slug, pk])
    back = _back(request, page_url)
    if request.method == "GET":
        if not services.may_delete(user=request.user, attachment=attachment, target=obj):
            raise PermissionDenied(services.MAY_NOT_DELETE.format(name=attachment.name, label=TARGETS[slug].label))
        frozen = services.evidence_frozen(obj)
        context = {
            "slug": slug,
            "obj": obj,
            "target": TARGETS[slug],
            "attachment": attachment,
            "back": back,
            "frozen": frozen,
            "object_url": object_url(slug, obj) or None,
            "page_url": page_url,
            **_heading(slug, obj),
        }
        return render(request, "collab/attachment_confirm_delete.html", context)
    try:
        services.attachment_delete(user=request.user, attachment=attachment, target=obj)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, DELETED.format(name=attachment.name))
    return redirect(back)


def file_response(attachment, version) -> FileResponse:
    """Stream `version` of `attachment` from storage as a download: never shown inline, the type
    stored from the content (never sniffed again by the browser), the name safely quoted
    (Django writes `filename=` and, for non-ASCII names, RFC 5987's `filename*=`)."""
    handle = version.file.storage.open(version.file.name, "rb")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=version.content_type or "application/octet-stream",
    )
    response["Content-Length"] = str(version.size)
    response["X-Content-Type-Options"] = "nosniff"
    # Even if a browser were to render it, it would run nothing and load nothing.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def attachment_download(request, slug: str, pk: int, attachment_pk: int):
    """The latest version, or `?version=n`."""
    obj = _target(request, slug, pk)
    attachment = attachment_get(obj=obj, pk=attachment_pk)
    if attachment is None:
        raise Http404("No such attachment.")
    version = attachment_version(attachment=attachment, number=request.GET.get("version"))
    if version is None:
        raise Http404("No such version.")
    return file_response(attachment, version)


urlpatterns = [
    path("<slug:slug>/<int:pk>/attachments/", attachments_page, name="attachments"),
    path("<slug:slug>/<int:pk>/attachments/upload/", attachment_upload_view, name="attachment-upload"),
    path(
        "<slug:slug>/<int:pk>/attachments/<int:attachment_pk>/download/",
        attachment_download,
        name="attachment-download",
    ),
    path(
        "<slug:slug>/<int:pk>/attachments/<int:attachment_pk>/delete/",
        attachment_delete_view,
        name="attachment-delete",
    ),
]
