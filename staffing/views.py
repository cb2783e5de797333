"""Staffing pages: the capacity heat map, people, and the staffing page of a project (with inline
htmx editing of allocations and requests). A program's staffing page reads the summary tables
and lives in reporting.views.program_staffing (it reuses conflict_rows and involved_allocations).

Each page runs a fixed number of queries whatever the number of rows (tests/staffing measure
them): people come in one query, their allocations in one, their absences in one. Writes go
through staffing.services; a refused write shows the service's message on the field it names.
Objects the user cannot see are 404; write URLs are 404 for those who may not edit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from budgets.selectors import MissingExchangeRate, fiscal_calendar_for
from core.exports import export_response
from core.forms import narrow_filter_choices, present_filter_form
from core.services import StaleVersionError
from core.views import filters_active, paginate, refuse_unknown_filters, refused_status
from portfolio.models import Portfolio
from projects.models import Project

from . import assignment_load, charts, selectors, services
from .capacity import week_start
from .exports import ALLOCATION_COLUMNS, PERSON_COLUMNS, project_allocation_rows
from .filters import PersonFilterSet
from .forms import (
    AbsenceForm,
    AllocationEditForm,
    AllocationForm,
    CapacityFilterForm,
    CostRateForm,
    PersonEditForm,
    PersonForm,
    StaffingRequestEditForm,
    StaffingRequestForm,
)
from .models import Absence, Allocation, CostRate, Person, Role, StaffingRequest
from .querysets import managed_pools, staffing_projects

PEOPLE_PER_PAGE = 50
CONFLICTS_PER_PAGE = 25
PERSON_WEEKS = 26
PERSON_SAVED = "Saved {name}."
PERSON_ADDED = "Added {name} to the {pool} pool."
ABSENCE_ADDED = "Absence added."
ABSENCE_DELETED = "Absence deleted."
RATE_SET = "Cost rate set from {day}."
ALLOCATION_ADDED = "Allocated {person}."
ALLOCATION_SAVED = "Allocation of {person} saved."
ALLOCATION_DELETED = "Allocation of {person} deleted."
REQUEST_ADDED = "Staffing request for {role} added."
REQUEST_SAVED = "Staffing request for {role} saved."
REQUEST_CANCELLED = "Staffing request for {role} cancelled."


def _svg(markup: str):
    # staffing.charts escapes every text it draws.
    return mark_safe(markup)  # noqa: S308


def _cell(week) -> dict:
    percent = week.percent
    text = f"Week of {week.week:%d %b %Y}: {week.load:.1f} h booked of {week.capacity:.1f} h capacity"
    if percent is not None:
        text += f" ({percent:.0f} %)"
    elif week.load:
        text += " (no capacity)"
    assigned = assignment_load.week_assignment_hours(week)
    if assigned:
        text += f", of which {assigned:.1f} h from schedule assignments no allocation covers"
    if week.absent_days:
        text += f"; absent {week.absent_days} day(s)"
        if week.booked_on_absence:
            text += f", {week.booked_on_absence:.1f} h booked on those days not counted"
    return {
        "week": week.week,
        "band": week.band,
        "title": text,
        "label": "away" if week.band == "absent" else ("∞" if percent is None and week.load else f"{percent or 0:.0f}"),
    }


def conflict_rows(found, user) -> list[dict]:
    visible = selectors.visible_project_ids(user, {a.project_id for c in found for a in c.allocations})
    return [
        {
            "person": c.person,
            "weeks": c.weeks,
            "worst": c.worst,
            "excess": c.excess_hours,
            "assignment_hours": c.assignment_hours,
            "allocations": [
                {"allocation": a, "shown": a.project_id in visible, "project": a.project} for a in c.allocations
            ],
        }
        for c in found
    ]


# -- capacity heat map -----------------------------------------------------------------------------


@dataclass
class CapacityScope:
    """The capacity filters of a request, parsed: the form (with its errors), the window and the
    people it selects (a queryset, not yet run)."""

    form: CapacityFilterForm
    mondays: list[dt.date]
    first: dt.date
    last: dt.date
    people: object


def _capacity_scope(request) -> CapacityScope:
    """Parse the capacity filters (shared by the heat map and its conflicts page): a filter
    that is not valid is reported on its field and ignored. Three queries (departments, the
    project by code when given, and the form's choice checks)."""
    user = request.user
    departments = Person.objects.visible_to(user).exclude(department="").values_list("department", flat=True).distinct()
    form = CapacityFilterForm(request.GET or None, user=user, departments=sorted(set(departments)))
    scope = form.cleaned_data if form.is_valid() else {}
    project = None
    if scope.get("project"):
        project = Project.objects.visible_to(user).filter(code=scope["project"]).first()
        if project is None:
            form.add_error("project", "No project with this code that you can see.")
    mondays, first, last = selectors.window(scope.get("start"), scope.get("weeks") or selectors.DEFAULT_WEEKS)
    people = selectors.people_for_capacity(
        user=user,
        portfolio=scope.get("portfolio"),
        department=scope.get("department", ""),
        role=scope.get("role"),
        program=scope.get("program"),
        project=project,
        first=first,
        last=last,
    )
    return CapacityScope(form=form, mondays=mondays, first=first, last=last, people=people)


def _window_links(mondays) -> dict:
    return {
        "previous_start": mondays[0] - dt.timedelta(weeks=len(mondays)),
        "next_start": mondays[0] + dt.timedelta(weeks=len(mondays)),
        "this_week": week_start(timezone.localdate()),
    }


@login_required
def capacity_view(request):
    """People x weeks coloured by load, filtered by pool, department, role, program, project."""
    user = request.user
    scope = _capacity_scope(request)
    if refused := refuse_unknown_filters(request, scope.form):
        return refused
    page = paginate(request, scope.people, PEOPLE_PER_PAGE)
    loads = selectors.utilisation(page.object_list, start=scope.first, weeks=len(scope.mondays))
    rows = [{"person": load.person, "cells": [_cell(w) for w in load.weeks]} for load in loads]
    found = [
        selectors.Conflict(person=load.person, weeks=load.over_weeks, allocations=involved_allocations(load))
        for load in loads
        if load.over_weeks
    ]
    found.sort(key=lambda c: (-c.excess_hours, c.person.name))
    context = {
        "form": scope.form,
        "filters_active": filters_active(request),
        "page": page,
        "weeks": scope.mondays,
        "rows": rows,
        "conflicts": conflict_rows(found, user),
        "first": scope.first,
        "last": scope.last,
        **_window_links(scope.mondays),
        "can_add": managed_pools(user).exists(),
    }
    return render(request, "staffing/capacity.html", context)


@login_required
def capacity_conflicts(request):
    """Every over-allocated person among those the capacity filters select (not just the heat
    map's page), worst first, CONFLICTS_PER_PAGE at a time. A fixed number of queries: the
    people, their allocations and absences in the window, the projects the user may see."""
    scope = _capacity_scope(request)
    if refused := refuse_unknown_filters(request, scope.form):
        return refused
    found = selectors.conflicts(scope.people, start=scope.first, weeks=len(scope.mondays))
    page = paginate(request, found, CONFLICTS_PER_PAGE)
    context = {
        "form": scope.form,
        "filters_active": filters_active(request),
        "page": page,
        "conflicts": conflict_rows(page.object_list, request.user),
        "first": scope.first,
        "last": scope.last,
        **_window_links(scope.mondays),
    }
    return render(request, "staffing/capacity_conflicts.html", context)


def involved_allocations(load) -> list[Allocation]:
    keys = {k for w in load.over_weeks for k in w.by_booking}
    return [a for k, a in load.allocations.items() if k in keys]


# -- people ----------------------------------------------------------------------------------------


@login_required
def person_list(request):
    people = selectors.person_list(user=request.user).order_by("name", "pk")
    filterset = PersonFilterSet(request.GET or None, queryset=people)
    narrow_filter_choices(
        filterset,
        portfolio=Portfolio.objects.visible_to(request.user).order_by("name"),
        role=Role.objects.visible_to(request.user).select_related("portfolio").order_by("name"),
    )
    present_filter_form(filterset, order=["q", "portfolio", "department", "role", "is_active", "user"])
    if refused := refuse_unknown_filters(request, filterset):
        return refused
    exported = export_response(
        request, rows=filterset.qs, columns=PERSON_COLUMNS, filename="people", title="People", filters=filterset
    )
    if exported is not None:
        return exported
    page = paginate(request, filterset.qs, PEOPLE_PER_PAGE)
    context = {
        "filter": filterset,
        "filters_active": filters_active(request),
        "page": page,
        "can_add": managed_pools(request.user).exists(),
    }
    return render(request, "staffing/person_list.html", context)


def _visible_person(request, pk: int) -> Person:
    return get_object_or_404(
        Person.objects.visible_to(request.user).select_related("portfolio", "primary_role", "user"), pk=pk
    )


def _editable_person(request, pk: int) -> Person:
    return get_object_or_404(Person.objects.editable_by(request.user).select_related("portfolio"), pk=pk)


def _person_context(request, person: Person, *, absence_form=None, rate_form=None) -> dict:
    user = request.user
    can_edit = Person.objects.editable_by(user).filter(pk=person.pk).exists()
    see_rates = selectors.may_see_rates(user, person.portfolio_id)
    today = timezone.localdate()
    load = selectors.utilisation([person], start=today, weeks=PERSON_WEEKS)[0]
    allocations = list(
        Allocation.objects.filter(person=person, end__gte=today - dt.timedelta(days=90))
        .select_related("project", "role")
        .order_by("start", "pk")
    )
    visible = selectors.visible_project_ids(user, {a.project_id for a in allocations})
    context = {
        "person": person,
        "roles": list(person.roles.order_by("name")),
        "can_edit": can_edit,
        "see_rates": see_rates,
        "rates": list(CostRate.objects.filter(person=person).select_related("currency")) if see_rates else [],
        "absences": list(Absence.objects.filter(person=person, end__gte=today - dt.timedelta(days=365))),
        "allocations": [{"allocation": a, "shown": a.project_id in visible} for a in allocations],
        "weeks": load.weeks,
        "cells": [_cell(w) for w in load.weeks],
        "chart": _svg(charts.utilisation_chart(load.weeks)),
        "over_weeks": len(load.over_weeks),
    }
    if can_edit:
        context["absence_form"] = absence_form or AbsenceForm(auto_id="absence_%s")
    if see_rates:
        context["rate_form"] = rate_form or CostRateForm(person=person, auto_id="rate_%s")
    return context


@login_required
def person_detail(request, pk: int):
    person = _visible_person(request, pk)
    return render(request, "staffing/person_detail.html", _person_context(request, person))


@login_required
def person_create(request):
    pools = Portfolio.objects.filter(pk__in=managed_pools(request.user)).order_by("name")
    if not pools.exists():
        return redirect("staffing:person-list")
    form = PersonForm(request.POST or None, pools=pools)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = services.person_create(actor=request.user, **data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, PERSON_ADDED.format(name=person.name, pool=person.portfolio.code))
            return redirect("staffing:person-detail", person.pk)
    return render(
        request,
        "staffing/person_form.html",
        {"form": form, "title": "New person", "cancel_url": reverse("staffing:person-list")},
    )


@login_required
def person_edit(request, pk: int):
    person = _editable_person(request, pk)
    pools = Portfolio.objects.filter(pk=person.portfolio_id)
    form = PersonEditForm(request.POST or None, instance=person, pools=pools)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "version"}
        saved = form.save_with(
            lambda version: services.person_update(
                actor=request.user, person=Person.objects.get(pk=pk), data=data, expected_version=version
            )
        )
        if saved is not None:
            messages.success(request, PERSON_SAVED.format(name=data["name"]))
            return redirect("staffing:person-detail", pk)
    return render(
        request,
        "staffing/person_form.html",
        {
            "form": form,
            "person": person,
            "title": f"Edit {person.name}",
            "cancel_url": reverse("staffing:person-detail", args=[pk]),
        },
        status=409 if form.stale else 200,
    )


@login_required
@require_POST
def absence_add(request, pk: int):
    person = _editable_person(request, pk)
    form = AbsenceForm(request.POST, auto_id="absence_%s")
    if form.is_valid():
        try:
            services.absence_create(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, ABSENCE_ADDED)
            return redirect("staffing:person-detail", pk)
    context = _person_context(request, person, absence_form=form)
    return render(request, "staffing/person_detail.html", context, status=400)


@login_required
@require_POST
def absence_delete(request, pk: int, absence_pk: int):
    person = _editable_person(request, pk)
    absence = get_object_or_404(Absence, pk=absence_pk, person=person)
    services.absence_delete(actor=request.user, absence=absence)
    messages.success(request, ABSENCE_DELETED)
    return redirect("staffing:person-detail", pk)


@login_required
@require_POST
def cost_rate_add(request, pk: int):
    person = _visible_person(request, pk)
    if not selectors.may_see_rates(request.user, person.portfolio_id):
        raise _not_found()
    form = CostRateForm(request.POST, person=person, auto_id="rate_%s")
    if form.is_valid():
        try:
            services.cost_rate_set(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, RATE_SET.format(day=form.cleaned_data["effective_from"]))
            return redirect("staffing:person-detail", pk)
    context = _person_context(request, person, rate_form=form)
    return render(request, "staffing/person_detail.html", context, status=400)


def _not_found():
    from django.http import Http404

    return Http404("Not found.")


# -- project staffing (inline editing) -------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """What differs between the allocation and request sections of the project page."""

    id: str
    template: str


ALLOCATIONS = Section("allocations", "staffing/_allocation_rows.html")
REQUESTS = Section("requests", "staffing/_request_rows.html")


def _visible_project(request, code: str) -> Project:
    return get_object_or_404(Project.objects.visible_to(request.user).select_related("program__portfolio"), code=code)


def _editable_project(request, code: str) -> Project:
    return get_object_or_404(staffing_projects(request.user).select_related("program__portfolio"), code=code)


def _project_context(request, project, *, can_edit, forms=None, editing=None, notice=None) -> dict:
    """`forms` holds bound add forms with errors by section id; `editing` is (section id, pk,
    form) for an open row editor; `notice` is (section id, text)."""
    forms = forms or {}
    today = timezone.localdate()
    allocations = list(
        Allocation.objects.filter(project=project).select_related("person", "role", "request").order_by("start", "pk")
    )
    requests = list(
        StaffingRequest.objects.filter(project=project).select_related("role", "requested_by").order_by("start", "pk")
    )
    gaps = selectors.staffing_gaps([project])
    gap_by_request = {g.request.pk: g for g in gaps.requests}
    calendar = fiscal_calendar_for(portfolio=project.program.portfolio)
    try:
        labour = selectors.labour_forecast(
            project, calendar, rate_portfolios=selectors.rate_portfolios_of(request.user)
        )
        labour_error = ""
    except MissingExchangeRate as error:
        labour, labour_error = None, error.text
    context = {
        "project": project,
        "program": project.program,
        "currency": project.program.portfolio.base_currency,
        "can_edit": can_edit,
        "allocations": allocations,
        "requests": [{"request": r, "gap": gap_by_request.get(r.pk)} for r in requests],
        "gaps": gaps,
        "labour": labour,
        "labour_rows": [{"period": p, "hours": h, "amount": a} for p, h, a in labour.rows()] if labour else [],
        "labour_error": labour_error,
        "today": today,
        "editing_section": editing[0] if editing else "",
        "editing_pk": editing[1] if editing else None,
        "edit_form": editing[2] if editing else None,
        "notice_section": notice[0] if notice else "",
        "notice": notice[1] if notice else "",
    }
    if can_edit:
        context["allocation_form"] = forms.get(ALLOCATIONS.id) or AllocationForm(
            project=project, auto_id="new_alloc_%s"
        )
        context["request_form"] = forms.get(REQUESTS.id) or StaffingRequestForm(project=project, auto_id="new_req_%s")
    return context


def _render_project(request, project, section: Section | None, *, status=200, can_edit=None, **kwargs):
    if can_edit is None:
        can_edit = staffing_projects(request.user).filter(pk=project.pk).exists()
    context = _project_context(request, project, can_edit=can_edit, **kwargs)
    if section is not None and request.htmx and not request.htmx.boosted:
        return render(request, section.template, context, status=status)
    return render(request, "staffing/project_staffing.html", context, status=status)


def _written(request, project, section: Section, notice: str):
    if request.htmx:
        return _render_project(request, project, section, can_edit=True, notice=(section.id, notice))
    messages.success(request, notice)
    return redirect("staffing:project-staffing", project.code)


@login_required
def project_staffing(request, code: str):
    project = _visible_project(request, code)
    exported = export_response(
        request,
        rows=project_allocation_rows(project),
        columns=ALLOCATION_COLUMNS,
        filename=f"{project.code}-allocations",
        title="Allocations",
    )
    if exported is not None:
        return exported
    return _render_project(request, project, None)


@login_required
@require_POST
def allocation_add(request, code: str):
    project = _editable_project(request, code)
    form = AllocationForm(request.POST, project=project, auto_id="new_alloc_%s")
    if form.is_valid():
        try:
            allocation = services.allocation_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _written(request, project, ALLOCATIONS, ALLOCATION_ADDED.format(person=allocation.person))
    return _render_project(
        request, project, ALLOCATIONS, status=refused_status(request), can_edit=True, forms={ALLOCATIONS.id: form}
    )


@login_required
def allocation_edit(request, code: str, pk: int):
    project = _editable_project(request, code)
    allocation = get_object_or_404(Allocation.objects.select_related("person", "role"), pk=pk, project=project)
    form = AllocationEditForm(request.POST or None, instance=allocation, project=project, auto_id=f"alloc_{pk}_%s")
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "version"}
        updated = form.save_with(
            lambda version: services.allocation_update(
                actor=request.user, allocation=Allocation.objects.get(pk=pk), data=data, expected_version=version
            )
        )
        if updated is not None:
            return _written(request, project, ALLOCATIONS, ALLOCATION_SAVED.format(person=updated.person))
    status = 409 if form.stale else refused_status(request) if request.method == "POST" else 200
    if request.htmx and request.method == "GET":
        return render(
            request, "staffing/_allocation_edit_row.html", {"project": project, "row": allocation, "form": form}
        )
    return _render_project(
        request, project, ALLOCATIONS, status=status, can_edit=True, editing=(ALLOCATIONS.id, pk, form)
    )


@login_required
@require_POST
def allocation_delete(request, code: str, pk: int):
    project = _editable_project(request, code)
    allocation = get_object_or_404(Allocation.objects.select_related("person"), pk=pk, project=project)
    version = request.POST.get("version")
    try:
        services.allocation_delete(
            actor=request.user,
            allocation=allocation,
            expected_version=int(version) if version and version.isdigit() else None,
        )
    except StaleVersionError as error:
        return _render_project(
            request, project, ALLOCATIONS, status=412, can_edit=True, notice=(ALLOCATIONS.id, str(error))
        )
    return _written(request, project, ALLOCATIONS, ALLOCATION_DELETED.format(person=allocation.person))


@login_required
@require_POST
def request_add(request, code: str):
    project = _editable_project(request, code)
    form = StaffingRequestForm(request.POST, project=project, auto_id="new_req_%s")
    if form.is_valid():
        try:
            created = services.staffing_request_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return _written(request, project, REQUESTS, REQUEST_ADDED.format(role=created.role))
    return _render_project(
        request, project, REQUESTS, status=refused_status(request), can_edit=True, forms={REQUESTS.id: form}
    )


@login_required
def request_edit(request, code: str, pk: int):
    project = _editable_project(request, code)
    staffing_request = get_object_or_404(StaffingRequest.objects.select_related("role"), pk=pk, project=project)
    form = StaffingRequestEditForm(
        request.POST or None, instance=staffing_request, project=project, auto_id=f"req_{pk}_%s"
    )
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name != "version"}
        updated = form.save_with(
            lambda version: services.staffing_request_update(
                actor=request.user,
                staffing_request=StaffingRequest.objects.select_related("project__program").get(pk=pk),
                data=data,
                expected_version=version,
            )
        )
        if updated is not None:
            return _written(request, project, REQUESTS, REQUEST_SAVED.format(role=updated.role))
    status = 409 if form.stale else refused_status(request) if request.method == "POST" else 200
    if request.htmx and request.method == "GET":
        return render(
            request, "staffing/_request_edit_row.html", {"project": project, "row": staffing_request, "form": form}
        )
    return _render_project(request, project, REQUESTS, status=status, can_edit=True, editing=(REQUESTS.id, pk, form))


@login_required
@require_POST
def request_cancel(request, code: str, pk: int):
    project = _editable_project(request, code)
    staffing_request = get_object_or_404(StaffingRequest.objects.select_related("role"), pk=pk, project=project)
    try:
        services.staffing_request_cancel(actor=request.user, staffing_request=staffing_request)
    except ValidationError as error:
        return _render_project(
            request,
            project,
            REQUESTS,
            status=refused_status(request),
            can_edit=True,
            notice=(REQUESTS.id, " ".join(error.messages)),
        )
    return _written(request, project, REQUESTS, REQUEST_CANCELLED.format(role=staffing_request.role))
