"""One error shape for every API failure, whatever raised it.

{"error": {"code": "quote_mismatch", "message": "…", "field": "quote", "details": {…}}}
"""

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from annotations.api.serializers import (
    AssignmentOutputSerializer,
    MembershipOutputSerializer,
    RelationOutputSerializer,
    SpanOutputSerializer,
    VerdictOutputSerializer,
    project_shown_to,
)
from annotations.errors import DomainError
from annotations.models import Assignment, Membership, Project, Relation, Span, Verdict

logger = logging.getLogger(__name__)


def error_body(
    code: str, message: str, field: str | None = None, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field, "details": details or {}}}


def first_validation_error(detail: Any, path: str = "") -> tuple[str | None, str, str]:
    """The first (field, message, code) in DRF's nested validation detail."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            sub = f"{path}.{name}" if path and name else (name or path)
            return first_validation_error(value, sub)
    if isinstance(detail, list) and detail:
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                return first_validation_error(item, f"{path}[{index}]")
            return first_validation_error(item, path)
    code = getattr(detail, "code", "invalid") or "invalid"
    return (path or None), str(detail), str(code)


MISSING_CODES = {"required", "null", "blank"}


def _validation_response(exc: exceptions.ValidationError) -> Response:
    field, message, code = first_validation_error(exc.detail)
    readable = f"{field}: {message}" if field else message
    return Response(
        error_body(
            "missing_field" if code in MISSING_CODES else "invalid_field",
            readable,
            field,
            {"errors": exc.detail},
        ),
        status=status.HTTP_400_BAD_REQUEST,
    )


def _plain(serializer: type) -> Callable[[Any, Request], dict[str, Any]]:
    return lambda value, request: dict(serializer(value).data)


# Services put the objects a refusal is about in its details (a 409's current span, say);
# the API shows each as its own endpoints do.
DETAIL_SERIALIZERS: dict[type, Callable[[Any, Request], dict[str, Any]]] = {
    Assignment: _plain(AssignmentOutputSerializer),
    Membership: _plain(MembershipOutputSerializer),
    Project: lambda project, request: project_shown_to(request.user, project),
    Relation: _plain(RelationOutputSerializer),
    Span: _plain(SpanOutputSerializer),
    Verdict: _plain(VerdictOutputSerializer),
}


def _shown(value: Any, request: Request) -> Any:
    show = DETAIL_SERIALIZERS.get(type(value))
    return show(value, request) if show else value


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        request = context["request"]
        details = {key: _shown(value, request) for key, value in exc.details.items()}
        return Response(error_body(exc.code, exc.message, exc.field, details), status=exc.status)
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(exc)
    if isinstance(exc, Http404):
        return Response(
            error_body("not_found", "Nothing is here, or you may not see it."), status=404
        )
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ParseError):
        return Response(
            error_body(
                "malformed_json",
                f"The request body is not valid JSON ({exc.detail}). Send a JSON object with "
                "Content-Type: application/json.",
            ),
            status=400,
        )
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return Response(
            error_body(
                "not_authenticated",
                "Sign in first: send 'Authorization: Token <token>' (from POST "
                f"/api/auth/token/) or use a signed-in session. ({exc.detail})",
            ),
            status=401,
            headers={"WWW-Authenticate": 'Token realm="api"'},
        )
    if isinstance(exc, exceptions.PermissionDenied):
        code = exc.get_codes()
        return Response(
            error_body(code if isinstance(code, str) else "permission_denied", str(exc.detail)),
            status=403,
        )
    if isinstance(exc, exceptions.NotFound):
        return Response(error_body("not_found", str(exc.detail)), status=404)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return Response(error_body("method_not_allowed", str(exc.detail)), status=405)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return Response(
            error_body(
                "unsupported_media_type",
                f"{exc.detail} Send JSON with Content-Type: application/json.",
            ),
            status=415,
        )
    if isinstance(exc, exceptions.NotAcceptable):
        return Response(error_body("not_acceptable", str(exc.detail)), status=406)
    if isinstance(exc, exceptions.Throttled):
        wait = int(getattr(exc, "wait", None) or 1)
        return Response(
            error_body(
                "throttled",
                f"Too many attempts; try again in {wait} seconds.",
                details={"retry_after": wait},
            ),
            status=429,
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, exceptions.APIException):
        return Response(error_body(str(exc.default_code), str(exc.detail)), status=exc.status_code)
    if isinstance(exc, OperationalError | InterfaceError):
        # Only a lost or refused connection means "unavailable"; any other database error
        # is a bug of ours and stays a 500, so that it is seen and fixed.
        logger.exception("database unavailable")
        return Response(
            error_body(
                "service_unavailable",
                "The database is unavailable right now; nothing was saved. Try again shortly.",
            ),
            status=503,
            headers={"Retry-After": "2"},
        )
    return None


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def json_error_view(status_code: int, code: str, message: str) -> Any:
    """A Django error handler that answers API paths in the error shape."""

    def view(request: HttpRequest, exception: Exception | None = None) -> Any:
        if _wants_json(request):
            return JsonResponse(error_body(code, message), status=status_code)
        from django.views import defaults

        if status_code == 404:
            return defaults.page_not_found(request, exception or Http404())
        if status_code == 403:
            return defaults.permission_denied(request, exception or DjangoPermissionDenied())
        if status_code == 400:
            return defaults.bad_request(request, exception or Exception())
        return defaults.server_error(request)

    return view
