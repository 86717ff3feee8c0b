"""Schema fuzzing with schemathesis: every operation as every role of the permission matrix,
and linked create → read → update → delete sequences as the five roles that reach different
data (the others are refused early, which the per-operation run covers). No 5xx, and every
response matches the OpenAPI schema.

Seeded and bounded for CI (FUZZ_EXAMPLES, default 25 per operation); for a longer,
unseeded local run see docs/operations.md.
"""

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
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
ALL_ROLES = (*ROLES, "anonymous", "other_annotator", "other_admin")
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


@contextmanager
def example_rolled_back() -> Iterator[None]:
    """Each example starts from the same world: Hypothesis replays examples, and a replay
    that met another example's leftovers (a deleted project, a new span) would diverge."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def token_header(user: Any) -> dict[str, str]:
    token, _ = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


def test_every_operation_answers_within_the_schema(api_schema: Any, world: World) -> None:
    headers = [{} if role == "anonymous" else token_header(world.user(role)) for role in ALL_ROLES]
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @hypothesis.given(case=operation.as_strategy())
        @SETTINGS
        def answers(case: Any) -> None:
            with example_rolled_back():
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
    seen: Counter[tuple[str, int]] = Counter()

    class Sequences(api_schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            self.savepoint = transaction.savepoint()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)

        def before_call(self, case: Any) -> None:
            aim_span_at_the_text(case, world)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def after_call(self, response: Any, case: Any) -> None:
            seen[(f"{case.method} {case.path}", response.status_code)] += 1

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=STATEFUL_CHECKS)

    Sequences.run(settings=hypothesis.settings(SETTINGS, stateful_step_count=8))
    if role == "annotator":
        # The sequences reached past validation: spans were created and then used.
        assert seen[("POST /api/documents/{document_id}/spans/", 201)] > 0, seen
        used = sum(n for (op, status), n in seen.items() if op.endswith("/api/spans/{span_id}/"))
        assert used > 0, seen


def aim_span_at_the_text(case: Any, world: World) -> None:
    """Offsets and quote must agree with the article, which no schema can say: where the
    fuzzer creates a span on the world's document, make its quote match its offsets, so
    that sequences go on to read, change and delete real spans instead of stopping at 400."""
    if (case.method, case.path) != ("POST", "/api/documents/{document_id}/spans/"):
        return
    if case.path_parameters.get("document_id") != world.document.pk:
        case.path_parameters["document_id"] = world.document.pk
    if not isinstance(case.body, dict):
        return
    text = world.document.text
    start, end = (
        value if isinstance(value, int) and not isinstance(value, bool) else 0
        for value in (case.body.get("start"), case.body.get("end"))
    )
    start %= len(text)
    end = min(len(text), start + 1 + end % 20)
    case.body.update(label="claim", start=start, end=end, quote=text[start:end])
    case.body.pop("attributes", None)
