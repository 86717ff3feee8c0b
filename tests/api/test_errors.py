"""Every API error has the one shape, whatever raised it."""

from typing import Any

import pytest
from django.db import DataError, OperationalError
from rest_framework.test import APIClient

from annotations.api import errors
from tests.conftest import World, assert_error

pytestmark = pytest.mark.django_db


def test_anonymous_request_is_401_with_how_to_sign_in(world: World) -> None:
    response = APIClient().get("/api/projects/")
    error = assert_error(response, 401, "not_authenticated")
    assert error["message"].startswith("Sign in first: send 'Authorization: Token <token>'")
    assert response["WWW-Authenticate"] == 'Token realm="api"'


def test_bad_token_is_401(world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nonsense")
    assert_error(client.get("/api/projects/"), 401, "not_authenticated")


def test_unknown_api_path_is_404_json(world: World, api: Any) -> None:
    assert_error(
        api(world.annotator).get("/api/nothing-here/"),
        404,
        "not_found",
        "There is no such endpoint or object.",
    )


def test_unknown_object_is_404_without_saying_whether_it_exists(world: World, api: Any) -> None:
    assert_error(
        api(world.annotator).get("/api/spans/987654/"),
        404,
        "not_found",
        "No span with that id exists, or you are not a member of its project.",
    )


def test_wrong_method_is_405(world: World, api: Any) -> None:
    error = assert_error(api(world.annotator).put("/api/projects/"), 405, "method_not_allowed")
    assert error["message"] == 'Method "PUT" not allowed.'


def test_non_json_body_is_415(world: World, api: Any) -> None:
    response = api(world.annotator).post(
        f"/api/documents/{world.document.pk}/spans/", data="label=claim", content_type="text/plain"
    )
    error = assert_error(response, 415, "unsupported_media_type")
    assert error["message"].endswith("Send JSON with Content-Type: application/json.")


def test_role_too_low_is_403_naming_the_role(world: World, api: Any) -> None:
    response = api(world.editor).patch(
        f"/api/projects/{world.project.pk}/", {"name": "x", "version": 1}, format="json"
    )
    assert_error(
        response,
        403,
        "permission_denied",
        "This needs the admin role in project “Newsroom”; you are editor.",
    )


def test_wrong_credentials_are_a_400_naming_the_field(world: World) -> None:
    response = APIClient().post(
        "/api/auth/token/", {"username": "alice", "password": "nope"}, format="json"
    )
    error = assert_error(
        response,
        400,
        "invalid_credentials",
        "That username and password do not match an active account.",
    )
    assert error["field"] == "password"


def test_token_sign_in_is_throttled(world: World, settings: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    client = APIClient()
    wrong = {"username": "alice", "password": "x"}
    statuses = [
        client.post("/api/auth/token/", wrong, format="json").status_code for _ in range(10)
    ]
    assert statuses == [400] * 10
    error = assert_error(client.post("/api/auth/token/", wrong, format="json"), 429, "throttled")
    assert error["details"]["retry_after"] >= 1
    cache.clear()


def test_database_failure_is_a_503_in_the_error_shape() -> None:
    response = errors.exception_handler(OperationalError("connection refused"), {})
    assert response is not None
    assert response.status_code == 503
    assert response.data["error"]["code"] == "service_unavailable"
    assert response.data["error"]["message"] == (
        "The database is unavailable right now; nothing was saved. Try again shortly."
    )


def test_a_database_error_other_than_a_lost_connection_is_not_called_unavailable() -> None:
    assert errors.exception_handler(DataError("invalid byte sequence"), {}) is None


def test_validation_error_names_the_nested_field(world: World, api: Any) -> None:
    response = api(world.annotator).post(
        f"/api/documents/{world.document.pk}/spans/",
        {"label": "claim", "start": 0, "end": 3, "quote": "The", "client_id": "not-a-uuid"},
        format="json",
    )
    error = assert_error(response, 400, "invalid_field", "client_id: Must be a valid UUID.")
    assert error["field"] == "client_id"
