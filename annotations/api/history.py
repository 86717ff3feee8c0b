"""Histories from the audit trail: a document's decisions (editors and admins) and a span's
whole life (its annotator, editors and admins)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.api.common import error_responses
from annotations.api.pagination import paginated_response
from annotations.api.schema import PAGE_PARAMETERS, paginated
from annotations.models import AuditEvent
from annotations.selectors.history import document_history, span_history
from annotations.selectors.review import review_document_get


class HistoryEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "before",
            "after",
        ]

    def get_actor(self, event: AuditEvent) -> str | None:
        return event.actor.get_username() if event.actor else None


# A span's events are all about that span, so they leave out what they are about.
class SpanEventSerializer(HistoryEventSerializer):
    class Meta(HistoryEventSerializer.Meta):
        fields = ["id", "created_at", "actor", "action", "before", "after"]


class DocumentHistoryApi(APIView):
    """Who decided what about the document, and when, oldest first (editors and admins)."""

    @extend_schema(
        operation_id="documents_history_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(HistoryEventSerializer), **error_responses()},
    )
    def get(self, request: Request, document_id: int) -> Response:
        document = review_document_get(user=request.user, document_id=document_id)
        events = document_history(document=document)
        return paginated_response(request, events, HistoryEventSerializer)


class SpanHistoryApi(APIView):
    """Who created, changed and deleted the span, and what it looked like before and after."""

    @extend_schema(
        operation_id="spans_history_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(SpanEventSerializer), **error_responses()},
    )
    def get(self, request: Request, span_id: int) -> Response:
        events = span_history(user=request.user, span_id=span_id)
        return paginated_response(request, events, SpanEventSerializer)
