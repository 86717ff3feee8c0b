from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.api.common import acting_user, error_responses
from annotations.api.pagination import paginated_response
from annotations.api.schema import PAGE_PARAMETERS, paginated
from annotations.api.serializers import (
    AssignmentOutputSerializer,
    DocumentDetailSerializer,
    DocumentListSerializer,
)
from annotations.errors import Invalid
from annotations.models import DocumentStatus, Role
from annotations.selectors import documents as selectors
from annotations.selectors.access import project_get_for_user
from annotations.services import documents as services


class DocumentListApi(APIView):
    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=500)
        text = serializers.CharField(trim_whitespace=False)
        source_url = serializers.URLField(required=False, allow_blank=True, max_length=2000)
        outlet = serializers.CharField(required=False, allow_blank=True, max_length=300)
        author = serializers.CharField(required=False, allow_blank=True, max_length=300)
        published_at = serializers.DateField(required=False, allow_null=True)
        language = serializers.CharField(required=False, allow_blank=True, max_length=35)
        metadata = serializers.DictField(required=False)

    @extend_schema(
        operation_id="projects_documents_list",
        parameters=[
            OpenApiParameter("status", str, enum=DocumentStatus.values, required=False),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated(DocumentListSerializer), **error_responses()},
    )
    def get(self, request: Request, project_id: int) -> Response:
        status = request.query_params.get("status") or None
        if status is not None and status not in DocumentStatus.values:
            raise Invalid(
                "invalid_field",
                f"status must be one of {', '.join(DocumentStatus.values)}.",
                field="status",
            )
        documents = selectors.document_list(user=request.user, project_id=project_id, status=status)
        return paginated_response(request, documents, DocumentListSerializer)

    @extend_schema(
        request=InputSerializer,
        responses={201: DocumentDetailSerializer, **error_responses()},
    )
    def post(self, request: Request, project_id: int) -> Response:
        project = project_get_for_user(user=request.user, project_id=project_id, minimum=Role.ADMIN)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = services.document_create(
            project=project, actor=acting_user(request), **data.validated_data
        )
        return Response(DocumentDetailSerializer(document).data, status=201)


class DocumentDetailApi(APIView):
    @extend_schema(responses={200: DocumentDetailSerializer, **error_responses()})
    def get(self, request: Request, document_id: int) -> Response:
        document = selectors.document_get(user=request.user, document_id=document_id)
        assignment = selectors.assignment_of(user=request.user, document=document)
        return Response(DocumentDetailSerializer(document, context={"assignment": assignment}).data)

    @extend_schema(responses={204: None, **error_responses()})
    def delete(self, request: Request, document_id: int) -> Response:
        document = selectors.document_get(
            user=request.user, document_id=document_id, minimum=Role.ADMIN
        )
        services.document_delete(document=document, actor=acting_user(request))
        return Response(status=204)


class SubmitApi(APIView):
    @extend_schema(
        request=None, responses={200: AssignmentOutputSerializer, **error_responses(409)}
    )
    def post(self, request: Request, document_id: int) -> Response:
        assignment = selectors.layer_get(user=request.user, document_id=document_id)
        assignment = services.assignment_submit(assignment=assignment, actor=acting_user(request))
        return Response(AssignmentOutputSerializer(assignment).data)
