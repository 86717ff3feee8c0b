"""Agreement figures of a document or a project, for editors and admins."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.api.common import error_responses
from annotations.selectors import agreement as selectors

FIGURES: dict[str, serializers.Field] = {
    "computed_at": serializers.DateTimeField(allow_null=True),
    "inputs_fingerprint": serializers.CharField(),
    "metrics": serializers.DictField(
        help_text="Every metric (annotations.agreement.metrics_from_statistics); null where "
        "undefined. Includes per-label and per-annotator-pair figures."
    ),
}


class DocumentAgreementApi(APIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "DocumentAgreement",
                {
                    "document": serializers.IntegerField(),
                    "project": serializers.IntegerField(),
                    "pending": serializers.BooleanField(
                        help_text="A recomputation is queued: the figures may change."
                    ),
                    **FIGURES,
                },
            ),
            **error_responses(),
        }
    )
    def get(self, request: Request, document_id: int) -> Response:
        return Response(
            selectors.document_agreement_get(user=request.user, document_id=document_id)
        )


class ProjectAgreementApi(APIView):
    @extend_schema(
        responses={
            200: inline_serializer(
                "ProjectAgreement",
                {
                    "project": serializers.IntegerField(),
                    "name": serializers.CharField(),
                    "pending": serializers.IntegerField(
                        help_text="Documents whose figures are being recomputed."
                    ),
                    **FIGURES,
                    "documents": serializers.ListField(
                        child=serializers.DictField(),
                        help_text="Documents with two or more counted annotators and their "
                        "u_alpha, lowest first, undefined ones last.",
                    ),
                    "lowest": serializers.ListField(child=serializers.DictField()),
                },
            ),
            **error_responses(),
        }
    )
    def get(self, request: Request, project_id: int) -> Response:
        return Response(selectors.project_agreement_get(user=request.user, project_id=project_id))
