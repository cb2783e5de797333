"""The Celery app. Tasks are triggers; the database holds the truth (docs/architecture.md, Roll-ups)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("keel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job lives here, one entry each with a comment saying why it exists.
# Times are in CELERY_TIMEZONE (settings.TIME_ZONE).
app.conf.beat_schedule = {
    # Safety net for the change hook: re-enqueue every roll-up whose input version moved on
    # without a recompute (a broker outage, a worker killed mid-task). Cheap when nothing is stale.
    "rollups-sweep": {"task": "reporting.rollups_sweep", "schedule": crontab(minute="*/5")},
    # The trend charts' daily point: a MetricSnapshot per project, program and portfolio, after
    # the day's edits and before anyone reads the charts in the morning.
    "snapshots-nightly": {"task": "reporting.snapshots_take", "schedule": crontab(hour=1, minute=30)},
    # Threshold alerts every 15 minutes rather than after each recompute: one pass over the
    # roll-up rows costs a few queries, a burst of recomputes does not turn into a burst of
    # evaluations, and an alert is at most a sweep plus 15 minutes behind the edit.
    "alerts-evaluate": {"task": "reporting.alerts_evaluate", "schedule": crontab(minute="*/15")},
    # Status reports due (the last days of the month) and overdue (last month's missing), once a
    # morning so the reminder is in the inbox at the start of the working day.
    "status-report-reminders": {"task": "reporting.status_reminders", "schedule": crontab(hour=7, minute=0)},
    # Retry immediate e-mails a failed send left behind (a send is otherwise done right after
    # the notification is created).
    "notifications-send": {"task": "core.notifications_send", "schedule": crontab(minute="*/10")},
    # The daily digest for users who asked for one e-mail a day instead of one per notification,
    # after the 07:00 reminders so those are in it.
    "notifications-digest": {"task": "core.notifications_digest", "schedule": crontab(hour=7, minute=30)},
    # Uploaded import files nobody started (and files of finished imports) older than
    # KEEL_IMPORT_ABANDONED_HOURS: deleted hourly so abandoned uploads cannot fill the disk.
    "imports-prune": {"task": "budgets.imports_prune", "schedule": crontab(minute=17)},
    # Quantitative risk analysis of every active project with uncertainty inputs, after the
    # snapshots, so the risk pages show a P50/P80 trend even when nobody presses "Run".
    "risk-analyses-nightly": {"task": "risks.nightly_analyses", "schedule": crontab(hour=2, minute=15)},
    # Task-run records are for seeing what ran lately; delete those older than KEEL_TASKRUN_KEEP_DAYS
    # so the table stays small.
    # Webhook deliveries whose next attempt is overdue (the message was lost with a broker
    # outage or a killed worker) are sent again; retries themselves are scheduled by the task.
    "webhooks-sweep": {"task": "integrations.deliveries_sweep", "schedule": crontab(minute="*/5")},
    "taskruns-prune": {"task": "core.taskruns_prune", "schedule": crontab(hour=3, minute=30)},
    # Answers of bulk API requests kept for Idempotency-Key replay: deleted hourly once past
    # KEEL_IDEMPOTENCY_HOURS (a key that old applies afresh anyway; this keeps the table small).
    "idempotency-prune": {"task": "core.idempotency_prune", "schedule": crontab(minute=41)},
}
