"""Generated narrative: a deterministic summary of what changed since the previous period
(milestones slipped, computed-health and reported-RAG changes, new high risks, cost variance
moves, change requests approved), each sentence linking to the records behind it.

Contract (pages call these; the bodies are filled in by the narrative work):
- `portfolio_narrative(*, user, portfolio, today=None) -> Narrative`
- `program_narrative(*, user, program, today=None) -> Narrative`
- `project_narrative(*, user, project, today=None) -> Narrative`
Each issues a fixed number of queries whatever the data size. Figures summed over a program or
portfolio appear only for readers who see it whole (Program.overseen_by), as on every page.
Templates render a Narrative with `{% include "reporting/_narrative.html" with narrative=... %}`.

The period: the last PERIOD_DAYS days, `since` (= today minus 30 days) through `until` (today), both
inclusive. "Before" is each project's, program's or portfolio's MetricSnapshot of `since` (the
newest taken on or before it; when its history starts later, its oldest one in the period);
"now" is its current roll-up row. Events (risks, change requests, milestones) count when dated
within the period.

What each kind says, and who reads it:
- "health": computed overall health changed (colours for every reader of the scope; the rule that
  fired only for readers of the figures behind it: the project's readers, a program's overseers).
- "rag": the reported RAG changed (a program's and portfolio's: the worst of their projects').
- "milestone": a forecast finish moved later, and open milestones whose baseline date fell within
  the period but are forecast later (the baseline is the project's lowest-numbered, as the
  schedule page and the alerts compare with).
- "cost": CPI moved by CPI_MOVE or more, or the variance at completion by VAC_MOVE_PERCENT of the
  budget or more.
- "risk": active risks now high or critical that were created in the period or scored up into
  those bands in it (from the risk's score history).
- "change_request": change requests approved in the period.
Program- and portfolio-wide figures (their forecast finish, CPI, VAC) appear only for readers who
oversee them; per-project sentences only for projects the reader sees (Project.visible_to).

At most MAX_SENTENCES sentences: taken in turn from each kind (so one busy kind cannot hide the
others), worst first within a kind, then "and N more changes".
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from governance.models import ChangeRequest
from portfolio.models import Portfolio, Program
from projects.models import Baseline, BaselineTask, Project, open_projects_q
from risks import scoring
from risks.models import Risk, RiskScoreHistory

from .models import Health, MetricSnapshot
from .selectors import HEALTH_LABELS, health_rank, overseen_portfolio_ids, overseen_program_ids, rollup_state

PERIOD_DAYS = 30
MAX_SENTENCES = 12
CPI_MOVE = Decimal("0.05")
VAC_MOVE_PERCENT = Decimal("5")
HIGH_SCORE = scoring.BANDS[scoring.HIGH][0]
CRITICAL_SCORE = scoring.BANDS[scoring.CRITICAL][0]
# The order kinds are listed in (and take turns in when there are more than MAX_SENTENCES).
KINDS = ("health", "rag", "milestone", "cost", "risk", "change_request")
MORE_KIND = "more"


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence. `parts` alternate plain text and links: each part is (text, url or "")."""

    parts: tuple[tuple[str, str], ...]
    kind: str = ""  # "milestone", "health", "rag", "risk", "cost", "change_request"

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)


@dataclass(frozen=True, slots=True)
class Narrative:
    """What changed between `since` and `until` (both inclusive days): sentences grouped by kind
    in KINDS order, worst first within a kind (change requests newest first)."""

    since: dt.date | None
    until: dt.date | None
    sentences: tuple[Sentence, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def days(self) -> int | None:
        """The length of the period in days (None when it has no start)."""
        if self.since is None or self.until is None:
            return None
        return (self.until - self.since).days


# A sentence found, before the bound: (sort key, sentence, id of the program it belongs to or None).
type Found = tuple[tuple, Sentence, int | None]


def draft_text(narrative: Narrative) -> str:
    """The narrative as plain text for a status report's summary: one sentence a line."""
    return "\n".join(s.text for s in narrative.sentences)


# --- The scopes compared ---------------------------------------------------------------------


@dataclass(slots=True)
class _Subject:
    """A project, program or portfolio being compared: its name and link, its current roll-up
    row (or None), its snapshot at the period start (or None), and what the reader may see."""

    level: int  # 0 portfolio, 1 program, 2 project: wider scopes are listed first
    code: str
    label: str
    url_name: str
    url_arg: str | int
    currency: str
    now: object | None
    before: MetricSnapshot | None
    figures: bool  # may read its whole figures (money, forecast, the rules behind its health)
    program_id: int | None = None  # the program it belongs to (None: a portfolio)

    @property
    def url(self) -> str:
        # Reversed only for the few subjects a sentence names, not for every project compared.
        if self.url_name == PORTFOLIO_URL:
            return _portfolio_url(self.url_arg)
        return reverse(self.url_name, args=[self.url_arg])

    def key(self, *severity) -> tuple:
        """Sort key: wider scopes first, then worst first, then by code."""
        return (self.level, *severity, self.code)


def _rollup_of(obj):
    # A missing reverse one-to-one raises RelatedObjectDoesNotExist, an AttributeError.
    return getattr(obj, "rollup", None)


def _start_snapshots(model, field_name: str, ids: list[int], since: dt.date) -> dict[int, MetricSnapshot]:
    """Each object's snapshot of the period start: the newest on or before `since`, else the
    oldest after it. One query, whatever the number of objects or snapshots."""
    if not ids:
        return {}
    scoped = MetricSnapshot.objects.filter(**{field_name: OuterRef("pk")})
    newest_before = scoped.filter(day__lte=since).order_by("-day").values("pk")[:1]
    oldest_after = scoped.filter(day__gt=since).order_by("day").values("pk")[:1]
    starts = model.objects.filter(pk__in=ids).annotate(start=Coalesce(Subquery(newest_before), Subquery(oldest_after)))
    rows = MetricSnapshot.objects.filter(pk__in=starts.values("start"))
    return {getattr(row, f"{field_name}_id"): row for row in rows}


def _project_subjects(projects: list[Project], since: dt.date, *, named: bool = True) -> list[_Subject]:
    """`named` False labels each project by its code alone (its own narrative, where the reader
    knows which project it is)."""
    before = _start_snapshots(Project, "project", [p.pk for p in projects], since)
    return [
        _Subject(
            level=2,
            code=p.code,
            label=f"{p.code} {p.name}" if named else p.code,
            url_name="projects:project-detail",
            url_arg=p.code,
            currency=p.program.portfolio.base_currency,
            now=_rollup_of(p),
            before=before.get(p.pk),
            figures=True,  # a project's reader sees its figures (its cost page, its health rules)
            program_id=p.program_id,
        )
        for p in projects
    ]


def _program_subjects(programs: list[Program], overseen: set[int], since: dt.date) -> list[_Subject]:
    before = _start_snapshots(Program, "program", [p.pk for p in programs], since)
    return [
        _Subject(
            level=1,
            code=p.code,
            label=f"Program {p.code} {p.name}",
            url_name="portfolio:program-detail",
            url_arg=p.code,
            currency=p.portfolio.base_currency,
            now=_rollup_of(p),
            before=before.get(p.pk),
            figures=p.pk in overseen,
            program_id=p.pk,
        )
        for p in programs
    ]


def _portfolio_subject(portfolio: Portfolio, overseen: bool, since: dt.date) -> _Subject:
    before = _start_snapshots(Portfolio, "portfolio", [portfolio.pk], since)
    return _Subject(
        level=0,
        code=portfolio.code,
        label=f"Portfolio {portfolio.name}",
        url_name=PORTFOLIO_URL,
        url_arg=portfolio.pk,
        currency=portfolio.base_currency,
        now=_rollup_of(portfolio),
        before=before.get(portfolio.pk),
        figures=overseen,
    )


PORTFOLIO_URL = "reporting:portfolio-board"


def _portfolio_url(pk: int) -> str:
    # The portfolio board (reporting:portfolio-board) is built beside this; until it is wired
    # in, the portfolio reads on the home page.
    try:
        return reverse(PORTFOLIO_URL, args=[pk])
    except NoReverseMatch:
        return reverse("portfolio:home")


# --- Sentences from the roll-ups against the period start ------------------------------------


def _colour(value: str) -> str:
    return HEALTH_LABELS.get(value, "no data").lower() if value else "no data"


def _direction(before: str, now: str) -> str:
    # health_rank: red 0, amber 1, green 2, no data 3 ("no data" counts as neither better nor worse)
    if not before or not now:
        return "changed"
    return "worsened" if health_rank(now) < health_rank(before) else "improved"


def _health_sentences(subjects: Iterable[_Subject]) -> list[Found]:
    found = []
    for s in subjects:
        if s.now is None or s.before is None or s.now.computed_at is None:
            continue
        before, now = s.before.health_overall or "", s.now.health_overall or ""
        if before == now:
            continue
        text = f": computed health {_direction(before, now)} from {_colour(before)} to {_colour(now)}"
        # The rule that fired says why it is amber or red; a green one lists every dimension's.
        reason = rollup_state(s.now, 0).reason if s.figures and now in (Health.AMBER, Health.RED) else ""
        parts = [(s.label, s.url), (text + (f" ({reason})." if reason else "."), "")]
        found.append((s.key(health_rank(now)), Sentence(parts=tuple(parts), kind="health"), s.program_id))
    return found


def _rag_sentences(subjects: Iterable[_Subject]) -> list[Found]:
    found = []
    for s in subjects:
        if s.now is None or s.before is None:
            continue
        before, now = s.before.reported_rag or "", s.now.reported_rag or ""
        if before == now or not now:
            continue
        worded = "reported" if not before else f"{_direction(before, now)} from {_colour(before)} to"
        text = f": reported RAG {worded} {_colour(now)}."
        found.append(
            (s.key(health_rank(now)), Sentence(parts=((s.label, s.url), (text, "")), kind="rag"), s.program_id)
        )
    return found


def _day(value: dt.date) -> str:
    return f"{value:%-d %b %Y}"


def _finish_sentences(subjects: Iterable[_Subject]) -> list[Found]:
    found = []
    for s in subjects:
        if not s.figures or s.now is None or s.before is None:
            continue
        before, now = s.before.forecast_finish, s.now.forecast_finish
        if before is None or now is None or now <= before:
            continue
        text = f": forecast finish slipped from {_day(before)} to {_day(now)}"
        slip = s.now.slip_working_days
        if slip is not None and slip > 0:
            text += f", {slip} working day{'s' if slip != 1 else ''} behind baseline"
        parts = ((s.label, s.url), (text + ".", ""))
        found.append((s.key(-(now - before).days), Sentence(parts=parts, kind="milestone"), s.program_id))
    return found


def _money(value: Decimal, currency: str) -> str:
    return f"{currency}\u00a0{value:,.0f}".replace("-", "\u2212")


def _ratio(value: Decimal) -> str:
    return f"{value:.2f}"


def _cost_sentences(subjects: Iterable[_Subject]) -> list[Found]:
    found = []
    for s in subjects:
        if not s.figures or s.now is None or s.before is None:
            continue
        clauses, worst = [], Decimal(0)
        cpi_before, cpi_now = s.before.cpi, s.now.cpi
        if cpi_before is not None and cpi_now is not None and abs(cpi_now - cpi_before) >= CPI_MOVE:
            verb = "fell" if cpi_now < cpi_before else "rose"
            clauses.append(f"CPI {verb} from {_ratio(cpi_before)} to {_ratio(cpi_now)}")
            worst = cpi_now - cpi_before
        vac_now, bac = s.now.vac, s.now.bac
        if s.before.bac is not None and s.before.eac is not None and vac_now is not None and bac:
            vac_before = s.before.bac - s.before.eac
            move = vac_now - vac_before
            if abs(move) * 100 >= abs(bac) * VAC_MOVE_PERCENT:
                moved = f"from {_money(vac_before, s.currency)} to {_money(vac_now, s.currency)}"
                clauses.append(f"variance at completion moved {moved}")
                worst = min(worst, move / abs(bac))
        if clauses:
            text = ": " + "; ".join(clauses) + "."
            found.append((s.key(worst), Sentence(parts=((s.label, s.url), (text, "")), kind="cost"), s.program_id))
    return found


# --- Sentences from source rows dated within the period --------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _zone(project: Project):
    try:
        return zoneinfo.ZoneInfo(project.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _milestone_sentences(projects: list[Project], since: dt.date, until: dt.date) -> list[Found]:
    """Open milestones whose baseline finish fell within the period and whose forecast finish is
    later. One query."""
    by_pk = {p.pk: p for p in projects}
    if not by_pk:
        return []
    lowest = Baseline.objects.filter(project_id=OuterRef("project_id")).order_by("number").values("number")[:1]
    first_baselines = Baseline.objects.filter(project_id__in=list(by_pk), number=Subquery(lowest)).values("pk")
    # A day of margin either side: the days are compared in each project's time zone below.
    values = (
        BaselineTask.objects.filter(
            baseline_id__in=first_baselines,
            task__is_milestone=True,
            task__actual_finish__isnull=True,
            task__percent_complete__lt=100,
            finish__gte=_day_start(since - dt.timedelta(days=1)),
            finish__lt=_day_start(until + dt.timedelta(days=2)),
        )
        .select_related("task")
        .order_by("finish", "task_id")
    )
    found = []
    for value in values:
        project = by_pk[value.task.project_id]
        zone = _zone(project)
        baseline = value.finish.astimezone(zone).date()
        forecast = value.task.finish.astimezone(zone).date() if value.task.finish else None
        if not since <= baseline <= until or forecast is None or forecast <= baseline:
            continue
        parts = (
            (f"Milestone “{value.task.name}”", reverse("projects:schedule", args=[project.code])),
            (" of ", ""),
            (project.code, reverse("projects:project-detail", args=[project.code])),
            (f" missed its baseline date {_day(baseline)}; now forecast {_day(forecast)}.", ""),
        )
        key = (3, -(forecast - baseline).days, project.code, value.task_id)  # after the forecast finishes
        found.append((key, Sentence(parts=parts, kind="milestone"), project.program_id))
    return found


def _risk_sentences(risks: Q, user, since: dt.date, until: dt.date) -> list[Found]:
    """Active high or critical risks created in the period or scored up into those bands in it.
    One query."""
    start, end = _day_start(since), _day_start(until + dt.timedelta(days=1))
    score_at_start = (
        RiskScoreHistory.objects.filter(risk_id=OuterRef("pk"), at__lt=start).order_by("-at", "-pk").values("score")[:1]
    )
    rows = (
        Risk.objects.visible_to(user)
        .filter(risks, status__in=Risk.ACTIVE, score__gte=HIGH_SCORE, created_at__lt=end)
        .annotate(score_before=Subquery(score_at_start))
        .filter(Q(created_at__gte=start) | Q(score_before__lt=HIGH_SCORE))
        .select_related("program", "project")
        .order_by("-score", "program__code", "number")
    )
    found = []
    for risk in rows:
        band = "critical" if risk.score >= CRITICAL_SCORE else "high"
        link = (f"{risk.reference} “{risk.title}”", reverse("risks:risk-detail", args=[risk.pk]))
        is_new = risk.created_at >= start
        parts = [(f"New {band} risk ", ""), link] if is_new else [link, (f" rose to {band}", "")]
        if risk.project_id:
            parts += [(" on ", ""), (risk.project.code, reverse("projects:project-detail", args=[risk.project.code]))]
        else:
            program_url = reverse("portfolio:program-detail", args=[risk.program.code])
            parts += [(" on program ", ""), (risk.program.code, program_url)]
        scored = f"score {risk.score}" if is_new else f"score {risk.score_before} → {risk.score}"
        parts.append((f" ({scored}).", ""))
        found.append(
            ((-risk.score, risk.program.code, risk.number), Sentence(parts=tuple(parts), kind="risk"), risk.program_id)
        )
    return found


def _signed(value: int) -> str:
    return f"+{value}" if value > 0 else f"\u2212{-value}"


def _change_request_sentences(project_ids: list[int], user, since: dt.date, until: dt.date):
    """Change requests of the projects approved within the period. One query."""
    if not project_ids:
        return []
    start, end = _day_start(since), _day_start(until + dt.timedelta(days=1))
    rows = (
        ChangeRequest.objects.visible_to(user)
        .filter(
            project_id__in=project_ids,
            status=ChangeRequest.Status.APPROVED,
            decided_at__gte=start,
            decided_at__lt=end,
        )
        .select_related("project")
        .order_by("-decided_at", "project__code", "number")
    )
    found = []
    for cr in rows:
        impacts = []
        if cr.cost_impact:
            impacts.append(f"{'+' if cr.cost_impact > 0 else ''}{_money(cr.cost_impact, cr.currency_id)}")
        if cr.schedule_impact_days:
            days = cr.schedule_impact_days
            impacts.append(f"{_signed(days)} day{'s' if abs(days) != 1 else ''}")
        if cr.rebaseline:
            impacts.append("re-baselined")
        day = timezone.localtime(cr.decided_at).date()
        code = cr.project.code
        parts = (
            ("Change request ", ""),
            (f"{cr.reference} “{cr.title}”", reverse("governance:change-request-detail", args=[code, cr.pk])),
            (" on ", ""),
            (code, reverse("projects:project-detail", args=[code])),
            (f" approved {_day(day)}" + (f" ({', '.join(impacts)})." if impacts else "."), ""),
        )
        newest_first = -cr.decided_at.timestamp()
        found.append(
            ((newest_first, code, cr.number), Sentence(parts=parts, kind="change_request"), cr.project.program_id)
        )
    return found


# --- Putting it together ---------------------------------------------------------------------


def _bounded(found: dict[str, list[Found]]) -> tuple[Sentence, ...]:
    """At most MAX_SENTENCES: the kinds take turns (worst first within each), then listed in
    KINDS order; the rest counted in a last "and N more changes" sentence."""
    ordered = {kind: [s for _, s, _ in sorted(found.get(kind, []), key=lambda row: row[0])] for kind in KINDS}
    total = sum(len(v) for v in ordered.values())
    taken = dict.fromkeys(KINDS, 0)
    picked = 0
    while picked < min(total, MAX_SENTENCES):
        for kind in KINDS:
            if picked < MAX_SENTENCES and taken[kind] < len(ordered[kind]):
                taken[kind] += 1
                picked += 1
    sentences = [s for kind in KINDS for s in ordered[kind][: taken[kind]]]
    if total > picked:
        rest = total - picked
        sentences.append(Sentence(parts=((f"And {rest} more change{'s' if rest != 1 else ''}.", ""),), kind=MORE_KIND))
    return tuple(sentences)


def _period(today: dt.date | None) -> tuple[dt.date, dt.date]:
    until = today or timezone.localdate()
    return until - dt.timedelta(days=PERIOD_DAYS), until


def _found(
    *, user, subjects: list[_Subject], projects: list[Project], risks: Q, since: dt.date, until: dt.date
) -> dict[str, list[Found]]:
    """Every sentence of every kind, unbounded, each with the program it belongs to."""
    found: dict[str, list[Found]] = {kind: [] for kind in KINDS}
    found["health"] = _health_sentences(subjects)
    found["rag"] = _rag_sentences(subjects)
    found["milestone"] = _finish_sentences(subjects) + _milestone_sentences(projects, since, until)
    found["cost"] = _cost_sentences(subjects)
    found["risk"] = _risk_sentences(risks, user, since, until)
    found["change_request"] = _change_request_sentences([p.pk for p in projects], user, since, until)
    return found


def _narrative(
    *, user, subjects: list[_Subject], projects: list[Project], risks: Q, since: dt.date, until: dt.date
) -> Narrative:
    found = _found(user=user, subjects=subjects, projects=projects, risks=risks, since=since, until=until)
    return Narrative(since=since, until=until, sentences=_bounded(found))


def _projects(queryset) -> list[Project]:
    return list(queryset.select_related("rollup", "program__portfolio").order_by("code"))


def project_narrative(*, user, project, today: dt.date | None = None) -> Narrative:
    """What changed on one project in the period. Five queries (nothing for a reader who does
    not see it)."""
    since, until = _period(today)
    projects = _projects(Project.objects.visible_to(user).filter(pk=project.pk))
    if not projects:
        return Narrative(since=since, until=until)
    subjects = _project_subjects(projects, since, named=False)
    return _narrative(
        user=user, subjects=subjects, projects=projects, risks=Q(project_id=project.pk), since=since, until=until
    )


def program_narrative(*, user, program, today: dt.date | None = None) -> Narrative:
    """What changed in a program in the period: the program's own roll-up (its figures only for
    its overseers), its open projects the reader sees, its program risks. Eight queries."""
    since, until = _period(today)
    programs = list(Program.objects.visible_to(user).filter(pk=program.pk).select_related("rollup", "portfolio"))
    if not programs:
        return Narrative(since=since, until=until)
    overseen = overseen_program_ids(user=user, programs=programs)
    projects = _projects(Project.objects.visible_to(user).filter(open_projects_q(), program_id=program.pk))
    subjects = _program_subjects(programs, overseen, since) + _project_subjects(projects, since)
    risks = Q(project_id__in=[p.pk for p in projects]) | Q(project__isnull=True, program_id=program.pk)
    return _narrative(user=user, subjects=subjects, projects=projects, risks=risks, since=since, until=until)


def program_narratives(*, user, programs, today: dt.date | None = None) -> dict[int, Narrative]:
    """program_narrative for many programs at once, by program id (the PDF board pack prints
    one per program): the same sentences, read in one pass. Eight queries whatever the number
    of programs; a program the reader does not see gets an empty narrative."""
    since, until = _period(today)
    ids = [getattr(p, "pk", p) for p in programs]
    empty = {pk: Narrative(since=since, until=until) for pk in ids}
    visible = list(Program.objects.visible_to(user).filter(pk__in=ids).select_related("rollup", "portfolio"))
    if not visible:
        return empty
    overseen = overseen_program_ids(user=user, programs=visible)
    program_ids = [p.pk for p in visible]
    projects = _projects(Project.objects.visible_to(user).filter(open_projects_q(), program_id__in=program_ids))
    subjects = _program_subjects(visible, overseen, since) + _project_subjects(projects, since)
    risks = Q(project_id__in=[p.pk for p in projects]) | Q(project__isnull=True, program_id__in=program_ids)
    found = _found(user=user, subjects=subjects, projects=projects, risks=risks, since=since, until=until)
    for pk in program_ids:
        mine = {kind: [row for row in rows if row[2] == pk] for kind, rows in found.items()}
        empty[pk] = Narrative(since=since, until=until, sentences=_bounded(mine))
    return empty


def portfolio_narrative(*, user, portfolio, today: dt.date | None = None) -> Narrative:
    """What changed in a portfolio in the period: its own roll-up (figures only for its
    overseers), its open programs and open projects the reader sees (a program's figures only
    for its overseers), their program risks. Eleven queries."""
    since, until = _period(today)
    overseen_portfolio = bool(overseen_portfolio_ids(user=user, portfolios=[portfolio]))
    programs = list(
        Program.objects.visible_to(user)
        .filter(portfolio_id=portfolio.pk, status__in=OPEN_PROGRAM_STATUSES)
        .select_related("rollup", "portfolio")
        .order_by("code")
    )
    overseen = overseen_program_ids(user=user, programs=programs)
    projects = _projects(Project.objects.visible_to(user).filter(open_projects_q(), program__portfolio_id=portfolio.pk))
    subjects = _program_subjects(programs, overseen, since) + _project_subjects(projects, since)
    if overseen_portfolio or programs:
        portfolio = Portfolio.objects.select_related("rollup").get(pk=portfolio.pk)
        subjects.insert(0, _portfolio_subject(portfolio, overseen_portfolio, since))
    program_ids = [p.pk for p in programs]
    risks = Q(project_id__in=[p.pk for p in projects]) | Q(project__isnull=True, program_id__in=program_ids)
    return _narrative(user=user, subjects=subjects, projects=projects, risks=risks, since=since, until=until)


OPEN_PROGRAM_STATUSES = (Program.Status.PROPOSED, Program.Status.ACTIVE, Program.Status.ON_HOLD)
