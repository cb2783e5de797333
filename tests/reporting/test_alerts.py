"""Threshold alerts fire once per transition, to the project's and program's managers, as their
preferences say; status report reminders; the daily digest."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import Notification, NotificationPreference
from core.notifications import notifications_send_digest
from projects.models import Baseline, BaselineTask
from reporting.models import HealthPolicy, ProjectRollup
from reporting.services.alerts import alerts_evaluate, period_end_of, status_reminders_evaluate
from tests.factories.projects import ProjectFactory, StatusReportFactory, TaskFactory
from tests.factories.reporting import ProjectRollupFactory
from tests.factories.risks import RiskFactory

Kind = Notification.Kind
pytestmark = pytest.mark.django_db


@pytest.fixture
def managed(project, project_manager, owner):
    """`project` managed by `project_manager`, in `owner`'s program."""
    project.manager = project_manager
    project.save(update_fields=["manager"])
    return project


def _rollup(project, **figures) -> ProjectRollup:
    return ProjectRollupFactory(project=project, **figures)


def _set(rollup, **figures):
    ProjectRollup.objects.filter(pk=rollup.pk).update(**figures)


def _kinds(user):
    return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))


def test_cpi_below_threshold_notifies_project_and_program_managers_once(
    managed, project_manager, owner, member, executive, mailoutbox
):
    _rollup(managed, cpi=Decimal("0.8500"))

    first = alerts_evaluate()
    second = alerts_evaluate()

    assert first["raised"] == 2
    assert second["raised"] == 0
    assert _kinds(project_manager) == [Kind.CPI_BELOW]
    assert _kinds(owner) == [Kind.CPI_BELOW]
    assert _kinds(member) == []
    assert _kinds(executive) == []
    notification = Notification.objects.get(user=project_manager)
    assert notification.title == "CPI 0.85 at or below 0.90 on MOD-ERP ERP replacement"
    assert notification.url == "/projects/MOD-ERP/"
    # One immediate e-mail each, never repeated.
    assert sorted(m.to[0] for m in mailoutbox) == sorted([project_manager.email, owner.email])


def test_alert_fires_again_only_after_the_condition_cleared(managed, project_manager):
    rollup = _rollup(managed, cpi=Decimal("0.8000"))
    alerts_evaluate()
    _set(rollup, cpi=Decimal("0.8100"))  # still below: no new alert
    alerts_evaluate()
    assert Notification.objects.filter(user=project_manager).count() == 1

    _set(rollup, cpi=Decimal("1.0100"))  # recovered: the open alert is cleared
    result = alerts_evaluate()
    assert result["cleared"] == 2
    assert Notification.objects.get(user=project_manager).cleared_at is not None

    _set(rollup, cpi=Decimal("0.7000"))  # turned again: a new alert
    alerts_evaluate()
    assert Notification.objects.filter(user=project_manager, kind=Kind.CPI_BELOW).count() == 2


def test_thresholds_come_from_the_portfolio_s_health_policy(managed, portfolio, project_manager):
    HealthPolicy.objects.create(portfolio=portfolio, cpi_amber=Decimal("0.80"), cpi_red=Decimal("0.75"))
    _rollup(managed, cpi=Decimal("0.8500"), spi=Decimal("0.9000"))

    alerts_evaluate()

    assert _kinds(project_manager) == [Kind.SPI_BELOW]  # SPI uses the default 0.90


def test_health_turning_red_fires_once_per_transition(managed, project_manager):
    rollup = _rollup(managed, health_overall="red", health_reasons={"cost": "CPI 0.82 < 0.90"})
    alerts_evaluate()
    alerts_evaluate()
    _set(rollup, health_overall="amber")
    alerts_evaluate()
    _set(rollup, health_overall="red")
    alerts_evaluate()

    rows = Notification.objects.filter(user=project_manager, kind=Kind.HEALTH_RED).order_by("id")
    assert rows.count() == 2
    assert rows[0].body == "cost: CPI 0.82 < 0.90"
    assert rows[0].cleared_at is not None
    assert rows[1].cleared_at is None


def test_exposure_above_reserve_and_overallocation(managed, project_manager):
    _rollup(
        managed,
        exposure_uncovered=Decimal("25000.00"),
        reserve_remaining=Decimal("5000.00"),
        people_overallocated=3,  # the default amber count
    )

    alerts_evaluate()

    assert _kinds(project_manager) == [Kind.EXPOSURE_ABOVE_RESERVE, Kind.OVERALLOCATION]
    assert "25000.00" in Notification.objects.get(user=project_manager, kind=Kind.EXPOSURE_ABOVE_RESERVE).body


def test_roll_up_not_computed_yet_raises_nothing(managed, project_manager):
    _rollup(managed, cpi=Decimal("0.5000"), computed_at=None)

    assert alerts_evaluate()["raised"] == 0


def test_slipped_milestone_alerts_once(managed, project_manager):
    base = timezone.make_aware(dt.datetime(2026, 6, 1, 17))
    milestone = TaskFactory(project=managed, name="Go-live", is_milestone=True, duration_minutes=0)
    on_time = TaskFactory(project=managed, name="Kick-off", is_milestone=True, duration_minutes=0)
    baseline = Baseline.objects.create(project=managed, number=0)
    BaselineTask.objects.create(baseline=baseline, task=milestone, finish=base)
    BaselineTask.objects.create(baseline=baseline, task=on_time, finish=base)
    type(milestone).objects.filter(pk=milestone.pk).update(finish=base + dt.timedelta(days=9))
    type(on_time).objects.filter(pk=on_time.pk).update(finish=base + dt.timedelta(hours=1))  # same day

    alerts_evaluate()
    alerts_evaluate()

    alert = Notification.objects.get(user=project_manager)
    assert alert.kind == Kind.MILESTONE_SLIPPED
    assert alert.title == "Milestone “Go-live” of MOD-ERP ERP replacement slipped to 10 Jun 2026"
    assert "9 days later" in alert.body


def test_project_risk_turning_critical_alerts_project_and_program_managers(managed, project_manager, owner):
    risk = RiskFactory(project=managed, probability=4, impact=4)  # 16: high
    alerts_evaluate()
    assert _kinds(project_manager) == []

    type(risk).objects.filter(pk=risk.pk).update(impact=5)  # 20: critical
    alerts_evaluate()
    alerts_evaluate()

    assert _kinds(project_manager) == [Kind.RISK_CRITICAL]
    assert _kinds(owner) == [Kind.RISK_CRITICAL]


def test_program_risk_turning_critical_alerts_program_managers_only(managed, program, project_manager, owner):
    RiskFactory(program=program, probability=5, impact=5)

    alerts_evaluate()

    assert _kinds(owner) == [Kind.RISK_CRITICAL]
    assert _kinds(project_manager) == []


# --- preferences and e-mail ----------------------------------------------------------------------


def test_preferences_decide_bell_and_e_mail(managed, project_manager, owner, mailoutbox):
    NotificationPreference.objects.create(user=project_manager, kind=Kind.HEALTH_RED, in_app=False, email=True)
    NotificationPreference.objects.create(user=owner, kind=Kind.HEALTH_RED, in_app=True, email=False)
    _rollup(managed, health_overall="red")

    alerts_evaluate()

    pm_row = Notification.objects.get(user=project_manager)
    owner_row = Notification.objects.get(user=owner)
    assert not pm_row.in_app
    assert pm_row.email_mode == "immediate"
    assert pm_row.emailed_at is not None
    assert owner_row.in_app
    assert owner_row.email_mode == "none"
    assert [m.to for m in mailoutbox] == [[project_manager.email]]
    assert "turned red" in mailoutbox[0].subject


def test_digest_gathers_a_day_s_notifications_in_one_e_mail(managed, project_manager, owner, mailoutbox):
    for kind in (Kind.CPI_BELOW, Kind.HEALTH_RED):
        NotificationPreference.objects.create(user=project_manager, kind=kind, digest=True)
    _rollup(managed, cpi=Decimal("0.5000"), health_overall="red")

    alerts_evaluate()
    immediate = [m.to[0] for m in mailoutbox]
    sent = notifications_send_digest()
    again = notifications_send_digest()

    # The program manager (no digest) had two e-mails at once; the project manager none until
    # the digest, then exactly one listing both.
    assert immediate == [owner.email, owner.email]
    assert (sent, again) == (1, 0)
    digest = mailoutbox[-1]
    assert digest.to == [project_manager.email]
    assert digest.subject == "Keel: 2 notification(s) today"
    assert "CPI 0.50" in digest.body
    assert "turned red" in digest.body
    assert not Notification.objects.filter(user=project_manager, emailed_at__isnull=True).exists()


# --- status report reminders -------------------------------------------------------------------


def test_period_end_is_the_month_s_last_day():
    assert period_end_of(dt.date(2026, 2, 10)) == dt.date(2026, 2, 28)
    assert period_end_of(dt.date(2026, 12, 31)) == dt.date(2026, 12, 31)


def test_report_due_in_the_last_days_of_the_period_once(managed, project_manager, mailoutbox):
    StatusReportFactory(project=managed, period_end=dt.date(2026, 10, 31))  # last month's is in

    early = status_reminders_evaluate(today=dt.date(2026, 11, 20))
    due = status_reminders_evaluate(today=dt.date(2026, 11, 26))
    again = status_reminders_evaluate(today=dt.date(2026, 11, 27))

    assert (early["raised"], due["raised"], again["raised"]) == (0, 1, 0)
    reminder = Notification.objects.get(user=project_manager)
    assert reminder.kind == Kind.STATUS_REPORT_DUE
    assert reminder.title == "Status report of MOD-ERP ERP replacement for November 2026 is due by 30 Nov"
    assert reminder.url == "/projects/MOD-ERP/status/new/"
    assert len(mailoutbox) == 1


def test_report_overdue_after_its_period_ended(managed, project_manager):
    status_reminders_evaluate(today=dt.date(2026, 12, 2))

    reminder = Notification.objects.get(user=project_manager)
    assert reminder.kind == Kind.STATUS_REPORT_OVERDUE
    assert "November 2026 is overdue" in reminder.title


def test_no_reminder_when_the_report_is_in_or_the_project_is_not_running(managed, project_manager, program):
    StatusReportFactory(project=managed, period_end=dt.date(2026, 11, 30))
    StatusReportFactory(project=managed, period_end=dt.date(2026, 10, 31))
    status_reminders_evaluate(today=dt.date(2026, 11, 28))
    assert not Notification.objects.exists()

    managed.status = managed.Status.ON_HOLD
    managed.save(update_fields=["status"])
    status_reminders_evaluate(today=dt.date(2026, 12, 30))
    assert not Notification.objects.exists()


def test_project_planned_to_start_later_is_not_asked_for_earlier_reports(managed, project_manager):
    managed.planned_start = dt.date(2026, 12, 1)
    managed.save(update_fields=["planned_start"])

    status_reminders_evaluate(today=dt.date(2026, 12, 2))

    assert not Notification.objects.exists()


def test_evaluation_queries_do_not_grow_with_projects(program, owner):
    def evaluate():
        with CaptureQueriesContext(connection) as captured:
            alerts_evaluate()
        return len(captured)

    _rollup(ProjectFactory(program=program), cpi=Decimal("1.0000"))
    few = evaluate()
    for _ in range(5):
        _rollup(ProjectFactory(program=program), cpi=Decimal("1.0000"))

    assert evaluate() == few


def test_user_without_an_address_gets_the_alert_in_app_only(managed, project_manager, owner, mailoutbox):
    type(owner).objects.filter(pk=owner.pk).update(email="")
    _rollup(managed, health_overall="red")

    alerts_evaluate()

    assert Notification.objects.get(user=owner).email_mode == "none"
    assert [m.to for m in mailoutbox] == [[project_manager.email]]
