"""Sign-in: CSRF on every session write, and one throttle for the page and the token API."""

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from annotations.throttling import SignInThrottle
from tests.conftest import World, assert_error
from tests.factories import PASSWORD
from tests.processes import free_port

pytestmark = pytest.mark.django_db

CSRF_MESSAGE = (
    "The CSRF check refused this signed-in request ({reason}) Send the csrftoken cookie's "
    "value in an X-CSRFToken header from a page of this site, or use an API token instead of "
    "the session."
)
THROTTLED = "Too many sign-in attempts from your address; try again in {wait} seconds."


def signed_in(world: World) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.annotator)
    return client


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/documents/{document}/spans/", {"label": "claim", "start": 0, "end": 3}),
        ("patch", "/api/spans/{span}/", {"note": "x", "version": 1}),
        ("delete", "/api/spans/{span}/?version=1", None),
        ("post", "/api/documents/{document}/submit/", None),
    ],
)
def test_a_session_write_without_the_csrf_token_is_refused(
    world: World, method: str, path: str, body: Any
) -> None:
    url = path.format(document=world.document.pk, span=world.span.pk)
    response = getattr(signed_in(world), method)(url, body, format="json")
    assert_error(response, 403, "csrf_failed", CSRF_MESSAGE.format(reason="CSRF cookie not set."))
    world.span.refresh_from_db()
    assert world.span.version == 1


def test_a_session_write_with_the_pages_csrf_token_is_accepted(world: World) -> None:
    client = signed_in(world)
    page = client.get(f"/documents/{world.document.pk}/annotate/")
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    response = client.patch(
        f"/api/spans/{world.span.pk}/",
        {"note": "checked", "version": 1},
        format="json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code == 200, response.content


def test_a_session_write_with_a_wrong_csrf_token_is_refused(world: World) -> None:
    client = signed_in(world)
    client.get(f"/documents/{world.document.pk}/annotate/")
    response = client.patch(
        f"/api/spans/{world.span.pk}/",
        {"note": "x", "version": 1},
        format="json",
        HTTP_X_CSRFTOKEN="x" * 32,
    )
    assert_error(
        response,
        403,
        "csrf_failed",
        CSRF_MESSAGE.format(reason="CSRF token from the 'X-Csrftoken' HTTP header incorrect."),
    )


def test_the_sign_in_form_needs_its_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def sign_in_page(client: Client, password: str, **headers: str) -> Any:
    return client.post(
        "/accounts/login/", {"username": "alice", "password": password}, headers=headers
    )


def test_the_sign_in_page_is_throttled_before_any_password_is_checked(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SignInThrottle, "timer", staticmethod(lambda: 1_000_000.0))
    client = Client()
    attempts = [sign_in_page(client, "wrong").status_code for _ in range(10)]
    assert attempts == [200] * 10
    response = sign_in_page(client, PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert THROTTLED.format(wait=60) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_forged_forwarded_for_header_does_not_escape_the_throttle(world: World) -> None:
    client = Client()
    for n in range(10):
        sign_in_page(client, "wrong", x_forwarded_for=f"203.0.113.{n}")
    response = sign_in_page(client, PASSWORD, x_forwarded_for="198.51.100.7")
    assert response.status_code == 429


def test_the_page_and_the_token_api_share_one_budget(world: World) -> None:
    api = APIClient()
    wrong = {"username": "alice", "password": "wrong"}
    statuses = [api.post("/api/auth/token/", wrong, format="json").status_code for _ in range(10)]
    assert statuses == [400] * 10
    assert sign_in_page(Client(), PASSWORD).status_code == 429


def test_sign_in_stays_open_when_the_throttle_store_is_unreachable(
    world: World, settings: Any
) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}
    }
    client = Client()
    assert sign_in_page(client, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(world.annotator.pk)
    token = APIClient().post(
        "/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert token.status_code == 200
