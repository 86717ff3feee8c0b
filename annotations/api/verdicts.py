"""Verdicts on gold claims: editors and admins of the project only (404 for anyone else)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.api.common import (
    VERSION_PARAMETER,
    acting_user,
    error_responses,
    requested_version,
    versioned_changes,
)
from annotations.api.serializers import VerdictOutputSerializer
from annotations.errors import NotFoundError
from annotations.models import Verdict
from annotations.selectors import review as selectors
from annotations.services import verdicts as verdict_services


class VerdictListApi(APIView):
    """The verdicts on the document's gold claims."""

    @extend_schema(responses={200: VerdictOutputSerializer(many=True), **error_responses()})
    def get(self, request: Request, document_id: int) -> Response:
        document = selectors.review_document_get(user=request.user, document_id=document_id)
        verdicts = selectors.verdicts_of(document=document)
        return Response(VerdictOutputSerializer(verdicts, many=True).data)


class VerdictFieldsSerializer(serializers.Serializer):
    rating = serializers.CharField(max_length=64)
    summary = serializers.CharField(
        required=False, allow_blank=True, max_length=verdict_services.SUMMARY_MAX
    )
    explanation = serializers.CharField(
        required=False, allow_blank=True, max_length=20_000, trim_whitespace=False
    )
    evidence_links = serializers.ListField(
        child=serializers.URLField(max_length=2000), required=False, max_length=50
    )
    fact_check_url = serializers.URLField(required=False, allow_blank=True, max_length=2000)
    claimant = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=300
    )


class VerdictApi(APIView):
    """The verdict on one gold claim: editor-only, on the project's rating scale. Without a
    claimant, POST takes the one the claim is `attributed_to`."""

    class UpdateSerializer(VerdictFieldsSerializer):
        rating = serializers.CharField(max_length=64, required=False)
        version = serializers.IntegerField(required=False)

    def _verdict(self, request: Request, span_id: int) -> Verdict:
        span, verdict = selectors.verdict_get(user=request.user, span_id=span_id)
        if verdict is None:
            raise NotFoundError(
                "no_verdict",
                "This span has no verdict yet; create one with POST "
                f"/api/spans/{span.pk}/verdict/.",
            )
        return verdict

    @extend_schema(responses={200: VerdictOutputSerializer, **error_responses()})
    def get(self, request: Request, span_id: int) -> Response:
        return Response(VerdictOutputSerializer(self._verdict(request, span_id)).data)

    @extend_schema(
        request=VerdictFieldsSerializer,
        responses={201: VerdictOutputSerializer, **error_responses(409)},
    )
    def post(self, request: Request, span_id: int) -> Response:
        span, _ = selectors.verdict_get(user=request.user, span_id=span_id)
        data = VerdictFieldsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        verdict = verdict_services.verdict_create(
            span=span, actor=acting_user(request), **data.validated_data
        )
        return Response(VerdictOutputSerializer(verdict).data, status=201)

    @extend_schema(
        request=UpdateSerializer, responses={200: VerdictOutputSerializer, **error_responses(409)}
    )
    def patch(self, request: Request, span_id: int) -> Response:
        verdict = self._verdict(request, span_id)
        version, changes = versioned_changes(request, self.UpdateSerializer)
        verdict = verdict_services.verdict_update(
            verdict=verdict, actor=acting_user(request), version=version, **changes
        )
        return Response(VerdictOutputSerializer(verdict).data)

    @extend_schema(parameters=[VERSION_PARAMETER], responses={204: None, **error_responses(409)})
    def delete(self, request: Request, span_id: int) -> Response:
        verdict = self._verdict(request, span_id)
        verdict_services.verdict_delete(
            verdict=verdict, actor=acting_user(request), version=requested_version(request)
        )
        return Response(status=204)
