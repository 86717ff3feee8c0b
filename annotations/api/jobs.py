"""Import and export jobs: create one, follow its progress, download an export's file."""

from typing import Any

from django.conf import settings
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.api.common import acting_user, error_responses
from annotations.api.pagination import paginated_response
from annotations.api.schema import PAGE_PARAMETERS, paginated
from annotations.api.serializers import ErrorSerializer
from annotations.errors import ConflictError, DomainError
from annotations.exporters import EXPORTERS
from annotations.exporters.records import DATE_FIELDS
from annotations.importers.sources import FORMATS
from annotations.models import DocumentStatus, Job, Role
from annotations.selectors import jobs as selectors
from annotations.selectors.access import project_get_for_user
from annotations.services import exports, imports
from annotations.services.jobs import media_path


class Gone(DomainError):
    status = 410


def job_percent(job: Job) -> int:
    if job.status == Job.Status.DONE:
        return 100
    if not job.total:
        return 0
    return min(100, job.progress * 100 // job.total)


class JobOutputSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()
    options = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "format",
            "options",
            "status",
            "progress",
            "total",
            "percent",
            "report",
            "errors",
            "attempts",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "url",
            "download_url",
        ]

    def get_created_by(self, job: Job) -> str | None:
        return job.created_by.get_username() if job.created_by else None

    def get_percent(self, job: Job) -> int:
        return job_percent(job)

    def get_options(self, job: Job) -> dict[str, Any]:
        """An import's files by name only: where they sit on the server is not the client's."""
        options = dict(job.options)
        if "files" in options:
            options["files"] = [entry["name"] for entry in options["files"]]
        return options

    def get_url(self, job: Job) -> str:
        return reverse(f"api-{job.kind}", args=[job.project_id, job.pk])

    def get_download_url(self, job: Job) -> str | None:
        if job.kind != Job.Kind.EXPORT or job.status != Job.Status.DONE or not job.result_file:
            return None
        return reverse("api-export-download", args=[job.project_id, job.pk])


def _list(request: Request, project_id: int, kind: str) -> Response:
    jobs = selectors.job_list(user=request.user, project_id=project_id, kind=kind)
    return paginated_response(request, jobs, JobOutputSerializer)


class ImportListApi(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.ListField(child=serializers.FileField(), required=False)
        urls = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
        format = serializers.ChoiceField(choices=["auto", *FORMATS], required=False)
        layer = serializers.CharField(required=False, allow_blank=True, max_length=150)

    @extend_schema(
        operation_id="projects_imports_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(JobOutputSerializer), **error_responses()},
    )
    def get(self, request: Request, project_id: int) -> Response:
        return _list(request, project_id, Job.Kind.IMPORT)

    @extend_schema(
        request={"multipart/form-data": InputSerializer, "application/json": InputSerializer},
        responses={202: JobOutputSerializer, **error_responses()},
        description=(
            "Upload one or more files (`file`, repeated) or send a list of URLs (`urls`, one "
            "a line). The job runs in the background; follow it at its `url`."
        ),
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = project_get_for_user(user=request.user, project_id=project_id, minimum=Role.ADMIN)
        body = request.data if isinstance(request.data, dict) else {}
        data: dict[str, Any] = {
            key: body.get(key) for key in ("urls", "format", "layer") if key in body
        }
        if isinstance(data.get("urls"), list):
            data["urls"] = "\n".join(str(url) for url in data["urls"])
        files = request.FILES.getlist("file")
        serializer = self.InputSerializer(data={**data, "file": files} if files else data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        job = imports.import_job_create(
            project=project,
            actor=acting_user(request),
            uploads=values.get("file", []),
            urls=values.get("urls", ""),
            format=values.get("format"),
            layer=values.get("layer") or None,
        )
        return Response(JobOutputSerializer(job).data, status=202)


class ImportDetailApi(APIView):
    @extend_schema(responses={200: JobOutputSerializer, **error_responses()})
    def get(self, request: Request, project_id: int, job_id: int) -> Response:
        job = selectors.job_get(
            user=request.user, project_id=project_id, job_id=job_id, kind=Job.Kind.IMPORT
        )
        return Response(JobOutputSerializer(job).data)


class ExportListApi(APIView):
    class InputSerializer(serializers.Serializer):
        format = serializers.ChoiceField(choices=list(EXPORTERS))
        layer = serializers.CharField(required=False, max_length=150, default="gold")
        statuses = serializers.ListField(
            child=serializers.ChoiceField(choices=DocumentStatus.values), required=False
        )
        date_field = serializers.ChoiceField(choices=list(DATE_FIELDS), required=False)
        date_from = serializers.DateField(required=False, allow_null=True)
        date_to = serializers.DateField(required=False, allow_null=True)
        pseudonymize = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        operation_id="projects_exports_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(JobOutputSerializer), **error_responses()},
    )
    def get(self, request: Request, project_id: int) -> Response:
        return _list(request, project_id, Job.Kind.EXPORT)

    @extend_schema(
        request=InputSerializer, responses={202: JobOutputSerializer, **error_responses()}
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = project_get_for_user(user=request.user, project_id=project_id, minimum=Role.ADMIN)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        options = dict(serializer.validated_data)
        job = exports.export_job_create(
            project=project,
            actor=acting_user(request),
            format=options.pop("format"),
            options=options,
        )
        return Response(JobOutputSerializer(job).data, status=202)


class ExportDetailApi(APIView):
    @extend_schema(responses={200: JobOutputSerializer, **error_responses()})
    def get(self, request: Request, project_id: int, job_id: int) -> Response:
        job = selectors.job_get(
            user=request.user, project_id=project_id, job_id=job_id, kind=Job.Kind.EXPORT
        )
        return Response(JobOutputSerializer(job).data)


def export_file_response(job: Job) -> FileResponse:
    """The finished file of an export job, or the error that says why there is none."""
    if job.status != Job.Status.DONE:
        state = job.status
        if job.status == Job.Status.RUNNING:
            state = f"running ({job_percent(job)}% done)"
        raise ConflictError(
            "export_not_ready", f"This export is {state}; download it when it is done."
        )
    path = media_path(job.result_file) if job.result_file else None
    if path is None or not path.exists() or (job.expires_at and job.expires_at <= timezone.now()):
        raise Gone(
            "export_expired",
            f"This export's file was deleted after {settings.JOB_RESULT_RETENTION_HOURS} hours; "
            "run the export again.",
        )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=exports.file_name(job),
        content_type=EXPORTERS[job.format].content_type,
    )


class ExportDownloadApi(APIView):
    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(description="The export file."),
            **error_responses(409),
            410: OpenApiResponse(ErrorSerializer, description="The file has expired."),
        }
    )
    def get(self, request: Request, project_id: int, job_id: int) -> FileResponse:
        job = selectors.job_get(
            user=request.user, project_id=project_id, job_id=job_id, kind=Job.Kind.EXPORT
        )
        return export_file_response(job)
