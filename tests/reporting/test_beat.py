"""The one beat schedule: every entry runs a task the worker knows, on a crontab."""

from celery.schedules import crontab

from config.celery import app


def _registered() -> set[str]:
    app.loader.import_default_modules()  # autodiscover every app's tasks module, as a worker does
    return set(app.tasks)


def test_every_beat_entry_names_a_registered_task():
    registered = _registered()
    unknown = {name: entry["task"] for name, entry in app.conf.beat_schedule.items() if entry["task"] not in registered}
    assert unknown == {}


def test_every_beat_entry_runs_on_a_crontab():
    assert app.conf.beat_schedule
    assert all(isinstance(entry["schedule"], crontab) for entry in app.conf.beat_schedule.values())


def test_the_issue_s_periodic_jobs_are_scheduled():
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "reporting.rollups_sweep",
        "reporting.snapshots_take",
        "reporting.alerts_evaluate",
        "reporting.status_reminders",
        "core.notifications_digest",
    } <= tasks
