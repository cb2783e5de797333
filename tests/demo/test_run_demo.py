"""`make run` (bin/run-demo) prints the demo logins once, and seed_demo can leave them out."""

import io
import os
import stat
import subprocess
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.management import call_command

from demo.logins import demo_logins_table
from demo.management.commands import seed_demo

BASE_DIR = Path(settings.BASE_DIR)
HEADING = "Demo logins (password for all:"

# Stands in for the project's python: records each command line, prints what the real commands
# print about logins (seed_demo prints the table after seeding unless --no-logins), and exits at
# once for runserver, so the script runs to its end in a moment.
FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$CALLS"
case "$*" in
  *"seed_demo --show-logins"*) echo "Demo logins (password for all: keel-demo)";;
  *seed_demo*--no-logins*) echo "Seeded.";;
  *seed_demo*) echo "Seeded."; echo "Demo logins (password for all: keel-demo)";;
  *env_bool*) echo 1;;
esac
exit 0
"""


def test_run_demo_prints_the_logins_once_when_it_seeds(tmp_path):
    fake = tmp_path / "python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {"PATH": os.environ["PATH"], "KEEL_DATA_DIR": str(tmp_path / "data"), "CALLS": str(tmp_path / "calls")}
    result = subprocess.run(  # noqa: S603 - fixed command line
        [str(BASE_DIR / "bin" / "run-demo"), str(fake)], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.count(HEADING) == 1, result.stdout
    calls = (tmp_path / "calls").read_text()
    assert "seed_demo --scale small --seed 1 --if-empty --no-logins" in calls
    assert "runserver" in calls


def test_seed_demo_no_logins_leaves_the_table_out(monkeypatch):
    result = SimpleNamespace(counts={"portfolios": 1}, seconds=0.1)
    monkeypatch.setattr(seed_demo, "demo_seed", lambda **kwargs: result)
    monkeypatch.setattr(seed_demo, "demo_data_present", lambda: None)
    quiet, loud = io.StringIO(), io.StringIO()
    call_command("seed_demo", "--no-logins", "--no-progress", stdout=quiet)
    call_command("seed_demo", "--no-progress", stdout=loud)
    assert HEADING not in quiet.getvalue()
    assert "Seeded in" in quiet.getvalue()
    assert loud.getvalue().count(HEADING) == 1
    assert demo_logins_table() in loud.getvalue()
