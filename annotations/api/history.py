from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.api.common import error_responses
from annotations.api.pagination import Pagination
from annotations.api.schema import PAGE_PARAMETERS, paginated
from annotations.models import AuditEvent
from annotations.selectors.history import span_history


class SpanEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor", "action", "before", "after"]

    def get_actor(self, event: AuditEvent) -> str | None:
        return event.actor.get_username() if event.actor else None


class SpanHistoryApi(APIView):
    """Who created, changed and deleted the span, and what it looked like before and after."""

    @extend_schema(
        operation_id="spans_history_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(SpanEventSerializer), **error_responses()},
    )
    def get(self, request: Request, span_id: int) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            span_history(user=request.user, span_id=span_id), request
        )
        return paginator.get_paginated_response(SpanEventSerializer(page, many=True).data)
