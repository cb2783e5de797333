"""The administrators' full recompute of every roll-up, behind a confirmation."""

from django.contrib import messages
from django.shortcuts import redirect, render
from kombu.exceptions import OperationalError

from core.views import staff_only

from ..services.jobs import recompute_all_enqueue

BROKER_DOWN = "The job queue cannot be reached, so nothing was started. Try again in a moment."


@staff_only
def recompute_all(request):
    """GET: say what a full recompute does and ask to confirm. POST: start it and show its run."""
    if request.method != "POST":
        return render(request, "reporting/recompute_all_confirm.html")
    try:
        task_id = recompute_all_enqueue(actor=request.user)
    except OperationalError:
        messages.error(request, BROKER_DOWN)
        return redirect("core:taskrun-list")
    return redirect("core:taskrun-detail", task_id=task_id)
