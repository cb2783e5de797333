"""Schemathesis against the OpenAPI schema, in-process, as every role: each operation is called
with KEEL_SCHEMATHESIS_EXAMPLES generated requests (default 5) by each of the six demo roles and
an outsider, with their API tokens, and every answer must be no 5xx, a documented status code,
a documented content type and a body that matches the documented schema.

The operations come from the schema, so an endpoint added to the router is fuzzed without a
change here. Path ids are drawn from the real rows (tests/api/world.py) — in and out of each
role's scope — or left as generated (mostly unknown ids), so both the 200 and 404 sides are hit.
Each call runs in a savepoint that is rolled back, so a DELETE does not starve the operations
after it of data."""

import json
import logging
import os
from collections import Counter

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.test import APIClient
from schemathesis import GenerationMode

from .world import ROLES, bearer, build_world

EXAMPLES = int(os.environ.get("KEEL_SCHEMATHESIS_EXAMPLES", "5"))
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]
# One in this many generated ids is kept as generated (an id no row has); the rest name a row.
KEEP_GENERATED_ID_ONE_IN = 5


def ids_per_resource(superuser_token: str, schema: dict) -> dict[str, list[int]]:
    """Every row's id per top-level resource (`/api/v1/<resource>/`), read through the API's own
    lists as the superuser (who sees everything, so in- and out-of-scope rows alike)."""
    client = APIClient()
    ids = {}
    for path, operations in schema["paths"].items():
        parts = path.strip("/").split("/")
        if len(parts) != 3 or "get" not in operations or "{" in path:
            continue
        response = client.get(path, {"page_size": 500}, headers=bearer(superuser_token))
        body = response.json() if response.status_code == 200 else None
        rows = body.get("results") if isinstance(body, dict) else body
        if isinstance(rows, list):
            ids[parts[2]] = [row["id"] for row in rows if isinstance(row, dict) and "id" in row]
    return ids


@pytest.fixture
def api_schema(db, settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    world = build_world()
    from django.contrib.auth import get_user_model

    from core.services import api_token_create

    admin = get_user_model().objects.filter(is_superuser=True).first()
    superuser_token = api_token_create(user=admin, name="ids")[1]
    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    schema = schemathesis.openapi.from_dict(document)
    schema.world = world
    schema.ids = ids_per_resource(superuser_token, document)
    return schema


@pytest.fixture
def in_process_app():
    """Django's WSGI handler on the test's own connection: like the test client, requests must
    not close the connection (it holds the test's transaction)."""
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # thousands of expected 4xx
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        logging.getLogger("django.request").setLevel(logging.NOTSET)


def use_real_ids(case, ids: dict[str, list[int]]) -> None:
    """Point integer path parameters at real rows of the resource the path names."""
    resource = case.operation.path.strip("/").split("/")[2]
    rows = ids.get(resource)
    for name, value in list((case.path_parameters or {}).items()):
        if not rows or not isinstance(value, int) or value % KEEP_GENERATED_ID_ONE_IN == 0:
            continue
        if name in ("id", "pk") or name.endswith("_pk"):
            case.path_parameters[name] = rows[value % len(rows)]


def fuzz(operation, api_schema, app, answered: Counter) -> list[str]:
    """Run the operation's generated cases as every role; the failures, described. `answered`
    counts (role, status class) so the test can tell that the roles reached real rows."""
    failures = []
    strategy = hypothesis.strategies.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @hypothesis.given(case=strategy)
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def run(case):
        use_real_ids(case, api_schema.ids)
        for role in ROLES:
            with transaction.atomic():
                response = case.call(app=app, headers=bearer(api_schema.world.tokens[role]))
                transaction.set_rollback(True)
            answered[role, response.status_code // 100] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except (AssertionError, BaseExceptionGroup) as failure:  # a check's failures: note, go on
                failures.append(f"{operation.label} as {role}: {failure}\n  {case.as_curl_command()}")

    run()
    return failures


def test_every_operation_answers_as_documented_for_every_role(api_schema, in_process_app):
    failures, operations, answered = [], 0, Counter()
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        failures += fuzz(operation, api_schema, in_process_app, answered)
    print(f"schemathesis: {operations} operations x {len(ROLES)} roles x up to {EXAMPLES} examples")
    print("answers per role and class:", dict(sorted(answered.items())))
    assert operations > 100
    for role in ROLES:  # the ids are real: every role read and changed rows, not only 4xx
        assert answered[role, 2] > 0, (role, answered)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)
