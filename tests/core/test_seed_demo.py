"""seed_demo: deterministic, a login for every role, and never silently on top of data."""

from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from core.demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from core.demo.seed import demo_seed
from portfolio.models import Membership, Portfolio, Program
from projects.models import Project, StatusReport

TODAY = date(2026, 11, 26)

pytestmark = pytest.mark.django_db


def snapshot() -> dict[str, list]:
    """What must not change between two seeds with the same number."""
    return {
        "portfolios": list(Portfolio.objects.order_by("code").values_list("code", "name")),
        "programs": list(Program.objects.order_by("code").values_list("code", "name", "manager__username")),
        "projects": list(
            Project.objects.order_by("code").values_list("code", "name", "manager__username", "planned_start")
        ),
        "reports": list(
            StatusReport.objects.order_by("project__code", "period_end").values_list(
                "project__code", "period_end", "overall_rag", "percent_complete"
            )
        ),
        "users": sorted(get_user_model().objects.values_list("username", flat=True)),
    }


def test_same_seed_builds_the_same_demo_and_another_seed_a_different_one():
    demo_seed(scale="small", seed=1, today=TODAY)
    first = snapshot()
    demo_seed(scale="small", seed=1, today=TODAY, reset=True)
    again = snapshot()
    demo_seed(scale="small", seed=2, today=TODAY, reset=True)
    other = snapshot()

    assert first == again
    assert first["projects"] != other["projects"]
    assert len(first["programs"]) == 2
    assert len(first["projects"]) == 8


def test_small_seed_creates_a_login_for_every_role():
    call_command("seed_demo", "--scale", "small", "--seed", "1", "--no-progress", stdout=StringIO())
    users = get_user_model().objects.in_bulk([login.username for login in DEMO_LOGINS], field_name="username")

    assert set(users) == {login.username for login in DEMO_LOGINS}
    admin = users["admin"]
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password(DEMO_PASSWORD)
    for login in DEMO_LOGINS:
        user = users[login.username]
        assert user.password == admin.password, f"{login.username} does not share the demo password"
        if login.role is not None:
            assert Membership.objects.filter(user=user, role=login.role).exists(), login.username
            assert not user.is_superuser


def test_demo_logins_reach_what_their_role_allows():
    demo_seed(scale="small", seed=1, today=TODAY)
    users = get_user_model().objects.in_bulk([login.username for login in DEMO_LOGINS], field_name="username")

    assert Program.objects.editable_by(users["program_manager"]).count() == 1
    assert Project.objects.editable_by(users["project_manager"]).count() == 2
    assert Project.objects.visible_to(users["team_member"]).count() == 2
    assert not Project.objects.editable_by(users["team_member"]).exists()
    assert Project.objects.visible_to(users["executive"]).count() == Project.objects.count()
    assert not Project.objects.editable_by(users["executive"]).exists()
    assert Portfolio.objects.editable_by(users["portfolio_admin"]).count() == Portfolio.objects.count()


def test_every_reported_project_points_at_its_newest_report():
    demo_seed(scale="small", seed=1, today=TODAY)

    reported = Project.objects.filter(status_reports__isnull=False).distinct()
    assert reported.exists()
    for project in reported.select_related("latest_status_report"):
        newest = project.status_reports.order_by("-period_end").first()
        assert project.latest_status_report == newest
    assert set(StatusReport.objects.values_list("overall_rag", flat=True)) == {"green", "amber", "red"}


def test_seeding_again_without_reset_is_refused_and_changes_nothing():
    call_command("seed_demo", "--scale", "small", "--seed", "1", "--no-progress", stdout=StringIO())
    before = snapshot()

    with pytest.raises(CommandError, match="already exists"):
        call_command("seed_demo", "--scale", "small", "--seed", "2", "--no-progress", stdout=StringIO())

    assert snapshot() == before


def test_if_empty_skips_when_data_exists(capsys):
    call_command("seed_demo", "--scale", "small", "--seed", "1", "--no-progress")
    before = snapshot()

    call_command("seed_demo", "--scale", "small", "--seed", "2", "--if-empty")

    assert "not seeding" in capsys.readouterr().out
    assert snapshot() == before


def test_reset_replaces_the_demo():
    call_command("seed_demo", "--scale", "small", "--seed", "2", "--no-progress", stdout=StringIO())
    old = snapshot()

    call_command("seed_demo", "--scale", "small", "--seed", "1", "--reset", "--no-progress", stdout=StringIO())

    new = snapshot()
    assert new["programs"] != old["programs"]
    assert len(new["projects"]) == 8
    assert get_user_model().objects.filter(username="admin").count() == 1
