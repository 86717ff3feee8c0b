"""Small helpers shared by the API views."""

from typing import Any

from django.contrib.auth.models import User
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from annotations.api.serializers import ErrorSerializer
from annotations.errors import Invalid

ERROR_MEANINGS = {
    400: "Invalid input; `error.field` names what to fix.",
    401: "Not signed in.",
    403: "Signed in, but the role is too low.",
    404: "No such object, or not visible to you.",
    409: "Conflict: stale version, or a state that forbids this.",
    413: "Body too large.",
    415: "Not JSON.",
    429: "Too many requests.",
    503: "A backing service is down; nothing was saved.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for the error shape at the given statuses (plus the usual ones)."""
    wanted = sorted({400, 401, 403, 404, 413, 415, 503, *codes})
    return {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_MEANINGS[code]) for code in wanted
    }


VERSION_PARAMETER = OpenApiParameter(
    "version", int, OpenApiParameter.QUERY, required=False, description="Current version."
)


def requested_version(request: Request, body: dict[str, Any] | None = None) -> int | None:
    """The version the client saw: body `version`, `?version=N` or an If-Match header."""
    raw: Any = None
    if body is not None and body.get("version") is not None:
        raw = body["version"]
    elif request.query_params.get("version") not in (None, ""):
        raw = request.query_params["version"]
    elif request.headers.get("If-Match"):
        raw = request.headers["If-Match"].strip().removeprefix("W/").strip('"')
    if raw is None:
        return None
    if isinstance(raw, bool):
        raw = "not a number"
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise Invalid(
            "invalid_version", f"version must be an integer, not {raw!r}.", field="version"
        ) from exc


def versioned_changes(
    request: Request, serializer_class: type[serializers.Serializer]
) -> tuple[int | None, dict[str, Any]]:
    """A versioned write's body, validated: the version the client saw (see
    `requested_version`) and the changes it asks for, without the version."""
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    changes = dict(data.validated_data)
    version = requested_version(request, changes)
    changes.pop("version", None)
    return version, changes


def acting_user(request: Request) -> User:
    """The signed-in user making this request (views behind IsAuthenticated only)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user
