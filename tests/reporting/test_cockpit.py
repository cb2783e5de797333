"""The program cockpit (the program page's cards): cost/EVM tiles and S-curve from the roll-up and
snapshots, the schedule card's next milestones and cross-project critical path, the 12-week
health trend, money only for readers who see the program whole, every card linking to its page,
and a query count that does not grow with projects, milestones, critical tasks or snapshots."""

import datetime as dt
import itertools
import re
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from projects.models import Dependency
from projects.services.schedule import dependency_create, schedule_recompute, task_create
from reporting import charts
from reporting.cockpit import HEALTH_WEEKS, critical_path, next_milestones
from reporting.models import MetricSnapshot
from reporting.narrative import Narrative
from tests.factories.projects import ProjectFactory, TaskFactory
from tests.factories.reporting import program_figures, red_inside
from tests.factories.users import UserFactory
from tests.reporting.test_pages import count_queries

PROGRAM = reverse("portfolio:program-detail", args=["MOD"])
DAY = 480
EVM = {
    "bac": Decimal("1000000.00"),
    "eac": Decimal("1219512.20"),
    "vac": Decimal("-219512.20"),
    "ac": Decimal("420000.00"),
    "ev": Decimal("344400.00"),
    "cpi": Decimal("0.8200"),
    "spi": Decimal("0.9700"),
    "forecast_finish": dt.date(2027, 9, 30),
    "slip_working_days": 12,
    "critical_path_working_days": 180,
}


def figure(body: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}"[^>]*>(.*?)</dd>', body, re.S)
    assert match, f"no figure {name}"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def card(body: str, name: str) -> str:
    match = re.search(rf'<section[^>]*data-card="{name}".*?</section>', body, re.S)
    assert match, f"no card {name}"
    return match.group(0)


def milestone(project, name, due: dt.date, **fields):
    finish = timezone.make_aware(dt.datetime.combine(due, dt.time(17)), dt.UTC)
    return TaskFactory(project=project, name=name, is_milestone=True, duration_minutes=0, finish=finish, **fields)


def snapshots(program, weeks: int):
    """One snapshot a week, oldest first, ending this week: health red then green."""
    today = timezone.localdate()
    rows = []
    for i in range(weeks):
        day = today - dt.timedelta(weeks=weeks - 1 - i)
        rows.append(
            MetricSnapshot(
                program=program,
                day=day,
                pv=Decimal(10000 * (i + 1)),
                ev=Decimal(9000 * (i + 1)),
                ac=Decimal(11000 * (i + 1)),
                health_overall="red" if i < weeks - 2 else "green",
                reported_rag="amber",
            )
        )
    MetricSnapshot.objects.bulk_create(rows)


@pytest.mark.django_db
class TestCostCard:
    def test_tiles_show_the_roll_up_figures(self, client_for, owner, program, project):
        program_figures(program, **EVM)
        body = client_for(owner).get(PROGRAM).content.decode()
        assert figure(body, "bac") == "EUR\u00a01,000,000.00"
        assert figure(body, "eac") == "EUR\u00a01,219,512.20"
        assert figure(body, "vac") == "EUR\u00a0-219,512.20"
        assert figure(body, "cpi") == "0.82"
        assert figure(body, "spi") == "0.97"
        assert figure(body, "ac-ev") == "EUR\u00a0420,000.00 / EUR\u00a0344,400.00"

    def test_s_curve_draws_pv_ev_and_ac_from_the_snapshots(self, client_for, owner, program, project):
        program_figures(program, **EVM)
        snapshots(program, 20)
        response = client_for(owner).get(PROGRAM)
        cost = card(response.content.decode(), "cost")
        assert "chart-scurve" in cost
        for series in ("pv", "ev", "ac"):
            assert f'data-series="{series}"' in cost
        assert len(response.context["cockpit"].scurve_points) == 20
        # The text alternative names the latest figures; the data table lists every week.
        assert "latest PV 200k EUR, EV 180k EUR, AC 220k EUR" in cost
        assert cost.count('<th scope="row" class="nowrap">') == 20

    def test_reader_who_does_not_oversee_the_program_sees_no_money(self, client_for, member, program, project):
        program_figures(program, **EVM)
        snapshots(program, 4)
        red_inside(project)
        response = client_for(member).get(PROGRAM)
        body = response.content.decode()
        cost = card(body, "cost")
        assert "EUR" not in cost
        assert "chart-scurve" not in body
        assert response.context["cockpit"].scurve == ""
        assert response.context["cockpit"].scurve_points == []
        for name in ("bac", "eac", "vac", "ac-ev", "forecast-finish", "slip", "critical-path", "emv"):
            assert f'data-figure="{name}"' not in body
        assert "shown to people who see the whole program" in cost
        assert "1,000,000" not in body
        assert "1,219,512" not in body
        # The colours of the health trend are not money: they stay.
        assert "chart-health-weeks" in card(body, "health-trend")

    def test_empty_s_curve_says_so(self, client_for, owner, program, project):
        program_figures(program, **EVM)
        cost = card(client_for(owner).get(PROGRAM).content.decode(), "cost")
        assert "No earned value recorded yet." in cost


@pytest.mark.django_db
class TestScheduleCard:
    def test_shows_forecast_slip_and_critical_path_length_from_the_roll_up(self, client_for, owner, program, project):
        program_figures(program, **EVM)
        body = client_for(owner).get(PROGRAM).content.decode()
        assert figure(body, "forecast-finish") == "30 Sep 2027"
        assert figure(body, "slip") == "+12 wd"
        assert figure(body, "critical-path") == "180 wd"

    def test_next_milestones_are_the_five_earliest_open_ones_late_first(self, client_for, owner, program, project):
        today = timezone.localdate()
        other = ProjectFactory(program=program, code="MOD-CRM")
        milestone(project, "Far", today + dt.timedelta(days=200))
        milestone(other, "Overdue", today - dt.timedelta(days=3))
        milestone(project, "Soon", today + dt.timedelta(days=5))
        milestone(other, "Later", today + dt.timedelta(days=40))
        milestone(project, "Next month", today + dt.timedelta(days=30))
        milestone(other, "Sixth", today + dt.timedelta(days=300))
        milestone(project, "Done", today + dt.timedelta(days=1), actual_finish=timezone.now())
        milestone(project, "Complete", today + dt.timedelta(days=2), percent_complete=Decimal(100))
        TaskFactory(project=project, name="Not a milestone", finish=timezone.now() + dt.timedelta(days=1))
        response = client_for(owner).get(PROGRAM)
        shown = response.context["cockpit"].next_milestones
        assert [m.task.name for m in shown] == ["Overdue", "Soon", "Next month", "Later", "Far"]
        assert [m.late for m in shown] == [True, False, False, False, False]
        assert [m.project.code for m in shown] == ["MOD-CRM", "MOD-ERP", "MOD-ERP", "MOD-CRM", "MOD-ERP"]
        schedule = card(response.content.decode(), "schedule")
        items = re.findall(r"<li>(.*?)</li>", schedule.split('data-list="next-milestones"')[1].split("</ol>")[0], re.S)
        assert "late" in items[0]
        assert "Overdue" in items[0]
        assert "late" not in items[1]
        assert reverse("projects:schedule", args=["MOD-CRM"]) in items[0]

    def test_next_milestones_leave_out_projects_the_reader_cannot_see(self, client_for, member, program, project):
        hidden = ProjectFactory(program=program, code="MOD-HID")
        milestone(hidden, "Secret", timezone.localdate() + dt.timedelta(days=1))
        milestone(project, "Visible", timezone.localdate() + dt.timedelta(days=9))
        response = client_for(member).get(PROGRAM)
        assert [m.task.name for m in response.context["cockpit"].next_milestones] == ["Visible"]
        assert "Secret" not in response.content.decode()

    def test_critical_path_follows_the_cross_project_links(self, client_for, owner, program, project):
        project.planned_start = dt.date(2026, 3, 2)
        project.save()
        crm = ProjectFactory(program=program, code="MOD-CRM", name="CRM", planned_start=dt.date(2026, 3, 2))
        build = task_create(actor=owner, project=project, name="Build", duration_minutes=5 * DAY)
        live = task_create(actor=owner, project=project, name="Go-live", duration_minutes=0, is_milestone=True)
        task_create(actor=owner, project=project, name="Side work", duration_minutes=DAY)
        cutover = task_create(actor=owner, project=crm, name="Cut-over", duration_minutes=2 * DAY)
        crm_live = task_create(actor=owner, project=crm, name="CRM live", duration_minutes=0, is_milestone=True)
        dependency_create(actor=owner, predecessor=build, successor=live)
        dependency_create(actor=owner, predecessor=cutover, successor=crm_live)
        dependency_create(actor=owner, predecessor=live, successor=cutover)
        schedule_recompute(project=project)

        response = client_for(owner).get(PROGRAM)
        path = response.context["cockpit"].critical_path
        assert [t.name for t in path.tasks] == ["Build", "Go-live", "Cut-over", "CRM live"]
        assert [(s.project.code, s.tasks) for s in path.segments] == [("MOD-ERP", 2), ("MOD-CRM", 2)]
        assert path.crosses_projects
        schedule = card(response.content.decode(), "schedule")
        assert "4 tasks across 2 projects" in schedule
        assert "Side work" not in schedule
        assert reverse("portfolio:program-timeline", args=["MOD"]) in schedule

    def test_a_long_critical_path_shows_its_head_and_tail(self, program, project):
        start = timezone.now()
        tasks = [
            TaskFactory(
                project=project,
                name=f"Step {i}",
                is_critical=True,
                early_start=start + dt.timedelta(days=i),
                early_finish=start + dt.timedelta(days=i + 1),
            )
            for i in range(20)
        ]
        Dependency.objects.bulk_create(Dependency(predecessor=a, successor=b) for a, b in itertools.pairwise(tasks))
        path = critical_path(projects=[project], shown=6)
        assert len(path.tasks) == 20
        assert [t.name for t in path.shown_head] == ["Step 0", "Step 1", "Step 2"]
        assert [t.name for t in path.shown_tail] == ["Step 17", "Step 18", "Step 19"]
        assert path.hidden == 14
        # One task over the limit is listed rather than replaced by "… 1 more task …".
        nearly_all = critical_path(projects=[project], shown=19)
        assert len(nearly_all.shown_head) == 20
        assert nearly_all.shown_tail == ()
        assert nearly_all.hidden == 0

    def test_no_projects_means_no_milestones_and_no_path(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert next_milestones(projects=[]) == []
            assert critical_path(projects=[]).tasks == ()


@pytest.mark.django_db
class TestHealthTrendCard:
    def test_shows_computed_and_reported_health_of_the_last_twelve_weeks(self, client_for, owner, program, project):
        program_figures(program, **EVM)
        snapshots(program, 15)
        response = client_for(owner).get(PROGRAM)
        weeks = response.context["cockpit"].health_weeks
        assert len(weeks) == HEALTH_WEEKS
        assert weeks[-1].day == timezone.localdate()
        assert [w.computed for w in weeks[-3:]] == ["red", "green", "green"]
        assert {w.reported for w in weeks} == {"amber"}
        trend = card(response.content.decode(), "health-trend")
        assert trend.count('class="health-cell health-') == 2 * HEALTH_WEEKS
        assert "latest computed green, reported amber" in trend

    def test_without_snapshots_the_card_says_so(self, client_for, owner, program, project):
        trend = card(client_for(owner).get(PROGRAM).content.decode(), "health-trend")
        assert "No weekly snapshots yet." in trend


@pytest.mark.django_db
class TestLinks:
    @pytest.mark.parametrize(
        ("name", "href"),
        [
            ("cost", reverse("budgets:program-costs", args=["MOD"])),
            ("schedule", reverse("portfolio:program-timeline", args=["MOD"])),
            ("health-trend", reverse("reporting:program-trends", args=["MOD"])),
            ("risk", reverse("risks:program-register", args=["MOD"])),
            ("staffing", reverse("staffing:program-staffing", args=["MOD"])),
            ("governance", reverse("governance:program-governance", args=["MOD"])),
        ],
    )
    def test_every_card_title_links_to_its_page(self, client_for, owner, program, project, name, href):
        program_figures(program, **EVM)
        section = card(client_for(owner).get(PROGRAM).content.decode(), name)
        assert re.search(rf'<h2 id="[^"]+"><a href="{re.escape(href)}">', section)

    @pytest.mark.parametrize(
        ("url_name", "label"),
        [("reporting:program-report-pdf", "PDF report"), ("reporting:program-calendar", "Calendar feed")],
    )
    def test_report_and_calendar_links_appear_when_their_pages_exist(
        self, client_for, owner, program, project, url_name, label
    ):
        body = client_for(owner).get(PROGRAM).content.decode()
        try:
            href = reverse(url_name, args=["MOD"])
        except NoReverseMatch:  # built in another branch of issue 11: no dead link meanwhile
            assert label not in body
        else:
            assert f'href="{href}"' in body
            assert label in body

    def test_shows_the_program_narrative(self, client_for, owner, program, project):
        response = client_for(owner).get(PROGRAM)
        assert isinstance(response.context["narrative"], Narrative)
        assert 'id="narrative-title"' in response.content.decode()


@pytest.mark.django_db
def test_query_count_does_not_grow_with_projects_milestones_critical_tasks_or_snapshots(client_for, owner, program):
    today = timezone.localdate()
    made = {"weeks": 0}

    def add(n):
        previous = None
        for i in range(n):
            project = ProjectFactory(program=program, manager=UserFactory())
            red_inside(project)
            milestone(project, f"M{i}", today + dt.timedelta(days=i + 1))
            milestone(project, f"Late {i}", today - dt.timedelta(days=i + 1))
            task = TaskFactory(
                project=project,
                is_critical=True,
                early_start=timezone.now(),
                early_finish=timezone.now() + dt.timedelta(days=i),
            )
            if previous is not None:
                Dependency.objects.create(predecessor=previous, successor=task)
            previous = task
        MetricSnapshot.objects.bulk_create(
            MetricSnapshot(program=program, day=today - dt.timedelta(weeks=made["weeks"] + w), pv=Decimal(w))
            for w in range(n * 3)
        )
        made["weeks"] += n * 3

    program_figures(program, **EVM)
    client = client_for(owner)
    add(2)
    small, _ = count_queries(client, PROGRAM)
    add(8)
    large, response = count_queries(client, PROGRAM)
    assert len(response.context["projects"]) == 10
    assert len(response.context["cockpit"].critical_path.tasks) > 1
    assert small == large


def test_s_curve_and_health_strip_have_text_alternatives():
    day = dt.date(2026, 1, 5)
    svg = charts.scurve_thumbnail(
        [(day, Decimal(100), Decimal(90), None), (day + dt.timedelta(days=7), Decimal(200), None, Decimal(210))],
        title="EV <of> X",
    )
    assert 'role="img"' in svg
    assert "<title>EV &lt;of&gt; X</title>" in svg
    assert "latest PV 200, EV 90, AC 210" in svg
    strip = charts.health_weeks_strip([(day, "red", ""), (day + dt.timedelta(days=7), "", "green")], title="H")
    assert "latest computed no data, reported green" in strip
    assert strip.count("<rect") == 4
