"""Schema fuzzing with schemathesis: every operation, and linked create → read → update →
delete sequences, as each role. No 5xx, and every response matches the OpenAPI schema.

Seeded and bounded for CI (FUZZ_EXAMPLES, default 25 per operation); for a longer,
unseeded local run see docs/operations.md.
"""

import os
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from tests.conftest import World

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
SEEDED = os.environ.get("FUZZ_UNSEEDED", "") == ""
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]
ROLES = ("annotator", "editor", "admin", "site_admin", "non_member")
SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    derandomize=SEEDED,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)


@pytest.fixture
def in_process() -> Iterator[None]:
    """Serve requests in the test's own transaction, as Django's test client does."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def api_schema(in_process: None) -> Any:
    return schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def token_header(user: Any) -> dict[str, str]:
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


def test_every_operation_answers_within_the_schema(api_schema: Any, world: World) -> None:
    headers = [token_header(world.user(role)) for role in ROLES]
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @hypothesis.given(case=operation.as_strategy())
        @SETTINGS
        def answers(case: Any) -> None:
            for role_headers in headers:
                case.call_and_validate(headers=role_headers, checks=CHECKS)

        try:
            answers()
        except Exception as exc:
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def test_linked_sequences_answer_within_the_schema(
    api_schema: Any, world: World, role: str
) -> None:
    headers = token_header(world.user(role))

    class Sequences(api_schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=STATEFUL_CHECKS)

    Sequences.run(settings=hypothesis.settings(SETTINGS, stateful_step_count=8))
