from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
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
from annotations.api.serializers import (
    DeletedOutputSerializer,
    RelationOutputSerializer,
    SpanOutputSerializer,
)
from annotations.selectors import documents as selectors
from annotations.services import spans as services

LAYER_PARAMETERS = [
    OpenApiParameter(
        "annotator", str, required=False, description="Editors: another annotator's layer."
    ),
    OpenApiParameter(
        "layer", str, required=False, enum=["gold", "preannotation"], description="Editors."
    ),
]
MAX_NOTE = 10_000


def _layer(request: Request, document_id: int) -> Any:
    return selectors.layer_get(
        user=request.user,
        document_id=document_id,
        annotator=request.query_params.get("annotator") or None,
        layer=request.query_params.get("layer") or None,
    )


class SpanListApi(APIView):
    class InputSerializer(serializers.Serializer):
        client_id = serializers.UUIDField(required=False, allow_null=True)
        label = serializers.CharField(max_length=64)  # type: ignore[assignment]
        start = serializers.IntegerField()
        end = serializers.IntegerField()
        quote = serializers.CharField(trim_whitespace=False)
        attributes = serializers.DictField(required=False)
        note = serializers.CharField(
            required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_NOTE
        )

    @extend_schema(
        parameters=LAYER_PARAMETERS,
        responses={200: SpanOutputSerializer(many=True), **error_responses()},
    )
    def get(self, request: Request, document_id: int) -> Response:
        assignment = _layer(request, document_id)
        spans = selectors.span_list(assignment=assignment)
        return Response(SpanOutputSerializer(spans, many=True).data)

    @extend_schema(
        parameters=LAYER_PARAMETERS,
        request=InputSerializer,
        responses={
            201: SpanOutputSerializer,
            200: SpanOutputSerializer,
            **error_responses(409),
        },
    )
    def post(self, request: Request, document_id: int) -> Response:
        assignment = _layer(request, document_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        span, created = services.span_create(
            assignment=assignment, actor=acting_user(request), **data.validated_data
        )
        return Response(SpanOutputSerializer(span).data, status=201 if created else 200)


class SpanDetailApi(APIView):
    class UpdateSerializer(serializers.Serializer):
        version = serializers.IntegerField(required=False)
        label = serializers.CharField(max_length=64, required=False)  # type: ignore[assignment]
        start = serializers.IntegerField(required=False)
        end = serializers.IntegerField(required=False)
        quote = serializers.CharField(trim_whitespace=False, required=False)
        attributes = serializers.DictField(required=False)
        note = serializers.CharField(
            required=False, allow_blank=True, trim_whitespace=False, max_length=MAX_NOTE
        )

    @extend_schema(responses={200: SpanOutputSerializer, **error_responses()})
    def get(self, request: Request, span_id: int) -> Response:
        return Response(
            SpanOutputSerializer(selectors.span_get(user=request.user, span_id=span_id)).data
        )

    @extend_schema(
        request=UpdateSerializer, responses={200: SpanOutputSerializer, **error_responses(409)}
    )
    def patch(self, request: Request, span_id: int) -> Response:
        span = selectors.span_get(user=request.user, span_id=span_id)
        version, changes = versioned_changes(request, self.UpdateSerializer)
        span = services.span_update(
            span=span, actor=acting_user(request), version=version, **changes
        )
        return Response(SpanOutputSerializer(span).data)

    @extend_schema(
        parameters=[VERSION_PARAMETER],
        responses={200: DeletedOutputSerializer, **error_responses(409)},
    )
    def delete(self, request: Request, span_id: int) -> Response:
        span = selectors.span_get(user=request.user, span_id=span_id)
        deleted = services.span_delete(
            span=span, actor=acting_user(request), version=requested_version(request)
        )
        return Response({"deleted_relations": deleted})


class RelationListApi(APIView):
    class InputSerializer(serializers.Serializer):
        client_id = serializers.UUIDField(required=False, allow_null=True)
        type = serializers.CharField(max_length=64)  # type: ignore[assignment]
        from_span = serializers.IntegerField(required=False, allow_null=True)
        to_span = serializers.IntegerField(required=False, allow_null=True)
        from_client_id = serializers.UUIDField(required=False, allow_null=True)
        to_client_id = serializers.UUIDField(required=False, allow_null=True)

    @extend_schema(
        parameters=LAYER_PARAMETERS,
        responses={200: RelationOutputSerializer(many=True), **error_responses()},
    )
    def get(self, request: Request, document_id: int) -> Response:
        assignment = _layer(request, document_id)
        relations = selectors.relation_list(assignment=assignment)
        return Response(RelationOutputSerializer(relations, many=True).data)

    @extend_schema(
        parameters=LAYER_PARAMETERS,
        request=InputSerializer,
        responses={
            201: RelationOutputSerializer,
            200: RelationOutputSerializer,
            **error_responses(409),
        },
    )
    def post(self, request: Request, document_id: int) -> Response:
        assignment = _layer(request, document_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        relation, created = services.relation_create(
            assignment=assignment, actor=acting_user(request), **data.validated_data
        )
        return Response(RelationOutputSerializer(relation).data, status=201 if created else 200)


class RelationDetailApi(APIView):
    @extend_schema(responses={204: None, **error_responses(409)})
    def delete(self, request: Request, relation_id: int) -> Response:
        relation = selectors.relation_get(user=request.user, relation_id=relation_id)
        services.relation_delete(relation=relation, actor=acting_user(request))
        return Response(status=204)
