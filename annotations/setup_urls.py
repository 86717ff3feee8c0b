from django.urls import path

from annotations import setup_views

urlpatterns = [
    path("projects/", setup_views.project_list, name="project-list"),
    path("projects/new/", setup_views.project_new, name="project-new"),
    path(
        "projects/<int:project_id>/settings/", setup_views.project_settings, name="project-settings"
    ),
    path("projects/<int:project_id>/import/", setup_views.project_import, name="project-import"),
    path("projects/<int:project_id>/export/", setup_views.project_export, name="project-export"),
]
