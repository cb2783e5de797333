"""The whole-site crawl: every demo role walks every page it can reach on the small demo.

One test, one seeded demo (in the test's transaction, rolled back at the end, so nothing leaks
into other tests), with XSS payloads planted in the names and titles pages show everywhere.
For each demo login it follows every same-site link from the home page (href, src, hx-get,
form actions; GET only), then asks for the pages of every object the role can see and the API's
list and detail endpoints. It fails, listing every problem at once (role, url, status, referrer),
on: a 5xx; template syntax in a page's visible text; a planted payload that runs (a <script>
whose text is the payload's, an on* attribute); a link to a page of the app that answers 404.

Pages visited per role are printed (run with -s to see them) and written to
var/test/crawl-summary.txt.
"""

import json
import os
import re
from collections import Counter, deque
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models.functions import Concat, Left
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from demo.logins import DEMO_LOGINS
from tests.conftest import seed_small_demo

SCRIPT_PAYLOAD = "<script>alert(1)</script>"
JSON_SCRIPT = "script/json"  # a <script type="application/json">: data the page reads, never run
ATTRIBUTE_PAYLOAD = '"><svg onload=alert(1)>'
# Text fields people read on many pages; codes (which are in URLs) are left alone.
PLANTED_FIELDS = {"name", "title", "first_name", "last_name", "description"}

PAGES_PER_ROLE = 1500  # links followed from the home page, per role
QUERY_VARIANTS_PER_PATH = 2  # ?sort=…, ?page=… variants of one shape of path followed, per role
SAMPLES_PER_API_RESOURCE = 2  # detail endpoints asked for, per API resource and role
# Links of one shape (the path with its numbers as 0: a task's edit row, a risk's page) followed
# per role: every object's own pages are asked for anyway, from the access helpers; the htmx and
# the plain request of a link count apart.
LINKS_PER_SHAPE = 2
SKIPPED_PREFIXES = ("/static/", "/media/", "/accounts/logout/", "/admin/logout/")
LINK_ATTRIBUTES = {"href", "src", "hx-get", "action", "formaction"}
# Where a page posts to: never requested (GET answers 405 at best), only checked to exist.
POST_ATTRIBUTES = {"hx-post", "hx-put", "hx-patch", "hx-delete"}
# Text a reader sees in attributes, checked for template syntax as the page text is.
VISIBLE_ATTRIBUTES = {"title", "alt", "placeholder", "value", "aria-label"}
TEMPLATE_SYNTAX = re.compile(r"\{[{%#]|[}%#]\}")
HOST = "testserver"


@dataclass
class Failure:
    role: str
    url: str
    status: int
    referrer: str
    problem: str

    def __str__(self):
        return f"{self.role:<16} {self.status} {self.url}  (from {self.referrer}): {self.problem}"


class PageParser(HTMLParser):
    """The links, the visible text, the scripts' text and the event-handler attributes of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (attribute, value)
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.handlers: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.posts: list[str] = []  # URLs the page sends POST (PUT, PATCH, DELETE) requests to
        self._inside: list[str] = []
        self._form_posts = False

    def handle_starttag(self, tag, attrs):
        if tag == "form":
            self._form_posts = (dict(attrs).get("method") or "get").lower() != "get"
        for name, value in attrs:
            if value is None:
                continue
            if name in POST_ATTRIBUTES or (name in {"action", "formaction"} and self._form_posts):
                if value:  # an empty action posts to the page itself
                    self.posts.append(value)
            elif name in LINK_ATTRIBUTES:
                self.links.append((name, value))
            elif name.startswith("on"):
                self.handlers.append((tag, name, value or ""))
            elif name in VISIBLE_ATTRIBUTES and value:
                self.text.append(value)
        if tag == "script" and (dict(attrs).get("type") or "").lower() == "application/json":
            # Data, not code ({{ value|json_script }}): a payload inside cannot run, and one that
            # broke out of it would open a <script> of its own, which is checked.
            self._inside.append(JSON_SCRIPT)
        elif tag in {"script", "style"}:
            self._inside.append(tag)
            if tag == "script":
                self.scripts.append("")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in {"script", "style"}:
            self._inside.pop()

    def handle_endtag(self, tag):
        if self._inside and (self._inside[-1] == tag or (tag == "script" and self._inside[-1] == JSON_SCRIPT)):
            self._inside.pop()

    def handle_data(self, data):
        if not self._inside:
            self.text.append(data)
        elif self._inside[-1] == "script":
            self.scripts[-1] += data


def page_problems(html: str) -> tuple[list[str], PageParser]:
    """The problems on a page, and the parsed page (for its links)."""
    parser = PageParser()
    parser.feed(html)
    parser.close()
    problems = []
    for chunk in parser.text:
        if match := TEMPLATE_SYNTAX.search(chunk):
            start = max(match.start() - 40, 0)
            problems.append(f"template syntax in the text: {chunk[start : match.end() + 40].strip()!r}")
            break
    if any("alert(1)" in script for script in parser.scripts):
        problems.append("a planted <script> runs (unescaped payload)")
    problems += [
        f"a planted <{tag} {name}=…> runs (unescaped payload)"
        for tag, name, value in parser.handlers
        if "alert(1)" in value
    ]
    return problems, parser


def in_app_url(link: str, base: str) -> str | None:
    """The path and query `link` (found on `base`) points to inside the app; None for another
    site, a fragment on the same page, a non-HTTP scheme or a skipped prefix."""
    link = link.strip()
    if not link or link.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    parts = urlsplit(urljoin(f"http://{HOST}{base}", link))
    if parts.scheme not in {"http", "https"} or parts.netloc != HOST:
        return None
    if parts.path.startswith(SKIPPED_PREFIXES):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def plant_payloads():
    """Put the payloads in every name, title and description the demo has (alternating which
    one by model, both where the field is long enough)."""
    planted = Counter()
    text_models = [model for model in apps.get_models() if model._meta.app_label != "admin"]
    for index, model in enumerate(text_models):
        for field_ in model._meta.concrete_fields:
            if field_.name not in PLANTED_FIELDS or field_.choices or field_.primary_key:
                continue
            if not isinstance(field_, models.CharField | models.TextField):
                continue
            payload = SCRIPT_PAYLOAD if index % 2 else ATTRIBUTE_PAYLOAD
            if field_.max_length is None or field_.max_length >= 150:
                payload = SCRIPT_PAYLOAD + ATTRIBUTE_PAYLOAD
            keep = (field_.max_length or 10_000) - len(payload) - 1
            count = model._base_manager.exclude(**{field_.name: ""}).update(
                **{field_.name: Concat(Left(field_.name, keep), models.Value(" " + payload))}
            )
            planted[f"{model._meta.label}.{field_.name}"] = count
    return planted


class Crawler:
    def __init__(self, role: str):
        self.role = role
        self.client = Client(raise_request_exception=False)
        self.client.force_login(get_user_model().objects.get(username=role))
        self.statuses: dict[str, int] = {}
        self.referrers: dict[str, str] = {}
        self.log: list[str] = []
        self.failures: list[Failure] = []
        self.posts_checked: set[str] = set()
        self.visited = 0

    def fetch(self, url: str, referrer: str, *, htmx: bool = False, api_action: bool = False):
        """GET `url` (inside a savepoint rolled back afterwards: a page that writes, or fails
        half-way, leaves the demo as it was) and check the answer. `api_action`: a computed API
        report of a listed object, which may be 404 by design (a program's EVM is for those who
        see the program whole)."""
        headers = {"HX-Request": "true"} if htmx else {}
        savepoint = transaction.savepoint_create()
        try:
            response = self.client.get(url, headers=headers)
        finally:
            transaction.savepoint_rollback(savepoint)
            transaction.set_rollback(False)
        self.visited += 1
        status = self.statuses[url] = response.status_code
        self.referrers.setdefault(url, referrer)
        self.log.append(f"{self.role} {status} {url} {'(htmx) ' if htmx else ''}from {referrer}")
        if status >= 500:
            cause = ""
            if getattr(response, "exc_info", None):
                cause = f"{response.exc_info[0].__name__}: {response.exc_info[1]}"[:300]
            self.fail(url, status, referrer, f"server error {cause}")
        elif status == 404 and referrer != "-" and not api_action:
            self.fail(url, status, referrer, "linked, but answers 404 to this role")
        return response

    def fail(self, url, status, referrer, problem):
        self.failures.append(Failure(self.role, url, status, referrer, problem))

    def check_page(self, url: str, response) -> list[tuple[str, str]]:
        """Check an HTML answer; its GET links (`(attribute, url)`)."""
        if response.status_code >= 300 or "text/html" not in response.get("Content-Type", ""):
            return []
        problems, parser = page_problems(response.content.decode(response.charset or "utf-8", "replace"))
        for problem in problems:
            self.fail(url, response.status_code, self.referrers[url], problem)
        for link in parser.posts:
            target = in_app_url(link, url)
            if target and target not in self.posts_checked:
                self.posts_checked.add(target)
                try:
                    resolve(target.partition("?")[0])
                except Resolver404:
                    self.fail(target, 404, url, "a form or button posts to a URL the app does not have")
        return parser.links

    def crawl(self, *starts: str):
        """Breadth-first from `starts`, following every in-app link once (within the bounds)."""
        queue = deque((start, "-", False) for start in starts)
        queued = {(start, False) for start in starts}
        shapes = Counter()

        def follow(target, referrer, htmx):
            if (target, htmx) in queued:
                return
            path, _, query = target.partition("?")
            shape = (re.sub(r"\d+", "0", path), bool(query))
            limit = QUERY_VARIANTS_PER_PATH if query else LINKS_PER_SHAPE
            if path.startswith("/admin/"):  # Django's own pages: one of each kind is enough
                limit = 1
            if shapes[shape] >= limit:
                return
            shapes[shape] += 1
            queued.add((target, htmx))
            queue.append((target, referrer, htmx))

        while queue and self.visited < PAGES_PER_ROLE:
            url, referrer, htmx = queue.popleft()
            response = self.fetch(url, referrer, htmx=htmx)
            if response.status_code in {301, 302} and response.get("Location"):
                target = in_app_url(response["Location"], url)
                if target and not target.startswith("/accounts/login/"):
                    follow(target, url, htmx)
                continue
            for attribute, link in self.check_page(url, response):
                if target := in_app_url(link, url):
                    follow(target, url, attribute == "hx-get")

    def visit(self, urls: list[tuple[str, str]], *, api_action: bool = False):
        """Pages not reached by links (`(url, why)`): each asked for once."""
        for url, why in urls:
            if url in self.statuses:
                continue
            response = self.fetch(url, why, api_action=api_action)
            self.check_page(url, response)

    def api(self):
        """Every GET endpoint in the API schema: lists, and details for a sample of the list."""
        schema = json.loads(self.client.get("/api/v1/schema/?format=json").content)
        paths = [path for path, operations in schema["paths"].items() if "get" in operations]
        samples: dict[str, list[str]] = {}
        for path in paths:
            if "{" in path:
                continue
            response = self.fetch(path, "-")
            if response.status_code == 200 and "json" in response.get("Content-Type", ""):
                body = response.json()
                rows = body.get("results", body) if isinstance(body, dict) else body
                if isinstance(rows, list):
                    samples[path] = [
                        str(row.get("id", row.get("code", "")))
                        for row in rows[:SAMPLES_PER_API_RESOURCE]
                        if isinstance(row, dict)
                    ]
        for path in paths:
            match = re.fullmatch(r"(/api/v1/[^/]+/)\{(id|code)\}/(.*)", path)
            if not match:
                continue
            for key in samples.get(match.group(1), []):
                url = path.replace("{" + match.group(2) + "}", key)
                self.visit([(url, f"listed by {match.group(1)}")], api_action=bool(match.group(3)))


def object_pages(user) -> list[tuple[str, str]]:
    """The pages of every object `user` can see (`(url, why)`), from each model's access helper."""
    from budgets.models import Contract, ImportJob, LifecycleCostEstimate
    from governance.models import Benefit, ChangeRequest, StageGate
    from portfolio.models import Portfolio, Program
    from projects.models import Project
    from risks.models import Issue, Risk
    from staffing.models import Person

    program_pages = [
        "portfolio:program-detail",
        "portfolio:program-timeline",
        "budgets:program-costs",
        "budgets:contract-list",
        "budgets:lcce-list",
        "risks:program-register",
        "risks:issue-list-program",
        "staffing:program-staffing",
        "governance:program-governance",
        "governance:decision-list",
        "governance:ola-list",
    ]
    project_pages = [
        "projects:project-detail",
        "projects:schedule",
        "budgets:project-costs",
        "budgets:project-plan",
        "budgets:cost-entry-list",
        "risks:project-register",
        "risks:issue-list-project",
        "staffing:project-staffing",
        "governance:project-governance",
    ]
    pages = {
        Portfolio: lambda o: [reverse("risks:portfolio-risks", args=[o.code])],
        Program: lambda o: [reverse(name, args=[o.code]) for name in program_pages],
        Project: lambda o: [reverse(name, args=[o.code]) for name in project_pages],
        Risk: lambda o: [reverse("risks:risk-detail", args=[o.pk])],
        Issue: lambda o: [reverse("risks:issue-detail", args=[o.pk])],
        Person: lambda o: [reverse("staffing:person-detail", args=[o.pk])],
        Contract: lambda o: [reverse("budgets:contract-detail", args=[o.program.code, o.pk])],
        LifecycleCostEstimate: lambda o: [reverse("budgets:lcce-detail", args=[o.program.code, o.number])],
        ImportJob: lambda o: [reverse("budgets:import-detail", args=[o.pk])],
        StageGate: lambda o: [reverse("governance:gate-detail", args=[o.project.code, o.pk])],
        ChangeRequest: lambda o: [reverse("governance:change-request-detail", args=[o.project.code, o.pk])],
        Benefit: lambda o: [reverse("governance:benefit-detail", args=[o.program.code, o.pk])],
    }
    return [
        (url, f"visible_to: {model.__name__} {obj.pk}")
        for model, urls_of in pages.items()
        for obj in model.objects.visible_to(user)
        for url in urls_of(obj)
    ]


def write_summary(lines: list[str], failures: list[Failure], log: list[str]):
    out = Path(settings.BASE_DIR, "var", "test", "crawl-summary.txt")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join([*lines, f"{len(failures)} failure(s)", *map(str, failures)]) + "\n", encoding="utf-8")
    out.with_name("crawl-pages.txt").write_text("\n".join(log) + "\n", encoding="utf-8")


def test_the_checks_catch_a_payload_that_runs_and_template_syntax():
    escaped = "<p>&lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;svg onload=alert(1)&gt;</p>"
    assert page_problems(escaped)[0] == []
    assert page_problems(f"<p>{SCRIPT_PAYLOAD}</p>")[0] == ["a planted <script> runs (unescaped payload)"]
    as_json = '<script id="d" type="application/json">"\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E"</script>'
    assert page_problems(as_json)[0] == []
    broken_out = f'<script type="application/json">"</script>{SCRIPT_PAYLOAD}"</script>'
    assert page_problems(broken_out)[0] == ["a planted <script> runs (unescaped payload)"]
    assert page_problems(f'<a title="{ATTRIBUTE_PAYLOAD}">x</a>')[0] == [
        "a planted <svg onload=…> runs (unescaped payload)"
    ]
    [problem] = page_problems("<head><title>Keel</title></head><body>{# a comment\n #}</body>")[0]
    assert problem.startswith("template syntax in the text")
    assert page_problems("<script>if (a) {{}}</script><p>{ not } syntax</p>")[0] == []


def test_links_followed_stay_inside_the_app():
    assert in_app_url("../risks/?page=2#top", "/projects/A/costs/") == "/projects/A/risks/?page=2"
    assert in_app_url("http://testserver/people/", "/") == "/people/"
    for elsewhere in ("https://example.com/", "#main", "mailto:a@b.c", "/static/css/keel.css", "/accounts/logout/"):
        assert in_app_url(elsewhere, "/") is None


@pytest.mark.postgres
@pytest.mark.django_db
def test_every_role_crawls_the_demo_without_errors_syntax_payloads_or_dead_links(capsys):
    seed_small_demo()
    planted = plant_payloads()
    assert all(planted[name] for name in ("portfolio.Program.name", "projects.Task.name", "risks.Risk.title"))

    failures: list[Failure] = []
    lines = []
    log = []
    roles = os.environ.get("KEEL_CRAWL_ROLES", "").split(",")  # to crawl only some, while fixing
    for login in DEMO_LOGINS:
        if roles != [""] and login.username not in roles:
            continue
        crawler = Crawler(login.username)
        user = get_user_model().objects.get(username=login.username)
        # Keel's pages do not link Django admin; its staff reach it by address.
        crawler.crawl("/", *(["/admin/"] if user.is_staff else []))
        linked = crawler.visited
        crawler.visit(object_pages(user))
        crawler.api()
        statuses = Counter(crawler.statuses.values())
        lines.append(
            f"crawl: {login.username} visited {crawler.visited} pages "
            f"({linked} by following links); statuses {dict(sorted(statuses.items()))}"
        )
        with capsys.disabled():
            print(lines[-1], flush=True)
        failures += crawler.failures
        log += crawler.log
        write_summary(lines, failures, log)  # after each role, so a stopped run still tells
    assert not failures, f"{len(failures)} crawl failure(s):\n" + "\n".join(map(str, failures))
