"""The authorization matrix, generated from the router: every resource registered in
config/api_router.py x every role (tests/api/world.py) x a row in each relation the role has
to the resource x list, retrieve, PATCH and DELETE (those the viewset allows: a 405 is the same
for every row and role) -> the status the declared policy (tests/api/policy.py) gives. A
resource the router has and the policy does not fails the test, so a new endpoint must say who
may read and change it. Runs in the normal suite (and CI).

House rules (README, "Roles and access"): rows outside your scopes are 404 and never listed; a
row you may read but not change is 403 on a write; a write you may make is 2xx (a DELETE that
other records still reference is 409, the same answer for every writer). Relations: "below"
means the row's project, program or portfolio lies under one of the role's memberships (its own
scope or below); "above" a program over one (a team member's program: read-only),
"above-portfolio" a portfolio over one; "shared" reference data; anything else is outside.
Tokens with the read-only scope are refused every write (403 before any row is looked up: the
same for every id, so it tells nothing about the row). Each write runs in a savepoint that is
rolled back, so the rows stay for the next cell. Rows whose state refuses every write (a decided
gate) are left out by the policy's `exclude`.

Rows are sampled from both ends of each resource's id range (the demo's first rows, the
outsider's last) and spread between them, so each role finds rows in each relation it has.

KEEL_MATRIX_OBSERVE=1 prints the observed table and timings as well (to write a new policy);
KEEL_MATRIX_ONLY=risks,tasks checks only those resources (while fixing)."""

import logging
import os
import time
from collections import defaultdict

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from rest_framework.test import APIClient

from config.api_router import router
from portfolio.models import Membership, Portfolio, Program
from portfolio.roles import Role
from projects.models import Project

from .policy import GLOBAL, OWN, POLICY, ROLE_OF, SELF, SHARED, scope_of
from .world import READ_ONLY_ROLES, ROLES, bearer, build_world

OBSERVE = os.environ.get("KEEL_MATRIX_OBSERVE") == "1"
# KEEL_MATRIX_ONLY=risks,tasks: only those resources (while fixing; the suite runs them all).
ONLY = {name.strip() for name in os.environ.get("KEEL_MATRIX_ONLY", "").split(",") if name.strip()}
# Every role with its read-write token, and the widest writers again with a read-only one.
LOGINS = [(role, False) for role in ROLES] + [(role, True) for role in READ_ONLY_ROLES]
SAMPLE_ROWS = 40  # rows looked at per resource, from each end of the id range
SPREAD_ROWS = 80  # and about this many between them


def model_of(viewset, policy):
    if policy.model:
        return apps.get_model(policy.model)
    model = getattr(viewset, "model", None) or getattr(getattr(viewset, "queryset", None), "model", None)
    return model or viewset.serializer_class.Meta.model


class Lines:
    """A user's memberships as sets of portfolio, program and project ids."""

    def __init__(self, user):
        self.user_pk = user.pk
        rows = Membership.objects.filter(user=user).values_list("portfolio_id", "program_id", "project_id")
        self.portfolios = {r[0] for r in rows if r[0]}
        self.programs = {r[1] for r in rows if r[1]}
        self.projects = {r[2] for r in rows if r[2]}
        self.program_portfolios = set(
            Program.objects.filter(pk__in=self.programs).values_list("portfolio_id", flat=True)
        )
        self.project_programs = set(Project.objects.filter(pk__in=self.projects).values_list("program_id", flat=True))
        self.project_portfolios = set(
            Program.objects.filter(pk__in=self.project_programs).values_list("portfolio_id", flat=True)
        )

    def relation(self, scope) -> str:
        """'below' (the row is under a membership), 'above' (a program over one),
        'above-portfolio' (a portfolio over one), 'shared' (reference data) or 'outside'."""
        if scope is GLOBAL:
            return "shared"
        if isinstance(scope, get_user_model()):
            return "below" if scope.pk == self.user_pk else "outside"
        if isinstance(scope, Project):
            program = scope.program
            if scope.pk in self.projects or program.pk in self.programs or program.portfolio_id in self.portfolios:
                return "below"
            return "outside"
        if isinstance(scope, Program):
            if scope.pk in self.programs or scope.portfolio_id in self.portfolios:
                return "below"
            return "above" if scope.pk in self.project_programs else "outside"
        if isinstance(scope, Portfolio):
            if scope.pk in self.portfolios:
                return "below"
            return "above-portfolio" if scope.pk in self.program_portfolios | self.project_portfolios else "outside"
        raise TypeError(f"not a scope: {scope!r}")


def joinable(model, name: str) -> bool:
    """Whether select_related(name) works: a chain of foreign keys (not a property)."""
    for part in name.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if not (field.many_to_one or field.one_to_one) or field.related_model is None:
            return False
        model = field.related_model
    return True


def related_paths(model, policy) -> list[str]:
    """select_related() names for the policy's scope paths (and the program over a project)."""
    paths = []
    for path in policy.scope:
        if path == OWN:
            paths.append("user")
        elif path == SELF:
            paths.append("program")
        elif isinstance(path, str) and path != SHARED:
            paths += [path.replace(".", "__"), path.replace(".", "__") + "__program"]
    return [name for name in paths if joinable(model, name)]


def scoped_rows(model, policy) -> list[tuple[object, object]]:
    """(row, scope) for rows from both ends of the id range (the demo's first, the outsider's
    last) and spread evenly between them (the scopes in the middle: a project manager's)."""
    manager = model._default_manager.all()
    for rule in policy.exclude:
        manager = manager.exclude(rule)
    ids = list(manager.order_by("pk").values_list("pk", flat=True))
    middle = ids[SAMPLE_ROWS:-SAMPLE_ROWS]
    spread = middle[:: max(1, len(middle) // SPREAD_ROWS)]
    chosen = list(dict.fromkeys([*ids[:SAMPLE_ROWS], *spread, *reversed(ids[-SAMPLE_ROWS:])]))
    rows = manager.filter(pk__in=chosen)
    paths = related_paths(model, policy)
    by_pk = (rows.select_related(*paths) if paths else rows).in_bulk()
    pairs = [(by_pk[pk], scope_of(by_pk[pk], policy)) for pk in chosen if pk in by_pk]
    return [(row, scope) for row, scope in pairs if scope is not None]


def samples(pairs, lines: Lines) -> dict[str, object]:
    """One row per relation (Lines.relation) the role has to this resource."""
    found = {}
    for row, scope in pairs:
        found.setdefault(lines.relation(scope), row)
    return found


def listed_keys(client, prefix, key) -> tuple[set, bool] | None:
    """The keys on the list's first page of 500, and whether that page is the whole list."""
    response = client.get(f"/api/v1/{prefix}/?page_size=500")
    if response.status_code != 200:
        return None
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row.get(key) for row in rows}, not (isinstance(body, dict) and body.get("next"))


def attempt(client, method, url):
    with transaction.atomic():
        response = getattr(client, method)(url, {}, format="json") if method == "patch" else client.delete(url)
        transaction.set_rollback(True)
    return response


def expected(policy, login, relation, method, *, read_only=False) -> set[int]:
    role = ROLE_OF[login]
    readable = relation != "outside" and role in policy.readers(relation)
    if method in ("get", "list"):
        return {200} if readable else {404}
    if read_only:
        # Refused by the token's scope before any row is looked up: the same 403 for every id,
        # existing or not, in scope or not, so it tells nothing about the row.
        return {403}
    if not readable:
        return {404}
    if role not in policy.changers(relation, method):
        return {403}
    return {200} if method == "patch" else {204, 409}


def methods_of(viewset) -> list[str]:
    """The matrix's methods the viewset answers (a 405 is the same for every row and role)."""
    allowed = set(viewset.http_method_names)
    methods = ["list", "get"]
    methods += ["patch"] if hasattr(viewset, "partial_update") and "patch" in allowed else []
    methods += ["delete"] if hasattr(viewset, "destroy") and "delete" in allowed else []
    return methods


@pytest.fixture
def world(db):
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # hundreds of expected 4xx
    try:
        yield build_world()
    finally:
        logging.getLogger("django.request").setLevel(logging.NOTSET)


def test_every_router_resource_is_in_the_policy_table():
    missing = sorted(prefix for prefix, _, _ in router.registry if prefix not in POLICY)
    unknown = sorted(set(POLICY) - {prefix for prefix, _, _ in router.registry})
    assert not missing, f"declare who may read and change these in tests/api/policy.py: {missing}"
    assert not unknown, f"the policy names resources the router does not have: {unknown}"


def test_read_only_roles_are_declared_to_change_nothing():
    """Executives and team members read; no row of the table may let them write (so the
    matrix cannot be made to pass by declaring a read-only role a writer). Their own things (an
    API token they revoke) are theirs to change."""
    read_only = {Role.EXECUTIVE, Role.TEAM_MEMBER}
    for prefix, policy in POLICY.items():
        if policy.scope == (OWN,):
            continue
        for relation in ("below", "above", "above-portfolio", "shared"):
            for method in ("patch", "delete"):
                assert not read_only & policy.changers(relation, method), (prefix, relation, method)


def test_every_role_gets_what_the_policy_says_from_every_resource(world):
    mismatches, observed, cells, timing = [], defaultdict(dict), 0, defaultdict(float)
    per = defaultdict(float)
    lines = {role: Lines(user) for role, user in world.users.items()}
    for prefix, viewset, _ in router.registry:
        policy = POLICY.get(prefix)
        if policy is None or (ONLY and prefix not in ONLY):
            continue  # the test above names it; KEEL_MATRIX_ONLY narrows the run while fixing
        model = model_of(viewset, policy)
        started = time.perf_counter()
        pairs = scoped_rows(model, policy)
        timing["sampling"] += time.perf_counter() - started
        field = viewset.lookup_field
        key = "id" if field == "pk" else field
        for role, read_only in LOGINS:
            secret = (world.read_only_tokens if read_only else world.tokens)[role]
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=bearer(secret)["Authorization"])
            who = f"{role} (read-only token)" if read_only else role
            started = time.perf_counter()
            # A read-only token reads what its user reads (the reads are checked with the other
            # token): here only its writes.
            methods = [m for m in methods_of(viewset) if m in ("patch", "delete") or not read_only]
            listed = None if read_only else listed_keys(client, prefix, key)
            timing["lists"] += time.perf_counter() - started
            started = time.perf_counter()
            for relation, row in samples(pairs, lines[role]).items():
                # health-policies are looked up by their portfolio, which is the row sampled.
                value = getattr(row, field) if field != "pk" and hasattr(row, field) else row.pk
                url = f"/api/v1/{prefix}/{value}/"
                for method in methods:
                    response = None
                    if method == "list":
                        if listed is None:
                            got = 404
                        elif value in listed[0]:
                            got = 200
                        elif listed[1]:  # the whole list, and the row is not on it
                            got = 404
                        else:
                            continue  # past the first 500 rows: not decided here
                    else:
                        t0 = time.perf_counter()
                        response = client.get(url) if method == "get" else attempt(client, method, url)
                        got = response.status_code
                        per[f"{prefix} {method}"] += time.perf_counter() - t0
                    cells += 1
                    observed[prefix][(who, relation, method)] = got
                    want = expected(policy, role, relation, method, read_only=read_only)
                    if got not in want:
                        cell = f"{prefix} {method} as {who} on a row {relation} ({value})"
                        detail = response.json().get("detail") if response is not None and got >= 400 else ""
                        mismatches.append(f"{cell}: {got}, want {want} {detail or ''}".rstrip())
            timing["rows"] += time.perf_counter() - started
    if OBSERVE:
        print("seconds:", {name: round(value, 1) for name, value in timing.items()})
        print("slowest:", sorted(((round(v, 1), k) for k, v in per.items()), reverse=True)[:25])
        for prefix, table in observed.items():
            print(prefix, dict(sorted(table.items())))
    print(f"authorization matrix: {len(router.registry)} resources, {len(LOGINS)} logins, {cells} cells")
    assert not mismatches, f"{len(mismatches)} cells differ from tests/api/policy.py:\n" + "\n".join(mismatches)
