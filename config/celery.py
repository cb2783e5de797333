"""The Celery app. Tasks are triggers; the database holds the truth (docs/architecture.md, Roll-ups)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("keel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every periodic job lives here, one entry each with a comment saying why it exists.
app.conf.beat_schedule = {}
