"""A program's governance overview: the headline (gates due, change requests waiting, governance
health) comes from the program's summary; the gate pipeline, the change requests awaiting
approval, the decision log, benefits and OLAs are lists of source rows
(governance.selectors.program_governance, a fixed number of queries).

Program totals count every project; only people who see the program whole get them.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from governance.forms import DecisionNotesForm
from governance.selectors import program_governance as governance_page
from governance.views._common import visible_program
from governance.views.program import benefit_chart

from ..selectors import overseen_program_ids, program_rollup_for
from ._figures import health_of


@login_required
def program_governance(request, code: str):
    program = visible_program(request, code)
    page = governance_page(program=program, user=request.user)
    whole = bool(overseen_program_ids(user=request.user, programs=[program]))
    summary = program_rollup_for(program) if whole else None
    context = {
        "program": program,
        "page": page,
        "partial_view": not whole,
        "summary": summary,
        "governance_health": health_of(summary.rollup if summary else None, "governance"),
        "benefit_charts": [(row, benefit_chart(row, small=True)) for row in page.benefits],
        "notes_form": DecisionNotesForm(),
    }
    return render(request, "reporting/program_governance.html", context)
