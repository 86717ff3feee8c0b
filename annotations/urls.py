from django.contrib.auth import views as auth_views
from django.urls import include, path

from annotations import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("documents/<int:document_id>/annotate/", views.annotate, name="annotate"),
    # Set-up, import and export pages for project admins (issue 6).
    path("", include("annotations.setup_urls")),
]
