"""Session authentication whose CSRF refusal says what to do, under its own error code."""

import drf_spectacular.authentication
from rest_framework import authentication, exceptions
from rest_framework.request import Request


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
