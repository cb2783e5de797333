"""A program's governance registers: the decision log, benefits with their measurements, and
OLAs (the overview page reads the summary tables and lives in reporting.views.program_governance;
it reuses benefit_chart). Reading needs the program visible (404 otherwise); writing PROGRAM_EDITORS (403 otherwise)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from core.forms import narrow_filter_choices
from core.views import filters_active, paginate, refuse_unknown_filters
from portfolio.models import Program
from portfolio.selectors import program_people
from projects.models import Project

from .. import charts, services
from ..filters import DecisionFilterSet, OperatingLevelAgreementFilterSet
from ..forms import (
    BenefitEditForm,
    BenefitForm,
    DecisionEditForm,
    DecisionForm,
    MeasurementForm,
    OlaEditForm,
    OlaForm,
)
from ..selectors import benefit_list, decision_list, ola_list
from ..selectors.pages import benefit_rows
from ._common import done, require_program_edit, visible_program

DECISION_LOGGED = "Decision “{title}” logged."
DECISION_SAVED = "Decision “{title}” saved."
BENEFIT_ADDED = "Benefit “{name}” added."
BENEFIT_SAVED = "Benefit “{name}” saved."
MEASUREMENT_RECORDED = "{value} recorded for {day:%d %b %Y}."
OLA_ADDED = "OLA for {service} added."
OLA_SAVED = "OLA for {service} saved."


def benefit_chart(row, *, small: bool) -> str:
    b = row.benefit
    svg = charts.benefit_chart(
        name=b.name,
        unit=b.unit,
        baseline=b.baseline_value,
        target=b.target_value,
        points=[(m.measured_on, m.value) for m in row.measurements],
        realisation_date=b.realisation_date,
        small=small,
    )
    return mark_safe(svg)  # noqa: S308 - benefit_chart escapes every text it draws


def _program_scoped(filterset) -> None:
    """The page is one program's: its filter form does not offer to pick the program."""
    for name in ("program", "program_code"):
        filterset.form.fields.pop(name, None)


def _may_edit(request, program) -> bool:
    return Program.objects.editable_by(request.user).filter(pk=program.pk).exists()


# -- decision log ---------------------------------------------------------------------------------


@login_required
def decision_list_page(request, code: str):
    program = visible_program(request, code)
    filterset = DecisionFilterSet(request.GET, queryset=decision_list(user=request.user).filter(program=program))
    _program_scoped(filterset)
    narrow_filter_choices(
        filterset, project=Project.objects.visible_to(request.user).filter(program=program).order_by("code")
    )
    if refused := refuse_unknown_filters(request, filterset):
        return refused
    page = paginate(request, filterset.qs.order_by("-decided_on", "-pk"))
    context = {
        "program": program,
        "filter": filterset,
        "filters_active": filters_active(request),
        "page": page,
        "may_edit": _may_edit(request, program),
    }
    return render(request, "governance/decision_list.html", context)


def _decision_form(request, program, form_class, **kwargs):
    return form_class(request.POST or None, program=program, people=program_people(program=program), **kwargs)


@login_required
def decision_create(request, code: str):
    program = visible_program(request, code)
    require_program_edit(request, program)
    form = _decision_form(request, program, DecisionForm)
    if form.is_bound and form.is_valid():
        try:
            entry = services.decision_create(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return done(
                request, reverse("governance:decision-list", args=[code]), DECISION_LOGGED.format(title=entry.title)
            )
    return render(request, "governance/decision_form.html", {"program": program, "form": form})


@login_required
def decision_edit(request, code: str, pk: int):
    program = visible_program(request, code)
    require_program_edit(request, program)
    entry = get_object_or_404(decision_list(user=request.user).filter(program=program), pk=pk)
    form = _decision_form(request, program, DecisionEditForm, instance=entry)
    if form.is_bound and form.is_valid():
        data = {name: form.cleaned_data[name] for name in DecisionForm.Meta.fields}
        saved = form.save_with(
            lambda version: services.decision_update(
                actor=request.user, decision=entry, data=data, expected_version=version
            )
        )
        if saved is not None:
            return done(
                request, reverse("governance:decision-list", args=[code]), DECISION_SAVED.format(title=entry.title)
            )
    status = 409 if form.stale else 200
    entry.refresh_from_db(fields=["title"])
    context = {"program": program, "entry": entry, "form": form}
    return render(request, "governance/decision_form.html", context, status=status)


# -- benefits -------------------------------------------------------------------------------------


@login_required
def benefit_detail(request, code: str, pk: int):
    program = visible_program(request, code)
    benefit = get_object_or_404(benefit_list(user=request.user).filter(program=program), pk=pk)
    row = benefit_rows([benefit])[0]
    may_edit = _may_edit(request, program)
    form = None
    if may_edit:
        form = MeasurementForm(request.POST or None, initial={"measured_on": timezone.localdate()})
        if form.is_bound and form.is_valid():
            try:
                m = services.benefit_measurement_record(actor=request.user, benefit=benefit, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                notice = MEASUREMENT_RECORDED.format(value=m.value.normalize(), day=m.measured_on)
                return done(request, reverse("governance:benefit-detail", args=[code, pk]), notice)
    elif request.method == "POST":
        require_program_edit(request, program)
    context = {
        "program": program,
        "row": row,
        "benefit": benefit,
        "chart": benefit_chart(row, small=False),
        "may_edit": may_edit,
        "form": form,
    }
    return render(request, "governance/benefit_detail.html", context, status=400 if form and form.errors else 200)


@login_required
def benefit_create(request, code: str):
    program = visible_program(request, code)
    require_program_edit(request, program)
    form = BenefitForm(request.POST or None, people=program_people(program=program))
    if form.is_bound and form.is_valid():
        try:
            benefit = services.benefit_create(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            url = reverse("governance:benefit-detail", args=[code, benefit.pk])
            return done(request, url, BENEFIT_ADDED.format(name=benefit.name))
    return render(request, "governance/benefit_form.html", {"program": program, "form": form})


@login_required
def benefit_edit(request, code: str, pk: int):
    program = visible_program(request, code)
    require_program_edit(request, program)
    benefit = get_object_or_404(benefit_list(user=request.user).filter(program=program), pk=pk)
    form = BenefitEditForm(request.POST or None, instance=benefit, people=program_people(program=program))
    if form.is_bound and form.is_valid():
        data = {name: form.cleaned_data[name] for name in BenefitForm.Meta.fields}
        saved = form.save_with(
            lambda version: services.benefit_update(
                actor=request.user, benefit=benefit, data=data, expected_version=version
            )
        )
        if saved is not None:
            url = reverse("governance:benefit-detail", args=[code, pk])
            return done(request, url, BENEFIT_SAVED.format(name=benefit.name))
    status = 409 if form.stale else 200
    benefit.refresh_from_db(fields=["name"])
    context = {"program": program, "benefit": benefit, "form": form}
    return render(request, "governance/benefit_form.html", context, status=status)


# -- OLAs -----------------------------------------------------------------------------------------


@login_required
def ola_list_page(request, code: str):
    program = visible_program(request, code)
    filterset = OperatingLevelAgreementFilterSet(
        request.GET, queryset=ola_list(user=request.user).filter(program=program)
    )
    _program_scoped(filterset)
    if refused := refuse_unknown_filters(request, filterset):
        return refused
    page = paginate(request, filterset.qs.order_by("review_date", "pk"))
    context = {
        "program": program,
        "filter": filterset,
        "filters_active": filters_active(request),
        "page": page,
        "may_edit": _may_edit(request, program),
    }
    return render(request, "governance/ola_list.html", context)


@login_required
def ola_create(request, code: str):
    program = visible_program(request, code)
    require_program_edit(request, program)
    form = OlaForm(request.POST or None, people=program_people(program=program))
    if form.is_bound and form.is_valid():
        try:
            ola = services.ola_create(
                actor=request.user, program=program, targets=form.cleaned_data["targets_text"], **form.service_data()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return done(request, reverse("governance:ola-list", args=[code]), OLA_ADDED.format(service=ola.service))
    return render(request, "governance/ola_form.html", {"program": program, "form": form})


@login_required
def ola_edit(request, code: str, pk: int):
    program = visible_program(request, code)
    require_program_edit(request, program)
    ola = get_object_or_404(ola_list(user=request.user).filter(program=program), pk=pk)
    form = OlaEditForm(request.POST or None, instance=ola, people=program_people(program=program))
    if form.is_bound and form.is_valid():
        saved = form.save_with(
            lambda version: services.ola_update(
                actor=request.user,
                ola=ola,
                data=form.service_data(),
                targets=form.cleaned_data["targets_text"],
                expected_version=version,
            )
        )
        if saved is not None:
            return done(request, reverse("governance:ola-list", args=[code]), OLA_SAVED.format(service=ola.service))
    ola.refresh_from_db(fields=["service"])
    context = {"program": program, "ola": ola, "form": form}
    return render(request, "governance/ola_form.html", context, status=409 if form.stale else 200)
