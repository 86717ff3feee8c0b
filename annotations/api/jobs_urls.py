from django.urls import path

from annotations.api import jobs

urlpatterns = [
    path("projects/<int:project_id>/imports/", jobs.ImportListApi.as_view(), name="api-imports"),
    path(
        "projects/<int:project_id>/imports/<int:job_id>/",
        jobs.ImportDetailApi.as_view(),
        name="api-import",
    ),
    path("projects/<int:project_id>/exports/", jobs.ExportListApi.as_view(), name="api-exports"),
    path(
        "projects/<int:project_id>/exports/<int:job_id>/",
        jobs.ExportDetailApi.as_view(),
        name="api-export",
    ),
    path(
        "projects/<int:project_id>/exports/<int:job_id>/download/",
        jobs.ExportDownloadApi.as_view(),
        name="api-export-download",
    ),
]
