"""Sign-in throttling, shared by the sign-in page and the token endpoint.

Both count against one budget per client address (DRF scope `sign_in`, SIGN_IN_THROTTLE),
so an attacker gains nothing by alternating between them. The counters live in the cache,
which is Redis when there is one; if Redis is unreachable, sign-in stays open (and says so
in the log) rather than locking every journalist out during a broker outage.
"""

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)

THROTTLED_MESSAGE = "Too many sign-in attempts from your address; try again in {wait} seconds."


class SignInThrottle(SimpleRateThrottle):
    scope = "sign_in"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request: Any, view: Any) -> bool:
        try:
            return super().allow_request(request, view)
        except (RedisError, OSError):
            logger.warning("sign-in throttle unavailable; allowing the attempt", exc_info=True)
            return True


def sign_in_wait(request: HttpRequest) -> int | None:
    """Seconds the client must wait before another sign-in attempt, or None if it may try."""
    throttle = SignInThrottle()
    if throttle.allow_request(request, None):
        return None
    return max(1, int(throttle.wait() or 1))


class ThrottledSignInMixin:
    """For a LoginView: refuse a throttled POST with 429 before any password is checked."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = sign_in_wait(request)
        if wait is None:
            return super().post(request, *args, **kwargs)  # type: ignore[misc]
        # Bound without the password, so that while throttled no password is even looked at.
        username = request.POST.get("username", "")
        form = self.form_class(request, data={"username": username})  # type: ignore[attr-defined]
        form.add_error(None, THROTTLED_MESSAGE.format(wait=wait))
        response: HttpResponse = self.render_to_response(  # type: ignore[attr-defined]
            self.get_context_data(form=form),  # type: ignore[attr-defined]
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
