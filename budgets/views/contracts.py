"""A program's contracts (list with filters and burn, Excel, detail with invoices, security
checklist and linked projects, create and edit) and the shared vendor register.

Reading follows Contract.objects.visible_to / Vendor.objects.visible_to; writes need
Contract.objects.editable_by (the program's finance editors) or, for vendors, a role that
manages contracts. Others get 404 on every write URL.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core.views import filters_active, paginate, refuse_unknown_filters

from .. import charts, exports
from ..filters import ContractFilterSet, VendorFilterSet
from ..forms import (
    ContractEditForm,
    ContractForm,
    ContractProjectsForm,
    SecurityRequirementForm,
    SecurityStatusForm,
    VendorEditForm,
    VendorForm,
    scope_contract_filters,
    scope_vendor_filters,
)
from ..models import Contract, ContractSecurityRequirement, CostEntry, Vendor
from ..selectors import MissingExchangeRate, contract_burn
from ..selectors import contract_list as contracts_of
from ..selectors import vendor_list as vendors_of
from ..services import (
    contract_create,
    contract_projects_set,
    contract_security_requirement_set,
    contract_update,
    vendor_create,
    vendor_update,
)
from ._common import done, finance_program, may_edit_program_money, may_manage_vendors, refused, visible_program

CONTRACT_ADDED = "Contract {number} added."
CONTRACT_SAVED = "Contract {number} saved."
PROJECTS_SAVED = "Contract {number} now serves {projects}."
REQUIREMENT_SAVED = "“{requirement}”: {status}."
VENDOR_ADDED = "Vendor {name} added."
VENDOR_SAVED = "Vendor {name} saved."
INVOICES_SHOWN = 20


def _burn_bars(burns, program_code: str) -> list[charts.BurnBar]:
    return [
        charts.BurnBar(
            f"{b.contract.number} {b.contract.title}",
            b.currency,
            b.ceiling,
            b.invoiced,
            committed=b.obligated,
            href=reverse("budgets:contract-detail", args=[program_code, b.contract.pk]),
        )
        for b in burns
    ]


def _burn_chart(burns, program_code: str):
    chart = charts.burn_chart(_burn_bars(burns, program_code), kind="contracts", title="Contract burn")
    return mark_safe(chart)  # noqa: S308 - burn_chart escapes every text it draws


def _filtered_contracts(request, program):
    contracts = contracts_of(user=request.user).filter(program=program)
    filterset = ContractFilterSet(request.GET, queryset=contracts, request=request)
    scope_contract_filters(filterset, user=request.user)
    return filterset


@login_required
def contract_list(request, code: str):
    program = visible_program(request, code)
    filterset = _filtered_contracts(request, program)
    if refused := refuse_unknown_filters(request, filterset):
        return refused
    page = paginate(request, filterset.qs.order_by("number"))
    context = {
        "program": program,
        "filter": filterset,
        "filters_active": filters_active(request),
        "page": page,
        "can_edit": may_edit_program_money(request.user, program),
    }
    params = request.GET.copy()
    params.pop("page", None)
    context["export_query"] = f"?{params.urlencode()}" if params else ""
    try:
        burns = contract_burn(contracts=list(page.object_list))
    except MissingExchangeRate as error:
        context["burn_error"] = error.text
    else:
        context["burns"] = burns
        context["chart"] = _burn_chart(burns, program.code)
    return render(request, "budgets/contract_list.html", context)


@login_required
def contract_export(request, code: str):
    program = visible_program(request, code)
    filterset = _filtered_contracts(request, program)
    try:
        burns = contract_burn(contracts=filterset.qs.order_by("number"))
    except MissingExchangeRate as error:
        return refused(request, reverse("budgets:contract-list", args=[code]), error.text)
    return exports.xlsx_response(exports.contracts_workbook(burns), f"{program.code}-contracts")


@login_required
def contract_add(request, code: str):
    program = finance_program(request, code)
    form = ContractForm(request.POST or None, program=program, user=request.user)
    if form.is_bound and form.is_valid():
        try:
            contract = contract_create(actor=request.user, program=program, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            url = reverse("budgets:contract-detail", args=[program.code, contract.pk])
            return done(request, url, CONTRACT_ADDED.format(number=contract.number))
    return render(request, "budgets/contract_form.html", {"program": program, "form": form})


def _detail_context(request, program, contract, *, security_form=None, status_forms=None, projects_form=None):
    can_edit = Contract.objects.editable_by(request.user).filter(pk=contract.pk).exists()
    invoices = (
        CostEntry.objects.visible_to(request.user)
        .filter(contract=contract)
        .select_related("project", "category")
        .order_by("-date", "-pk")
    )
    requirements = list(contract.security_requirements.order_by("requirement"))
    status_forms = status_forms or {}
    context = {
        "program": program,
        "contract": contract,
        "can_edit": can_edit,
        "invoices": invoices[:INVOICES_SHOWN],
        "invoice_count": invoices.count(),
        # Only the projects served that the reader sees: the others' pages are 404 to them.
        "projects": list(contract.projects.visible_to(request.user).order_by("code")),
        "requirements": [
            {
                "item": item,
                "form": status_forms.get(item.pk)
                or (
                    SecurityStatusForm(initial={"status": item.status, "notes": item.notes}, auto_id=f"req{item.pk}_%s")
                    if can_edit
                    else None
                ),
            }
            for item in requirements
        ],
        "met": sum(item.status in ("met", "waived") for item in requirements),
    }
    try:
        context["burn"] = contract_burn(contracts=[contract])[0]
    except MissingExchangeRate as error:
        context["burn_error"] = error.text
    else:
        context["chart"] = _burn_chart([context["burn"]], program.code)
    if can_edit:
        context["security_form"] = security_form or SecurityRequirementForm(auto_id="new_req_%s")
        context["projects_form"] = projects_form or ContractProjectsForm(contract=contract)
    return context


def _visible_contract(request, program, pk: int) -> Contract:
    return get_object_or_404(
        Contract.objects.visible_to(request.user).filter(program=program).select_related("vendor", "currency"), pk=pk
    )


def _editable_contract(request, program, pk: int) -> Contract:
    return get_object_or_404(
        Contract.objects.editable_by(request.user).filter(program=program).select_related("vendor", "currency"), pk=pk
    )


@login_required
def contract_detail(request, code: str, pk: int):
    program = visible_program(request, code)
    contract = _visible_contract(request, program, pk)
    return render(request, "budgets/contract_detail.html", _detail_context(request, program, contract))


@login_required
def contract_edit(request, code: str, pk: int):
    program = finance_program(request, code)
    contract = _editable_contract(request, program, pk)
    form = ContractEditForm(request.POST or None, instance=contract, program=program, user=request.user)
    if form.is_bound and form.is_valid():
        saved = form.save_with(
            lambda version: contract_update(
                actor=request.user,
                contract=contract,
                data=form.service_data(),
                expected_version=version,
            )
        )
        if saved is not None:
            contract = saved
            url = reverse("budgets:contract-detail", args=[program.code, contract.pk])
            return done(request, url, CONTRACT_SAVED.format(number=contract.number))
    status = 409 if form.stale else 200
    contract.refresh_from_db(fields=["number", "title"])
    context = {"program": program, "form": form, "contract": contract}
    return render(request, "budgets/contract_form.html", context, status=status)


def _detail_or_section(request, program, contract, section: str, notice: str = "", **forms):
    """After a checklist or project change: the section for htmx, else the detail page."""
    context = _detail_context(request, program, contract, **forms)
    context["notice"] = notice
    if request.htmx and not request.htmx.boosted:
        return render(request, f"budgets/_contract_{section}.html", context)
    return render(request, "budgets/contract_detail.html", context)


@login_required
@require_POST
def contract_projects(request, code: str, pk: int):
    program = finance_program(request, code)
    contract = _editable_contract(request, program, pk)
    form = ContractProjectsForm(request.POST, contract=contract)
    if form.is_valid():
        projects = list(form.cleaned_data["projects"])
        try:
            contract_projects_set(actor=request.user, contract=contract, projects=projects)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            notice = PROJECTS_SAVED.format(
                number=contract.number, projects=", ".join(p.code for p in projects) or "no project"
            )
            if not request.htmx:
                return done(request, reverse("budgets:contract-detail", args=[program.code, contract.pk]), notice)
            return _detail_or_section(request, program, contract, "projects", notice)
    return _detail_or_section(request, program, contract, "projects", projects_form=form)


@login_required
@require_POST
def security_requirement_add(request, code: str, pk: int):
    """Add a checklist item (or, for an item that exists, set its status)."""
    program = finance_program(request, code)
    contract = _editable_contract(request, program, pk)
    form = SecurityRequirementForm(request.POST, auto_id="new_req_%s")
    form.instance.contract = contract
    if form.is_valid():
        return _requirement_set(request, program, contract, form.cleaned_data, error_form=("security_form", form))
    return _detail_or_section(request, program, contract, "security", security_form=form)


@login_required
@require_POST
def security_requirement_status(request, code: str, pk: int, item: int):
    program = finance_program(request, code)
    contract = _editable_contract(request, program, pk)
    requirement = get_object_or_404(ContractSecurityRequirement.objects.filter(contract=contract), pk=item)
    form = SecurityStatusForm(request.POST, auto_id=f"req{requirement.pk}_%s")
    if form.is_valid():
        data = {"requirement": requirement.requirement, **form.cleaned_data}
        return _requirement_set(request, program, contract, data, error_form=("status_forms", {requirement.pk: form}))
    return _detail_or_section(request, program, contract, "security", status_forms={requirement.pk: form})


def _requirement_set(request, program, contract, data: dict, *, error_form):
    try:
        item = contract_security_requirement_set(actor=request.user, contract=contract, **data)
    except ValidationError as error:
        name, form = error_form
        target = form if name == "security_form" else next(iter(form.values()))
        target.add_service_errors(error)
        return _detail_or_section(request, program, contract, "security", **{name: form})
    notice = REQUIREMENT_SAVED.format(requirement=item.requirement, status=item.get_status_display())
    if not request.htmx:
        return done(request, reverse("budgets:contract-detail", args=[program.code, contract.pk]), notice)
    return _detail_or_section(request, program, contract, "security", notice)


# -- vendors -------------------------------------------------------------------------------------


@login_required
def vendor_list(request):
    filterset = VendorFilterSet(request.GET, queryset=vendors_of(user=request.user), request=request)
    scope_vendor_filters(filterset)
    if refused := refuse_unknown_filters(request, filterset):
        return refused
    page = paginate(request, filterset.qs.order_by("name"))
    context = {
        "filter": filterset,
        "filters_active": filters_active(request),
        "page": page,
        "can_edit": may_manage_vendors(request.user),
    }
    return render(request, "budgets/vendor_list.html", context)


@login_required
def vendor_add(request):
    if not may_manage_vendors(request.user):
        raise Http404
    form = VendorForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            vendor = vendor_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return done(request, reverse("budgets:vendor-list"), VENDOR_ADDED.format(name=vendor.name))
    return render(request, "budgets/vendor_form.html", {"form": form})


@login_required
def vendor_edit(request, pk: int):
    vendor = get_object_or_404(Vendor.objects.editable_by(request.user), pk=pk)
    form = VendorEditForm(request.POST or None, instance=vendor)
    if form.is_bound and form.is_valid():
        saved = form.save_with(
            lambda version: vendor_update(
                actor=request.user,
                vendor=vendor,
                data=form.service_data(),
                expected_version=version,
            )
        )
        if saved is not None:
            vendor = saved
            return done(request, reverse("budgets:vendor-list"), VENDOR_SAVED.format(name=vendor.name))
    status = 409 if form.stale else 200
    vendor.refresh_from_db(fields=["name"])
    return render(request, "budgets/vendor_form.html", {"form": form, "vendor": vendor}, status=status)
