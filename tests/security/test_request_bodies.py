"""What the API refuses before it reaches the database: oversized, non-JSON and unstorable
bodies, each a 4xx in the one error shape."""

from typing import Any

import pytest

from tests.conftest import World, assert_error

pytestmark = pytest.mark.django_db


def documents_url(world: World) -> str:
    return f"/api/projects/{world.project.pk}/documents/"


def test_a_nul_character_in_metadata_is_refused_with_its_path(world: World, api: Any) -> None:
    body = {"title": "Leak", "text": "Some text.", "metadata": {"source": {"desk": "a\x00b"}}}
    response = api(world.admin).post(documents_url(world), body, format="json")
    error = assert_error(
        response,
        400,
        "invalid_characters",
        "metadata.source.desk contains a NUL character (\\u0000) or an unpaired surrogate "
        "(\\ud800–\\udfff), which cannot be stored; remove it.",
    )
    assert error["field"] == "metadata.source.desk"


def test_an_unpaired_surrogate_in_a_key_is_refused(world: World, api: Any) -> None:
    raw = '{"title": "T", "text": "x", "metadata": {"\\ud800": 1}}'
    response = api(world.admin).post(documents_url(world), raw, content_type="application/json")
    assert_error(
        response,
        400,
        "invalid_characters",
        "metadata.\\ud800 contains a NUL character (\\u0000) or an unpaired surrogate "
        "(\\ud800–\\udfff), which cannot be stored; remove it.",
    )


def test_an_oversized_body_is_refused_before_it_is_read(
    world: World, api: Any, settings: Any
) -> None:
    settings.API_MAX_BODY_BYTES = 1000
    response = api(world.admin).post(
        documents_url(world), {"title": "Big", "text": "x" * 2000}, format="json"
    )
    assert_error(
        response,
        413,
        "body_too_large",
        "The request body has 2,025 bytes; the API accepts at most 1,000. Upload large files "
        "through the import endpoint.",
    )


def test_a_form_body_on_a_json_endpoint_is_refused(world: World, api: Any) -> None:
    response = api(world.admin).post(
        documents_url(world), "title=T&text=x", content_type="application/x-www-form-urlencoded"
    )
    assert_error(
        response,
        415,
        "unsupported_media_type",
        'Unsupported media type "application/x-www-form-urlencoded" in request. Send JSON '
        "with Content-Type: application/json.",
    )


def test_malformed_json_is_refused(world: World, api: Any) -> None:
    response = api(world.admin).post(
        documents_url(world), '{"title": "T",', content_type="application/json"
    )
    assert_error(response, 400, "malformed_json")
