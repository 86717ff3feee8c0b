"""Pages for project admins: set-up (settings, schema, members), import and export.

Thin like the API: each form is parsed (`setup_forms`), handed to the same service the API
calls, and a refusal comes back as the service's message next to the field it names.
"""

import json
import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from annotations import setup_forms as forms
from annotations.api.jobs import JobOutputSerializer
from annotations.errors import DomainError, NotFoundError, PermissionDeniedError
from annotations.exporters import EXPORTERS
from annotations.exporters.records import DATE_FIELDS
from annotations.importers.sources import FORMATS
from annotations.models import (
    DocumentStatus,
    Job,
    Project,
    Role,
)
from annotations.schema import UNDERLINE_STYLES
from annotations.selectors import projects as project_selectors
from annotations.selectors.access import project_get_for_user
from annotations.selectors.jobs import jobs_of_project
from annotations.services import exports, imports
from annotations.services import projects as services
from annotations.views import guidelines_html

FIELD_OF_LABEL = re.compile(r"^label_schema\.labels\[(\d+)\]\.(\w+)")
FIELD_OF_RATING = re.compile(r"^rating_scale\[(\d+)\]")
RECENT_JOBS = 10
EXTRA_RATING_ROWS = 2


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _admin_project(request: HttpRequest, project_id: int) -> Project:
    """The project if the user is its admin; 404 for non-members, 403 below admin."""
    try:
        return project_get_for_user(user=request.user, project_id=project_id, minimum=Role.ADMIN)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


def _matrix(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Tell the permission matrix which methods a function view serves."""

    def mark(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        view.matrix_methods = methods  # type: ignore[attr-defined]
        return view

    return mark


@_matrix("GET")
@require_safe
@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "annotations/setup/project_list.html",
        {
            "projects": project_selectors.projects_administered(user=user),
            "can_create": user.is_staff or user.is_superuser,
        },
    )


@_matrix("GET", "POST")
@require_http_methods(["GET", "POST"])
@login_required
def project_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not (user.is_staff or user.is_superuser):
        raise PermissionDenied("Only staff users may create projects; ask a site admin.")
    error: DomainError | None = None
    if request.method == "POST":
        try:
            project = services.project_create(
                actor=user,
                name=request.POST.get("name", "").strip() or forms.missing("name", "a name"),
                annotators_per_document=forms.whole_number(
                    request.POST.get("annotators_per_document"), 2
                ),
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, f"Project “{project.name}” created.")
            return HttpResponseRedirect(reverse("project-settings", args=[project.pk]))
    return render(
        request,
        "annotations/setup/project_new.html",
        {"error": error, "values": request.POST},
        status=400 if error else 200,
    )


@_matrix("GET", "POST")
@require_http_methods(["GET", "POST"])
@login_required
def project_settings(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _admin_project(request, project_id)
    error: DomainError | None = None
    form = ""
    if request.method == "POST":
        form = request.POST.get("form", "")
        try:
            done = forms.settings_change(project, request.POST, _user(request))
        except DomainError as exc:
            error = exc
            project.refresh_from_db()
        else:
            messages.success(request, done)
            return HttpResponseRedirect(reverse("project-settings", args=[project.pk]) + "#" + form)
    post = request.POST if error else None
    label_rows = forms.label_rows(project.label_schema, post if form == "schema-form" else None)
    error_row = error_field = None
    if error is not None and error.field:
        match = FIELD_OF_LABEL.match(error.field) or FIELD_OF_RATING.match(error.field)
        if match:
            error_row = int(match.group(1))
            error_field = match.group(2) if match.re is FIELD_OF_LABEL else "name"
    rating_rows = list(project.rating_scale) + [
        {"name": "", "value": None} for _ in range(EXTRA_RATING_ROWS)
    ]
    return render(
        request,
        "annotations/setup/project_settings.html",
        {
            "project": project,
            "tab": "settings",
            "error": error,
            "form": form,
            "error_row": error_row,
            "error_field": error_field,
            "post": post,
            "label_rows": label_rows,
            "underlines": UNDERLINE_STYLES,
            "schema_json": post.get("label_schema", "")
            if form == "schema-json" and post is not None
            else json.dumps(project.label_schema, indent=2, ensure_ascii=False),
            "rating_rows": rating_rows,
            "memberships": project_selectors.project_members(project=project),
            "roles": Role.choices,
            "guidelines_preview": guidelines_html(project.guidelines),
        },
        status=400 if error else 200,
    )


# Import and export pages ---------------------------------------------------------------


def _jobs(project: Project, kind: str) -> list[dict[str, Any]]:
    jobs = jobs_of_project(project=project, kind=kind)[:RECENT_JOBS]
    return [dict(JobOutputSerializer(job).data) for job in jobs]


@_matrix("GET", "POST")
@require_http_methods(["GET", "POST"])
@login_required
def project_import(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _admin_project(request, project_id)
    error: DomainError | None = None
    if request.method == "POST":
        try:
            job = imports.import_job_create(
                project=project,
                actor=_user(request),
                uploads=request.FILES.getlist("file"),
                urls=request.POST.get("urls", ""),
                format=request.POST.get("format") or None,
                layer=request.POST.get("layer") or None,
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, f"Import job {job.pk} started.")
            return HttpResponseRedirect(reverse("project-import", args=[project.pk]))
    return render(
        request,
        "annotations/setup/project_import.html",
        {
            "project": project,
            "tab": "import",
            "error": error,
            "formats": FORMATS,
            "jobs": _jobs(project, Job.Kind.IMPORT),
            "values": request.POST,
        },
        status=400 if error else 200,
    )


@_matrix("GET", "POST")
@require_http_methods(["GET", "POST"])
@login_required
def project_export(request: HttpRequest, project_id: int) -> HttpResponse:
    project = _admin_project(request, project_id)
    error: DomainError | None = None
    if request.method == "POST":
        post = request.POST
        try:
            job = exports.export_job_create(
                project=project,
                actor=_user(request),
                format=post.get("format", ""),
                options={
                    "layer": post.get("layer") or "gold",
                    "statuses": post.getlist("statuses"),
                    "date_field": post.get("date_field") or "imported",
                    "date_from": post.get("date_from") or None,
                    "date_to": post.get("date_to") or None,
                    "pseudonymize": post.get("pseudonymize") == "on",
                },
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, f"Export job {job.pk} started.")
            return HttpResponseRedirect(reverse("project-export", args=[project.pk]))
    annotators = (
        project_selectors.project_annotators(project=project)
        .values_list("annotator__username", flat=True)
        .distinct()
        .order_by("annotator__username")
    )
    return render(
        request,
        "annotations/setup/project_export.html",
        {
            "project": project,
            "tab": "export",
            "error": error,
            "formats": list(EXPORTERS),
            "annotators": list(annotators),
            "statuses": DocumentStatus.choices,
            "date_fields": list(DATE_FIELDS),
            "jobs": _jobs(project, Job.Kind.EXPORT),
            "values": request.POST,
        },
        status=400 if error else 200,
    )
