"""Security headers and request-size checks that apply to every response."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from annotations.api.errors import error_body
from annotations.importers.sources import human_bytes

# Room for the multipart boundaries and the form's other fields around an upload.
UPLOAD_FORM_ALLOWANCE = 1_000_000

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Swagger UI ships an inline bootstrap script and styles of its own.
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "script-src 'self'", "script-src 'self' 'unsafe-inline'"
).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class ContentSecurityPolicyMiddleware:
    """Every page carries a CSP without inline scripts (the API docs page excepted)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = (
            DOCS_CONTENT_SECURITY_POLICY
            if request.path.startswith("/api/docs/")
            else CONTENT_SECURITY_POLICY
        )
        response.headers.setdefault("Content-Security-Policy", policy)
        return response


class ApiBodySizeLimitMiddleware:
    """Refuse oversized API bodies before anything reads them (DRF's parser would not).

    JSON bodies are held to API_MAX_BODY_BYTES; multipart uploads (imports) to
    UPLOAD_MAX_BYTES, plus room for the form around the files.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    @staticmethod
    def _refusal(request: HttpRequest) -> JsonResponse | None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
            limit = settings.UPLOAD_MAX_BYTES
            if length <= limit + UPLOAD_FORM_ALLOWANCE:
                return None
            message = (
                f"The upload has {human_bytes(length)}; an import may upload at most "
                f"{human_bytes(limit)} (UPLOAD_MAX_BYTES). Split it, or zip it."
            )
        else:
            limit = settings.API_MAX_BODY_BYTES
            if length <= limit:
                return None
            message = (
                f"The request body has {length:,} bytes; the API accepts at most {limit:,}. "
                "Upload large files through the import endpoint."
            )
        return JsonResponse(
            error_body("body_too_large", message, details={"limit": limit}), status=413
        )
