"""A Celery worker whose project roll-up computation first sleeps KEEL_TEST_FIGURES_DELAY
seconds, so a fault test can SIGKILL it in the middle of a recompute (inside its transaction,
holding the roll-up row's lock). The delay lives here, in the tests, not in Keel's code.

    python -m tests.reporting.slow_worker [celery worker options]
"""

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from config.celery import app  # noqa: E402
from reporting.services import rollups  # noqa: E402

DELAY = float(os.environ.get("KEEL_TEST_FIGURES_DELAY", "3"))
_figures = rollups.project_figures


def _slow_project_figures(*args, **kwargs):
    time.sleep(DELAY)
    return _figures(*args, **kwargs)


rollups.project_figures = _slow_project_figures

if __name__ == "__main__":
    # Prefork children are forked from this process, so they inherit the slow computation.
    app.worker_main(["worker", *sys.argv[1:]])
