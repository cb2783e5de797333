"""What the risks services share: scope checks, per-program numbering, field whitelists."""

from django.core.exceptions import ValidationError
from django.db.models import Max

from core.changes import inputs_changed
from portfolio.models import Program

SCOPE_REQUIRED = "Name the project (for a project risk or issue) or the program (for a program one)."
PROJECT_OTHER_PROGRAM = "This project belongs to program {project_program}, not {program}."
UNKNOWN_FIELDS = "Unknown fields: {names}."


def touch(row, *, program_too: bool = False) -> None:
    """Tell the roll-ups that a risk or issue changed: its project's (the program's roll-up
    follows), or its program's for a program-level row. `program_too` also bumps the program at
    once (escalation moves a project risk onto the program register)."""
    project_id, program_id = getattr(row, "project_id", None), getattr(row, "program_id", None)
    inputs_changed(projects=[project_id], programs=[program_id] if program_too or not project_id else [])


def resolve_scope(*, project, program) -> tuple:
    """(program, project) of a new risk or issue: a project's program is its own."""
    if project is None and program is None:
        raise ValidationError({"program": SCOPE_REQUIRED})
    if project is not None:
        if program is not None and program.pk != project.program_id:
            raise ValidationError(
                {"project": PROJECT_OTHER_PROGRAM.format(project_program=project.program.code, program=program.code)}
            )
        program = project.program
    return program, project


def next_number(model, program: Program) -> int:
    """The next free number of `model` in `program`. The program row is locked first, so two
    concurrent creations in one program queue instead of taking the same number."""
    Program.objects.select_for_update().filter(pk=program.pk).first()
    top = model.objects.filter(program=program).aggregate(top=Max("number"))["top"]
    return (top or 0) + 1


def check_fields(data: dict, allowed: frozenset) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise TypeError(UNKNOWN_FIELDS.format(names=", ".join(unknown)))
