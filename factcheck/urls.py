from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from annotations.api.errors import json_error_view
from annotations.api.health import healthz
from annotations.views_agreement import project_agreement

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("annotations.api.urls")),
    path("admin/", admin.site.urls),
    path("projects/<int:project_id>/agreement/", project_agreement, name="project-agreement"),
    path("review/", include("annotations.urls_review")),
    path("", include("annotations.urls")),
]

handler400 = json_error_view(400, "bad_request", "The request could not be understood.")
handler403 = json_error_view(403, "permission_denied", "You may not do this.")
handler404 = json_error_view(404, "not_found", "There is no such endpoint or object.")
handler500 = json_error_view(
    500, "server_error", "Something went wrong on our side; it has been logged."
)
