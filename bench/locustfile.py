"""The simulated users of the load test (run by bench/load.py, which starts gunicorn, writes the
plan and reads the results; see bench/README.md).

The plan (JSON, path in KEEL_LOAD_PLAN) gives each demo login a signed-in session cookie — so
the load measures pages and API calls, not password hashing — and the codes and ids to visit.
Each simulated user takes one login, in turn, and a weighted mix of tasks: pages (home,
program, project, schedule, risk register, board), API reads (lists and details) and API writes
(a task's progress, an actual cost). Request names group URLs by kind, e.g. "page: program".
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading

from locust import HttpUser, between, task

PLAN = json.loads(open(os.environ["KEEL_LOAD_PLAN"]).read())  # noqa: SIM115 - read once at import
_next_login = itertools.cycle(PLAN["logins"])
_lock = threading.Lock()


class KeelUser(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self):
        with _lock:
            self.login = next(_next_login)
        self.client.cookies.set(PLAN["session_cookie"], PLAN["sessions"][self.login])
        self.csrf = PLAN["csrf"]
        self.client.cookies.set("csrftoken", self.csrf)
        self.rng = random.Random(hash(self.login) ^ id(self))
        self.mine = PLAN["per_login"][self.login]  # what this login sees

    # -- pages -----------------------------------------------------------------------------------

    @task(4)
    def home(self):
        self.client.get("/", name="page: home")

    @task(3)
    def program_page(self):
        if self.mine["program"]:
            self.client.get(f"/programs/{self.mine['program']}/", name="page: program")

    @task(3)
    def project_page(self):
        if self.mine["projects"]:
            self.client.get(f"/projects/{self.rng.choice(self.mine['projects'])}/", name="page: project")

    @task(2)
    def schedule_page(self):
        if self.mine["projects"]:
            self.client.get(f"/projects/{self.rng.choice(self.mine['projects'])}/schedule/", name="page: schedule")

    @task(1)
    def risk_register(self):
        if self.mine["program"]:
            self.client.get(f"/programs/{self.mine['program']}/risks/", name="page: risk register")

    # -- API reads -------------------------------------------------------------------------------

    @task(3)
    def api_lists(self):
        resource = self.rng.choice(PLAN["api_lists"])
        self.client.get(f"/api/v1/{resource}/", name=f"api list: {resource}")

    @task(2)
    def api_task_detail(self):
        if self.mine["tasks"]:
            self.client.get(f"/api/v1/tasks/{self.rng.choice(self.mine['tasks'])}/", name="api read: task")

    @task(1)
    def api_project_tasks(self):
        if self.mine["project_ids"]:
            project_id = self.rng.choice(self.mine["project_ids"])
            self.client.get(f"/api/v1/tasks/?project={project_id}&page_size=100", name="api list: tasks of a project")

    # -- API writes (the project manager's project) ----------------------------------------------

    @task(1)
    def api_task_progress(self):
        headers = {"X-CSRFToken": self.csrf, "Referer": PLAN["host"]}
        body = {"percent_complete": str(self.rng.randrange(0, 101))}
        self.client.patch(
            f"/api/v1/tasks/{self.rng.choice(PLAN['write_tasks'])}/",
            json=body,
            headers=headers,
            name="api write: task progress",
            cookies={PLAN["session_cookie"]: PLAN["sessions"][PLAN["writer"]]},
        )

    @task(1)
    def api_cost_entry(self):
        headers = {"X-CSRFToken": self.csrf, "Referer": PLAN["host"]}
        body = {
            "project": PLAN["write_project"],
            "category": PLAN["category"],
            "date": PLAN["date"],
            "amount": f"{self.rng.randrange(1, 100000) / 100:.2f}",
            "source": "manual",
            "description": "load test",
        }
        self.client.post(
            "/api/v1/cost-entries/",
            json=body,
            headers=headers,
            name="api write: cost entry",
            cookies={PLAN["session_cookie"]: PLAN["sessions"][PLAN["writer"]]},
        )
