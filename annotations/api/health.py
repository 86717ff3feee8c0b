from django.http import HttpRequest, JsonResponse

from annotations.api.errors import error_body
from annotations.selectors.health import health_report


def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker state, for compose health checks and tests."""
    if request.method not in ("GET", "HEAD"):
        return JsonResponse(
            error_body("method_not_allowed", f'Method "{request.method}" not allowed; use GET.'),
            status=405,
            headers={"Allow": "GET, HEAD"},
        )
    report = health_report()
    return JsonResponse(report, status=200 if report["database"] == "ok" else 503)
