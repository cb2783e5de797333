"""Portfolio home, program list and program page.

Every view starts from Program.objects.visible_to / editable_by: other people's programs are
404, and so is an edit form for someone who may only read.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from core.services import StaleVersionError
from core.views import filters_active, paginate
from projects.forms import ProjectCreateForm

from .filters import ProgramFilterSet
from .forms import ProgramForm, scope_program_filters
from .models import Program
from .selectors import (
    portfolio_home,
    program_health,
    program_is_editable,
    program_list_filtered,
    program_objective_links,
    program_page,
    program_people,
    program_projects,
    with_health,
)
from .services import program_update

PROGRAM_SAVED = "Program {code} saved."


@login_required
def home(request):
    return render(request, "portfolio/portfolio_home.html", {"portfolios": portfolio_home(user=request.user)})


@login_required
def program_list(request):
    filterset = ProgramFilterSet(request.GET, queryset=Program.objects.visible_to(request.user), request=request)
    scope_program_filters(filterset, user=request.user)
    page = paginate(request, program_list_filtered(user=request.user, filtered=filterset.qs).order_by("name", "code"))
    page.object_list = with_health(page.object_list)
    return render(
        request,
        "portfolio/program_list.html",
        {"filter": filterset, "filters_active": filters_active(request), "page": page},
    )


@login_required
def program_detail(request, code: str):
    program = get_object_or_404(program_page(user=request.user), code=code)
    program.health = program_health(program)
    can_edit = program_is_editable(user=request.user, program=program)
    context = {
        "program": program,
        "objective_links": program_objective_links(program=program),
        "projects": program_projects(user=request.user, program=program),
        "can_edit": can_edit,
    }
    if can_edit:
        people = program_people(program=program)
        currency = program.portfolio.base_currency
        context["form"] = ProgramForm(instance=program, people=people, currency=currency)
        context["project_form"] = ProjectCreateForm(people=people)
    return render(request, "portfolio/program_detail.html", context)


@login_required
def program_edit(request, code: str):
    program = get_object_or_404(Program.objects.editable_by(request.user).select_related("portfolio"), code=code)
    people = program_people(program=program)
    data = request.POST if request.method == "POST" else None
    form = ProgramForm(data, instance=program, people=people, currency=program.portfolio.base_currency)
    status = 200
    if form.is_bound and form.is_valid():
        try:
            program_update(
                actor=request.user,
                program=program,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersionError:
            form.add_stale_error()
            status = 409
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, PROGRAM_SAVED.format(code=program.code))
            return redirect("portfolio:program-detail", code=program.code)
    # The form wrote the posted values onto `program`; the page header shows the stored ones.
    program.refresh_from_db(fields=["name"])
    return render(request, "portfolio/program_form.html", {"program": program, "form": form}, status=status)
