"""Token authentication: the token's user, or DRF's own refusals in the error shape."""

from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations.api.authentication import TokenAuthentication
from tests.conftest import World, assert_error

pytestmark = pytest.mark.django_db

SIGN_IN = (
    "Sign in first: send 'Authorization: Token <token>' (from POST /api/auth/token/) or use "
    "a signed-in session."
)


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_signs_in_its_user(world: World, api: Any) -> None:
    response = api(world.annotator).get(f"/api/documents/{world.document.pk}/spans/")
    assert response.status_code == 200, response.content
    assert {span["annotator"] for span in response.json()} == {"alice"}


def test_the_user_and_token_are_loaded_as_drf_loads_them(world: World) -> None:
    token = Token.objects.create(user=world.site_admin)
    user, auth = TokenAuthentication().authenticate_credentials(token.key)
    assert user == world.site_admin
    assert (user.username, user.is_superuser, user.is_active) == ("root", True, True)
    assert user.get_deferred_fields() == set()
    assert (auth.pk, auth.user, auth.created) == (token.pk, user, token.created)


def test_an_unknown_token_is_refused(world: World) -> None:
    response = with_token("0" * 40).get("/api/projects/")
    error = assert_error(response, 401, "not_authenticated", f"{SIGN_IN} (Invalid token.)")
    assert error["field"] is None


def test_the_token_of_an_inactive_user_is_refused(world: World) -> None:
    token = Token.objects.create(user=world.annotator)
    world.annotator.is_active = False
    world.annotator.save(update_fields=["is_active"])
    response = with_token(token.key).get("/api/projects/")
    assert_error(response, 401, "not_authenticated", f"{SIGN_IN} (User inactive or deleted.)")


def test_a_deleted_token_no_longer_signs_in(world: World) -> None:
    token = Token.objects.create(user=world.annotator)
    key = token.key
    token.delete()
    assert_error(with_token(key).get("/api/projects/"), 401, "not_authenticated")
