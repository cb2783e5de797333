"""HTML forms for projects, status reports and schedules. Forms validate; projects.services writes."""

from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core import bounds
from core.forms import (
    KeelFormMixin,
    PersonChoiceField,
    VersionedFormMixin,
    add_service_errors,
    check_dates_ordered,
    date_input,
    narrow_filter_choices,
    person_label,
    present_filter_form,
)

from .models import ActivityType, Dependency, Distribution, Project, Rag, ScheduleDialect, StatusReport, Task
from .selectors import project_filter_choices
from .selectors.schedule import DAY_MINUTES, constraint_moment, format_days, plain_decimal
from .services.schedule import milestone_errors, to_local
from .services.uncertainty import ESTIMATE_BOTH_OR_NEITHER

PROJECT_FIELDS = ["name", "description", "manager", "phase", "status", "priority", "planned_start", "planned_finish"]
PROJECT_WIDGETS = {
    "description": forms.Textarea(attrs={"rows": 3}),
    "planned_start": date_input(),
    "planned_finish": date_input(),
}


class _ProjectFieldsMixin:
    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = people

    def clean(self):
        cleaned = super().clean()
        check_dates_ordered(self, "planned_start", "planned_finish")
        return cleaned

    def service_data(self) -> dict:
        """The form's model fields, as keyword arguments / `data` for the project services."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ProjectCreateForm(_ProjectFieldsMixin, KeelFormMixin, forms.ModelForm):
    """A new project in a program (the view supplies the program)."""

    class Meta:
        model = Project
        fields = ["code", *PROJECT_FIELDS]
        widgets = PROJECT_WIDGETS
        field_classes = {"manager": PersonChoiceField}
        help_texts = {"code": "Capital letters, digits, '-' or '_', e.g. MOD-ERP. Used in links; cannot change."}


class ProjectForm(_ProjectFieldsMixin, VersionedFormMixin, forms.ModelForm):
    """Edit a project. The code identifies the project in links and is not editable."""

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = PROJECT_WIDGETS
        field_classes = {"manager": PersonChoiceField}


SCHEDULE_SETTING_FIELDS = [
    "schedule_dialect",
    "data_date",
    "progress_mode",
    "lag_calendar",
    "float_mode",
    "critical_mode",
    "critical_float_minutes",
    "must_finish_by",
]


def datetime_input() -> forms.DateTimeInput:
    """A native date-and-time picker (type="datetime-local", ISO format, minute precision)."""
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ScheduleSettingsForm(VersionedFormMixin, forms.ModelForm):
    """A project's scheduling dialect and Primavera P6's options (the schedule page's settings).

    The data date and the must-finish-by are typed in the project's time zone (the view
    activates it); the critical threshold is typed in working days of 8 hours and stored in
    minutes. The P6 options (data date and must-finish-by included) are kept when the dialect is
    Microsoft Project, which ignores them, so a switch back to P6 finds them."""

    critical_float_days = forms.DecimalField(
        label="Critical when total float is at most (days)",
        min_value=-bounds.DAYS_MAX,
        max_value=bounds.DAYS_MAX,
        max_digits=9,
        decimal_places=2,
        initial=Decimal("0"),
        help_text="Working days of 8 hours; may be negative. Both dialects use it.",
    )
    field_order = [
        "schedule_dialect",
        "data_date",
        "progress_mode",
        "lag_calendar",
        "float_mode",
        "critical_mode",
        "critical_float_days",
        "must_finish_by",
    ]

    class Meta:
        model = Project
        fields = [name for name in SCHEDULE_SETTING_FIELDS if name != "critical_float_minutes"]
        widgets = {
            "schedule_dialect": forms.RadioSelect,
            "data_date": datetime_input(),
            "must_finish_by": datetime_input(),
        }
        labels = {
            "schedule_dialect": "Scheduling rules",
            "data_date": "Data date",
            "progress_mode": "Progressed activities",
            "lag_calendar": "Lag calendar",
            "float_mode": "Total float",
            "critical_mode": "Critical activities",
            "must_finish_by": "Must finish by",
        }
        help_texts = {
            "data_date": "P6: remaining work never starts before this moment (00:00 is the start of that day).",
            "progress_mode": "P6: how the remaining work of an activity started out of sequence is scheduled.",
            "lag_calendar": "P6: the calendar a link's lag is counted in.",
            "must_finish_by": "P6: late dates count back from here, so a late project shows negative float.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("critical_float_days", Decimal(format_days(self.instance.critical_float_minutes or 0)))
        for name in ("data_date", "must_finish_by"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]

    def service_data(self) -> dict:
        """The model fields, for project_update."""
        data = {name: self.cleaned_data[name] for name in self._meta.fields}
        data["critical_float_minutes"] = days_to_minutes(self.cleaned_data["critical_float_days"])
        return data


RAG_FIELDS = ["overall_rag", "schedule_rag", "cost_rag", "scope_rag", "risk_rag"]


class StatusReportForm(KeelFormMixin, forms.ModelForm):
    """A new status report; `initial_from(previous)` prefills it from the last one."""

    class Meta:
        model = StatusReport
        fields = ["period_end", *RAG_FIELDS, "percent_complete", "summary", "accomplishments", "next_steps"]
        widgets = {
            "period_end": date_input(),
            **dict.fromkeys(RAG_FIELDS, forms.RadioSelect),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "accomplishments": forms.Textarea(attrs={"rows": 3}),
            "next_steps": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "overall_rag": "Overall",
            "schedule_rag": "Schedule",
            "cost_rag": "Cost",
            "scope_rag": "Scope",
            "risk_rag": "Risk",
            "percent_complete": "Percent complete",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RAG_FIELDS:
            # The model field has no default, so Django would offer a blank "---------" radio.
            self.fields[name].choices = Rag.choices
        self.fields["percent_complete"].widget.attrs.update({"min": 0, "max": 100, "step": "0.01"})

    @property
    def rag_fields(self):
        return [self[name] for name in RAG_FIELDS]

    @property
    def narrative_fields(self):
        return [self[name] for name in ("percent_complete", "summary", "accomplishments", "next_steps")]

    @staticmethod
    def initial_from(previous: StatusReport | None, *, period_end) -> dict:
        """Start from the previous report's ratings and text, for the period `period_end`."""
        initial = {"period_end": period_end}
        if previous is not None:
            for name in [*RAG_FIELDS, "percent_complete", "summary", "accomplishments", "next_steps"]:
                initial[name] = getattr(previous, name)
        return initial


class StatusReportCorrectForm(StatusReportForm):
    """A correction of a filed report: the same fields, the period shown but fixed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_end"].disabled = True
        self.fields["period_end"].help_text = "A correction keeps its period."

    def changes(self) -> list[tuple[str, str, str]]:
        """(label, old, new) for every field the correction changes, for the page to show."""
        rows = []
        for name in self.changed_data:
            if name == "period_end":
                continue
            field = self.fields[name]
            old, new = self.initial.get(name), self.cleaned_data.get(name)
            if hasattr(field, "choices"):
                labels = dict(field.choices)
                old, new = labels.get(old, old), labels.get(new, new)
            rows.append((field.label or name, str(old), str(new)))
        return rows


def scope_project_filters(filterset, *, user) -> None:
    """Present the shared ProjectFilterSet as an HTML form limited to what `user` may see."""
    choices = project_filter_choices(user=user)
    narrow_filter_choices(filterset, program=choices["program"], manager=choices["manager"])
    fields = filterset.form.fields
    # The FilterSet takes a portfolio id (a NumberFilter, for the API); offer the visible
    # portfolios by name instead. The filter then receives the Portfolio, which it accepts.
    fields["portfolio"] = forms.ModelChoiceField(queryset=choices["portfolio"], required=False, label="Portfolio")
    fields["manager"].label_from_instance = person_label
    for name in ("phase", "status"):
        fields[name].widget = forms.CheckboxSelectMultiple(choices=fields[name].choices)
    fields["starts_after"].label = "Starts on or after"
    fields["finishes_before"].label = "Finishes on or before"
    for name in ("starts_after", "finishes_before"):
        fields[name].widget = date_input()
    present_filter_form(
        filterset,
        order=[
            "q",
            "portfolio",
            "program",
            "health",
            "computed_health",
            "status",
            "phase",
            "priority",
            "manager",
            "starts_after",
            "finishes_before",
        ],
    )


# -- schedule ----------------------------------------------------------------------------------
# Durations and lags are typed in working days (decimal) and stored in working minutes
# (DAY_MINUTES = 480 a day); constraint dates are typed as dates and stored as the moment work
# starts or stops that day (selectors.schedule.constraint_moment).

DATE_CONSTRAINTS_NEED_DATE = "A “{label}” constraint needs a date."
MILESTONE_HAS_DURATION = "A milestone has zero duration: set the duration to 0."
ACTIVITY_TYPE_HELP = (
    "P6 rules: a start / finish milestone has zero duration and sits at the next work start / previous "
    "work finish; level of effort spans its links' dates; a WBS summary spans its WBS branch."
)
LINK_TO_ITSELF = "A task cannot be its own predecessor."
NO_DATE_CONSTRAINTS = {Task.Constraint.ASAP, Task.Constraint.ALAP}
# Service errors name model fields; these forms name some of them differently.
TASK_ERROR_FIELDS = {
    "duration_minutes": "duration_days",
    "constraint_date": "constraint_day",
    "optimistic_minutes": "optimistic_days",
    "pessimistic_minutes": "pessimistic_days",
}
LINK_ERROR_FIELDS = {"lag_minutes": "lag_days", "successor": "predecessor"}


def days_to_minutes(days: Decimal) -> int:
    return int((days * DAY_MINUTES).to_integral_value(rounding=ROUND_HALF_UP))


def add_renamed_service_errors(form: forms.BaseForm, error: ValidationError, renames: dict[str, str]) -> None:
    """add_service_errors, after renaming the model fields the service names to form fields."""
    if hasattr(error, "error_dict"):
        error = ValidationError({renames.get(name, name): messages for name, messages in error.error_dict.items()})
    add_service_errors(form, error)


class ManyOptionsSelect(forms.Select):
    """A <select> that writes its options directly instead of through one template per option:
    the same markup as forms.Select, but a schedule's 3,000 tasks render in milliseconds rather
    than a second (the parent pickers of the schedule page)."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(name)}"{flatatt(context["attrs"])}>']
        for group_name, options, _index in context["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{escape(group_name)}">')
            for option in options:
                selected = " selected" if option["selected"] else ""
                parts.append(f'<option value="{escape(option["value"])}"{selected}>{escape(option["label"])}</option>')
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class TaskChoiceField(forms.ChoiceField):
    """A choice among tasks the view has already loaded, so the field runs no query of its own;
    cleans to the Task (None when left blank). `group` names an optgroup per task (optional)."""

    widget = ManyOptionsSelect

    def __init__(self, *, tasks=(), label_of=str, group=None, blank_label="—", **kwargs):
        super().__init__(**kwargs)
        self.set_tasks(tasks, label_of=label_of, group=group, blank_label=blank_label)

    def set_tasks(self, tasks, *, label_of=str, group=None, blank_label="—") -> None:
        self.tasks_by_key = {str(task.pk): task for task in tasks}
        options: list = [("", blank_label)] if not self.required or blank_label else []
        if group is None:
            options += [(str(task.pk), label_of(task)) for task in tasks]
        else:
            groups: dict[str, list] = {}
            for task in tasks:
                groups.setdefault(group(task), []).append((str(task.pk), label_of(task)))
            options += list(groups.items())
        self.choices = options

    def clean(self, value):
        value = super().clean(value)
        return self.tasks_by_key.get(value) if value else None


def task_label(task: Task) -> str:
    return f"{task.outline_number} {task.name}".strip()


class TaskForm(KeelFormMixin, forms.Form):
    """Add a task (`task` None) or change one. The view supplies the project's tasks (parent
    choices), the project calendar and time zone (to turn a constraint date into a moment), and
    its scheduling dialect: the activity type (P6's start / finish milestone, level of effort,
    WBS summary) is offered only under the P6 rules, the only ones that use it (the Microsoft
    Project rules schedule every type as a plain task or milestone; the form then leaves the
    stored type as it is, as the API would unless sent one).

    `service_data()` gives the model fields for task_create, or only the changed ones for
    task_update; `cleaned_data["version"]` is the expected_version of an edit."""

    name = forms.CharField(max_length=255)
    duration_days = forms.DecimalField(
        label="Duration (days)",
        min_value=0,
        max_value=bounds.DAYS_MAX,
        max_digits=9,
        decimal_places=2,
        initial=Decimal("1"),
    )
    percent_complete = forms.DecimalField(
        label="% complete", min_value=0, max_value=100, max_digits=5, decimal_places=2, initial=Decimal("0")
    )
    constraint_type = forms.ChoiceField(label="Constraint", choices=Task.Constraint.choices, initial="ASAP")
    constraint_day = forms.DateField(
        label="Constraint date", required=False, widget=date_input(), validators=bounds.DATE_VALIDATORS
    )
    parent = TaskChoiceField(label="Summary task", required=False, blank_label="— top level —")
    is_milestone = forms.BooleanField(label="Milestone", required=False)
    # The three-point estimate for the risk analysis, in the table's unit (days); both or neither.
    optimistic_days = forms.DecimalField(
        label="Optimistic (days)",
        required=False,
        min_value=0,
        max_value=bounds.DAYS_MAX,
        max_digits=9,
        decimal_places=2,
    )
    pessimistic_days = forms.DecimalField(
        label="Pessimistic (days)",
        required=False,
        min_value=0,
        max_value=bounds.DAYS_MAX,
        max_digits=9,
        decimal_places=2,
    )
    duration_distribution = forms.ChoiceField(
        label="Distribution", choices=Distribution.choices, initial=Distribution.TRIANGULAR, required=False
    )
    activity_type = forms.ChoiceField(
        label="Activity type (P6)",
        choices=ActivityType.choices,
        initial=ActivityType.TASK,
        required=False,
        help_text=ACTIVITY_TYPE_HELP,
    )

    def __init__(
        self, *args, task: Task | None = None, tasks=(), calendar, zone, dialect=ScheduleDialect.MSPROJECT, **kwargs
    ):
        self.task, self.calendar, self.zone = task, calendar, zone
        if task is not None:
            constraint = to_local(task.constraint_date, zone)
            kwargs.setdefault(
                "initial",
                {
                    "name": task.name,
                    "duration_days": Decimal(format_days(task.duration_minutes)),
                    "percent_complete": Decimal(plain_decimal(task.percent_complete)),
                    "constraint_type": task.constraint_type,
                    "constraint_day": constraint.date() if constraint else None,
                    "parent": str(task.parent_id or ""),
                    "is_milestone": task.is_milestone,
                    "optimistic_days": _days_or_none(task.optimistic_minutes),
                    "pessimistic_days": _days_or_none(task.pessimistic_minutes),
                    "duration_distribution": task.duration_distribution,
                    "activity_type": task.activity_type,
                    "version": task.version,
                },
            )
            kwargs.setdefault("auto_id", f"task{task.pk}_%s")
        super().__init__(*args, **kwargs)
        if dialect != ScheduleDialect.P6:
            del self.fields["activity_type"]
        # A task cannot sit under itself or its subtasks; the service checks again on save.
        excluded = _subtree(task, tasks) if task is not None else set()
        self.fields["parent"].set_tasks(
            [t for t in tasks if t.pk not in excluded], label_of=task_label, blank_label="— top level —"
        )
        self.fields["percent_complete"].widget.attrs.update({"step": "0.01", "min": 0, "max": 100})
        self.fields["duration_days"].widget.attrs.update({"step": "0.01", "min": 0})
        for name in ("optimistic_days", "pessimistic_days"):
            self.fields[name].widget.attrs.update({"step": "0.01", "min": 0})
        if task is not None:
            self.fields["name"].widget.attrs["autofocus"] = True
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
            if task.is_summary:
                # A summary's duration and dates roll up from its subtasks.
                self.fields["duration_days"].disabled = True
                self.fields["duration_days"].help_text = "Rolled up from the subtasks."
                self.fields["is_milestone"].disabled = True
                for name in ("optimistic_days", "pessimistic_days", "duration_distribution"):
                    self.fields[name].disabled = True
                if "activity_type" in self.fields:
                    # The engine schedules an outline summary as a summary, whatever its type.
                    self.fields["activity_type"].disabled = True
                    self.fields["activity_type"].help_text = "An outline summary spans its subtasks."

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("constraint_type")
        needs_date = kind and kind not in NO_DATE_CONSTRAINTS
        if needs_date and not cleaned.get("constraint_day") and "constraint_day" not in self.errors:
            label = Task.Constraint(kind).label
            self.add_error("constraint_day", DATE_CONSTRAINTS_NEED_DATE.format(label=label))
        summary = self.task is not None and self.task.is_summary  # its duration and type are not edited
        if not summary and cleaned.get("duration_days") is not None and "duration_days" not in self.errors:
            # The service's rule (task_create / task_update check it again), asked here so the
            # form says what to change before anything is written.
            shape = Task(
                is_milestone=bool(cleaned.get("is_milestone")),
                activity_type=cleaned.get("activity_type") or ActivityType.TASK,
                duration_minutes=days_to_minutes(cleaned["duration_days"]),
            )
            if milestone_errors(shape):
                self.add_error("duration_days", MILESTONE_HAS_DURATION)
        low, high = cleaned.get("optimistic_days"), cleaned.get("pessimistic_days")
        if (low is None) != (high is None) and not {"optimistic_days", "pessimistic_days"} & set(self.errors):
            self.add_error("optimistic_days" if low is None else "pessimistic_days", ESTIMATE_BOTH_OR_NEITHER)
        return cleaned

    def _constraint_date(self):
        kind, day = self.cleaned_data["constraint_type"], self.cleaned_data.get("constraint_day")
        if kind in NO_DATE_CONSTRAINTS:
            return None
        current = self.task and to_local(self.task.constraint_date, self.zone)
        if current and current.date() == day and self.task.constraint_type == kind:
            return self.task.constraint_date  # unchanged: keep the exact time (e.g. imported)
        return constraint_moment(day, kind, calendar=self.calendar, zone=self.zone)

    def service_data(self) -> dict:
        data = {
            "name": self.cleaned_data["name"],
            "duration_minutes": days_to_minutes(self.cleaned_data["duration_days"]),
            "percent_complete": self.cleaned_data["percent_complete"],
            "constraint_type": self.cleaned_data["constraint_type"],
            "constraint_date": self._constraint_date(),
            "parent": self.cleaned_data["parent"],
            "is_milestone": self.cleaned_data["is_milestone"],
            "optimistic_minutes": _minutes_or_none(self.cleaned_data.get("optimistic_days")),
            "pessimistic_minutes": _minutes_or_none(self.cleaned_data.get("pessimistic_days")),
            "duration_distribution": self.cleaned_data.get("duration_distribution")
            or (self.task.duration_distribution if self.task else Distribution.TRIANGULAR),
        }
        if "activity_type" in self.fields:
            data["activity_type"] = self.cleaned_data.get("activity_type") or ActivityType.TASK
        if self.task is None:
            return data
        if self.task.is_summary:
            data.pop("activity_type", None)
            del data["duration_minutes"], data["is_milestone"]
            del data["optimistic_minutes"], data["pessimistic_minutes"], data["duration_distribution"]
        current = {name: getattr(self.task, name) for name in data if name != "parent"}
        current["parent"] = self.task.parent_id
        changed = {}
        for name, value in data.items():
            compared = value.pk if name == "parent" and value is not None else value
            if compared != current[name]:
                changed[name] = value
        return changed

    def add_service_errors(self, error: ValidationError) -> None:
        add_renamed_service_errors(self, error, TASK_ERROR_FIELDS)


def _days_or_none(minutes: int | None) -> Decimal | None:
    return None if minutes is None else Decimal(format_days(minutes))


def _minutes_or_none(days: Decimal | None) -> int | None:
    return None if days is None else days_to_minutes(days)


def _subtree(task: Task, tasks) -> set[int]:
    """`task`'s pk and its descendants' among `tasks`."""
    children: dict[int | None, list[int]] = {}
    for t in tasks:
        children.setdefault(t.parent_id, []).append(t.pk)
    found, stack = {task.pk}, [task.pk]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


class DependencyForm(KeelFormMixin, forms.Form):
    """A predecessor for one task: any task the user may see in the program's projects, the
    task's own project first, every other project in an optgroup named by its code and name."""

    predecessor = TaskChoiceField(label="Predecessor", blank_label="— choose a task —")
    type = forms.ChoiceField(label="Type", choices=Dependency.Type.choices, initial=Dependency.Type.FS)
    lag_days = forms.DecimalField(
        label="Lag (days)",
        min_value=-bounds.DAYS_MAX,
        max_value=bounds.DAYS_MAX,
        max_digits=9,
        decimal_places=2,
        initial=Decimal("0"),
        required=False,
        help_text="Negative for a lead.",
    )

    def __init__(self, *args, successor: Task, choices=(), **kwargs):
        self.successor = successor
        kwargs.setdefault("auto_id", f"link{successor.pk}_%s")
        super().__init__(*args, **kwargs)
        own = successor.project_id
        # The task's own project first, then each other project of the program as its own group
        # (choices come ordered by project code; the sort is stable, so that order stays within).
        self.fields["predecessor"].set_tasks(
            sorted((t for t in choices if t.pk != successor.pk), key=lambda t: t.project_id != own),
            label_of=task_label,
            group=lambda t: "This project" if t.project_id == own else f"{t.project.code} {t.project.name}",
            blank_label="— choose a task —",
        )
        self.fields["lag_days"].widget.attrs.update({"step": "0.01"})

    def clean_predecessor(self):
        predecessor = self.cleaned_data["predecessor"]
        if predecessor is not None and predecessor.pk == self.successor.pk:
            raise ValidationError(LINK_TO_ITSELF)
        return predecessor

    def service_data(self) -> dict:
        return {
            "predecessor": self.cleaned_data["predecessor"],
            "successor": self.successor,
            "type": self.cleaned_data["type"],
            "lag_minutes": days_to_minutes(self.cleaned_data.get("lag_days") or Decimal("0")),
        }

    def add_service_errors(self, error: ValidationError) -> None:
        add_renamed_service_errors(self, error, LINK_ERROR_FIELDS)


class BaselineForm(KeelFormMixin, forms.Form):
    """Save the current plan as baseline 0-10 (replacing an earlier one with that number, except
    an approved one: see baseline_set). Given the project's `baselines`, the choices name the used
    numbers and the first free number is offered, never the approved plan."""

    number = forms.TypedChoiceField(
        label="Baseline", coerce=int, choices=[(n, f"Baseline {n}") for n in range(11)], initial=0
    )
    name = forms.CharField(label="Name", max_length=200, required=False)

    def __init__(self, *args, baselines=None, **kwargs):
        kwargs.setdefault("auto_id", "baseline_%s")
        super().__init__(*args, **kwargs)
        if baselines is not None:
            by_number = {b.number: b for b in baselines}
            self.fields["number"].choices = [(n, _baseline_choice(n, by_number.get(n))) for n in range(11)]
            free = [n for n in range(11) if n not in by_number]
            self.initial.setdefault("number", free[0] if free else 0)


def _baseline_choice(number: int, baseline) -> str:
    if baseline is None:
        return f"Baseline {number} (free)"
    if baseline.approved:
        return f"Baseline {number} — approved plan, kept"
    return f"Baseline {number} (replace)"


class BaselineOverwriteForm(KeelFormMixin, forms.Form):
    """The confirmation of a program manager's overwrite of an approved baseline: nothing ticked."""

    name = forms.CharField(label="Name", max_length=200, required=False, help_text="Blank keeps the current name.")
    reason = forms.CharField(
        label="Reason (kept in the audit log)",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    overwrite_approved = forms.BooleanField(
        label="Replace the approved plan with today's schedule",
        error_messages={"required": "Tick the box to confirm that the approved plan is replaced."},
    )


SCHEDULE_FILE_TYPES = ".xml,.mpp,.mpx,.xer,.pmxml,.pp,.gan,.planner,.fts,.pod,.cdpx,.prx,.sdef"


class ScheduleImportForm(KeelFormMixin, forms.Form):
    """A schedule file for this project and how it goes in; the next page previews it."""

    MERGE, REPLACE = "merge", "replace"

    file = forms.FileField(
        label="Schedule file",
        help_text=(
            "MS Project XML (.xml); also .mpp, Primavera .xer / P6 XML and other formats where the server reads them."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": SCHEDULE_FILE_TYPES}),
    )
    mode = forms.ChoiceField(
        label="How the file goes in",
        choices=[
            (
                MERGE,
                "Merge: add the file's new tasks and update the tasks it shares with the plan (matched by "
                "their file UID); keep every other task, the plan's numbering and its start",
            ),
            (REPLACE, "Replace: the file becomes the plan; tasks it does not have are deleted"),
        ],
        initial=MERGE,
        widget=forms.RadioSelect,
        help_text="Nothing is changed yet: the next page shows what the import would do, and asks you to confirm.",
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "import_%s")
        super().__init__(*args, **kwargs)

    @property
    def replace(self) -> bool:
        return self.cleaned_data["mode"] == self.REPLACE


class ScheduleImportConfirmForm(KeelFormMixin, forms.Form):
    """The confirm step: the plan fingerprint the preview was made on and, for a replace, an
    explicit acknowledgement (never ticked in advance)."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, max_length=64)
    confirm_replace = forms.BooleanField(label="", required=False)

    def __init__(self, *args, removed: int = 0, **kwargs):
        kwargs.setdefault("auto_id", "confirm_%s")
        super().__init__(*args, **kwargs)
        self.fields["confirm_replace"].label = (
            f"Yes, delete the {removed} task{'s' if removed != 1 else ''} listed under “Removed”"
            if removed
            else "Yes, replace the plan with the file"
        )


ESTIMATE_FIELDS_BOTH = "Map both the optimistic and the pessimistic duration, or neither."
NOT_A_FILE_FIELD = "The file has no such custom field."


class EstimateMappingForm(KeelFormMixin, forms.Form):
    """The import preview's mapping step: which custom fields of the file (FieldIDs) hold the
    tasks' optimistic and pessimistic durations and their distribution. Nothing is mapped
    unless the user chooses. `fields`: the file's custom fields (custom_fields.CustomField);
    without them (the confirm step) any FieldID-shaped value is accepted."""

    optimistic_field = forms.CharField(label="Optimistic duration from", required=False, max_length=20)
    pessimistic_field = forms.CharField(label="Pessimistic duration from", required=False, max_length=20)
    distribution_field = forms.CharField(label="Distribution from", required=False, max_length=20)

    NAMES = ("optimistic_field", "pessimistic_field", "distribution_field")

    def __init__(self, *args, fields=None, **kwargs):
        kwargs.setdefault("auto_id", "map_%s")
        super().__init__(*args, **kwargs)
        self.file_fields = fields
        if fields is not None:
            for name in self.NAMES:
                offered = [f for f in fields if name != "distribution_field" or f.kind == "text"]
                self.fields[name] = forms.ChoiceField(
                    label=self.fields[name].label,
                    required=False,
                    choices=[("", "— not mapped —"), *((f.field_id, f.label) for f in offered)],
                )

    def clean(self):
        cleaned = super().clean()
        for name in self.NAMES:
            value = cleaned.get(name) or ""
            if value and not value.isdigit():
                self.add_error(name, NOT_A_FILE_FIELD)
        if bool(cleaned.get("optimistic_field")) != bool(cleaned.get("pessimistic_field")):
            self.add_error(
                "pessimistic_field" if cleaned.get("optimistic_field") else "optimistic_field", ESTIMATE_FIELDS_BOTH
            )
        return cleaned

    def mapping(self):
        from .scheduling.custom_fields import EstimateMapping

        if not self.is_bound or not self.is_valid():
            return EstimateMapping()
        return EstimateMapping(
            optimistic=self.cleaned_data.get("optimistic_field") or None,
            pessimistic=self.cleaned_data.get("pessimistic_field") or None,
            distribution=self.cleaned_data.get("distribution_field") or None,
        )
