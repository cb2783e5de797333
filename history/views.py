"""The audit log you can read: one object's history (the History panel of every detail page,
loaded by htmx, and a page of its own), and the filterable log per user and per scope, with
CSV/XLSX export and the attachment of an entry (a bulk import's file)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from collab.links import object_url
from collab.targets import target_for_model
from core.exports import export_response
from core.views import filters_active, paginate, refuse_unknown_filters
from portfolio.models import Portfolio, Program
from projects.models import Project

from . import selectors
from .exports import AUDIT_COLUMNS
from .filters import AuditEntryFilterSet
from .presentation import with_changes

PANEL_SIZE = 10


@login_required
def object_history(request, object_type: str, object_id: str):
    """Who changed this object, when, before → after. The panel alone for htmx (the newest
    PANEL_SIZE entries), otherwise a paginated page. 404 when the user cannot see the object."""
    obj = selectors.visible_object(object_type=object_type, object_id=object_id, user=request.user)
    if obj is None:
        raise Http404
    entries = selectors.entries_of(obj)
    target = target_for_model(type(obj))
    back = object_url(target.slug, obj) if target else ""
    scope_kind = {"portfolio.portfolio": "portfolio", "portfolio.program": "program", "projects.project": "project"}
    scope_query = f"{scope_kind[object_type]}={obj.pk}" if object_type in scope_kind else ""
    context = {"obj": obj, "object_type": object_type, "object_id": object_id, "back": back, "scope_query": scope_query}
    if request.htmx:
        rows = with_changes(entries[: PANEL_SIZE + 1])
        context |= {"entries": rows[:PANEL_SIZE], "more": len(rows) > PANEL_SIZE}
        return render(request, "history/_history.html", context)
    page = paginate(request, entries)
    page.object_list = with_changes(page.object_list)
    return render(request, "history/object_history.html", context | {"page": page})


def _scope_heading(request, filterset) -> str:
    """A heading naming the scope or person the list is filtered to (only ones the user sees)."""
    data = filterset.form.cleaned_data if filterset.is_valid() else {}
    user = request.user
    if data.get("project"):
        project = Project.objects.visible_to(user).filter(pk=data["project"]).first()
        if project:
            return f"History of project {project}"
    if data.get("program"):
        program = Program.objects.visible_to(user).filter(pk=data["program"]).first()
        if program:
            return f"History of program {program}"
    if data.get("portfolio"):
        portfolio = Portfolio.objects.visible_to(user).filter(pk=data["portfolio"]).first()
        if portfolio:
            return f"History of portfolio {portfolio}"
    if data.get("actor"):
        return f"Changes by {data['actor']}"
    return "Audit log"


@login_required
def audit_list(request):
    filterset = AuditEntryFilterSet(request.GET, queryset=selectors.entries_visible_to(request.user))
    if refused := refuse_unknown_filters(request, filterset):
        return refused
    exported = export_response(
        request, rows=filterset.qs, columns=AUDIT_COLUMNS, filename="audit-log", filters=filterset
    )
    if exported is not None:
        return exported
    page = paginate(request, filterset.qs)
    page.object_list = with_changes(page.object_list)
    context = {
        "filter": filterset,
        "filters_active": filters_active(request),
        "page": page,
        "heading": _scope_heading(request, filterset),
    }
    return render(request, "history/audit_list.html", context)


@login_required
def attachment_download(request, pk: int):
    """The file kept with an entry (a bulk import's upload), to those who may read the entry."""
    entry = get_object_or_404(selectors.entries_visible_to(request.user).exclude(attachment=""), pk=pk)
    name = entry.attachment.name.rsplit("/", 1)[-1]
    return FileResponse(entry.attachment.open("rb"), as_attachment=True, filename=name)
