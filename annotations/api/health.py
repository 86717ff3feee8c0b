from django.http import HttpRequest, JsonResponse

from annotations.selectors.health import health_report


def healthz(request: HttpRequest) -> JsonResponse:
    """Database and broker state, for compose health checks and tests."""
    report = health_report()
    return JsonResponse(report, status=200 if report["database"] == "ok" else 503)
