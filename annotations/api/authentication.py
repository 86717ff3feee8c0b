"""Token and session authentication, tuned for the API's hot paths.

Session authentication's CSRF refusal says what to do, under its own error code. Token
authentication looks the token's user up in one written-out query.
"""

from typing import Any

import drf_spectacular.authentication
from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token
from rest_framework.request import Request

# Every API request by a program or the annotate page's autosave runs this: through the ORM
# (select_related, get) it cost three times the CPU of the query written out.
TOKEN_USER_SQL = """
SELECT u.* FROM auth_user u JOIN authtoken_token t ON t.user_id = u.id WHERE t.key = %s
"""


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, with the same refusals, in one cheaper query."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user = next(iter(User.objects.raw(TOKEN_USER_SQL, [key])), None)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        # The token as select_related would give it, bar its creation time (loaded on use).
        token = Token.from_db(user._state.db, ["key", "user_id"], [key, user.pk])
        token.user = user
        return user, token


class SessionAuthentication(authentication.SessionAuthentication):
    """Pages call the API with the browser's session; every write must carry the CSRF token."""

    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            reason = str(exc.detail).removeprefix("CSRF Failed: ")
            raise exceptions.PermissionDenied(
                f"The CSRF check refused this signed-in request ({reason}) Send the csrftoken "
                "cookie's value in an X-CSRFToken header from a page of this site, or use an "
                "API token instead of the session.",
                code="csrf_failed",
            ) from exc


class SessionScheme(drf_spectacular.authentication.SessionScheme):
    """Keep the cookie scheme in the OpenAPI document for our subclass."""

    target_class = "annotations.api.authentication.SessionAuthentication"
