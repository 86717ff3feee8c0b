"""The editors' review API: queue, lease, reassignment, comparison, merge, decisions and
annotator quality (verdicts are in api/verdicts.py, the comment thread in api/comments.py,
the document's history in api/history.py). Every endpoint is for the project's editors and
admins and answers 404 to anyone else, annotators included: they stay blind to one
another's work."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.api.common import (
    VERSION_PARAMETER,
    acting_user,
    error_responses,
    requested_version,
)
from annotations.api.pagination import Pagination
from annotations.api.serializers import (
    AssignmentOutputSerializer,
    RelationOutputSerializer,
    SpanOutputSerializer,
)
from annotations.models import Document
from annotations.schema import NAME_RE
from annotations.selectors import review as selectors
from annotations.selectors import review_queue as queue_selectors
from annotations.selectors.comparison import document_summary, review_payload
from annotations.selectors.quality import annotator_quality
from annotations.services import adjudication
from annotations.services import gold as gold_services
from annotations.services import review as review_services

ANY = serializers.DictField(help_text="See the endpoint's description.")


class QueueQuerySerializer(serializers.Serializer):
    project = serializers.IntegerField(required=False, min_value=1)
    status = serializers.CharField(
        required=False,
        help_text="Comma-separated review states, or `all`; default: "
        + ",".join(queue_selectors.TO_REVIEW),
    )
    # A field named "label" shadows Field.label in the stubs; the query parameter needs it.
    label = serializers.RegexField(  # type: ignore[assignment]
        NAME_RE, required=False, max_length=64, help_text="A label of the project's schema."
    )
    annotator = serializers.CharField(required=False, max_length=150)
    agreement_min = serializers.FloatField(required=False)
    agreement_max = serializers.FloatField(required=False)
    agreement_undefined = serializers.BooleanField(required=False, allow_null=True, default=None)
    submitted_after = serializers.DateField(required=False)
    submitted_before = serializers.DateField(required=False)
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    ordering = serializers.ChoiceField(
        choices=list(queue_selectors.ORDERINGS), required=False, default="agreement"
    )

    def validate_status(self, value: str) -> list[str]:
        if value == "all":
            return list(queue_selectors.REVIEW_STATES)
        states = [s.strip() for s in value.split(",") if s.strip()]
        unknown = [s for s in states if s not in queue_selectors.REVIEW_STATES]
        if unknown or not states:
            raise serializers.ValidationError(
                f"{', '.join(unknown) or 'nothing'} is not a review state; use "
                f"{', '.join(queue_selectors.REVIEW_STATES)} or all."
            )
        return states


class QueueRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    project = serializers.DictField()
    outlet = serializers.CharField()
    published_at = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    status = serializers.CharField()
    review_state = serializers.CharField()
    agreement = serializers.FloatField(allow_null=True, help_text="null where undefined (n/a).")
    annotators_per_document = serializers.IntegerField()
    submitted = serializers.IntegerField(help_text="Layers submitted (or accepted) so far.")
    last_submitted_at = serializers.DateTimeField(allow_null=True)
    annotators = serializers.ListField(
        child=serializers.DictField(),
        help_text="username, status, version, submitted_at, review_comment and label_counts "
        "(spans per label of a submitted layer; null until counted).",
    )
    lease = serializers.DictField(allow_null=True, help_text="holder and expires_at, if live.")
    accepted_at = serializers.DateTimeField(allow_null=True)


class ReviewQueueApi(APIView):
    """Documents to review in the editor's projects, lowest agreement first (undefined after
    every number), with the count of every review state under the same filters."""

    @extend_schema(
        parameters=[QueueQuerySerializer],
        responses={
            200: inline_serializer(
                "ReviewQueuePage",
                {
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": QueueRowSerializer(many=True),
                    "counts": serializers.DictField(child=serializers.IntegerField()),
                },
            ),
            **error_responses(),
        },
    )
    def get(self, request: Request) -> Response:
        query = QueueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = dict(query.validated_data)
        filters = queue_selectors.QueueFilters(
            states=data.pop("status", list(queue_selectors.TO_REVIEW)), **data
        )
        queue = queue_selectors.review_queue(user=request.user, filters=filters)
        paginator = Pagination()
        page: list[Document] | None = paginator.paginate_queryset(
            queue_selectors.queue_page_documents(queue), request
        )
        rows = queue_selectors.queue_rows(list(page or []))
        response = paginator.get_paginated_response(QueueRowSerializer(rows, many=True).data)
        response.data["counts"] = queue.counts
        return response


REVIEW_SCHEMA = inline_serializer(
    "DocumentReview",
    {
        "document": ANY,
        "annotators": serializers.ListField(child=serializers.DictField()),
        "gold": serializers.DictField(allow_null=True),
        "compared": serializers.ListField(child=serializers.CharField()),
        "span_candidates": serializers.ListField(
            child=serializers.DictField(),
            help_text="key, label, start, end, quote, voters, votes, agreed, attributes "
            "(name → value → voters), group, alternatives, status (open, accepted, "
            "rejected), gold_span, decided_by. Disagreements first, in document order.",
        ),
        "relation_candidates": serializers.ListField(child=serializers.DictField()),
        "decisions": serializers.DictField(child=serializers.IntegerField()),
        "disagreements": serializers.IntegerField(),
    },
)


class DocumentReviewApi(APIView):
    """Every annotator's layer side by side: span and relation candidates with their votes."""

    @extend_schema(responses={200: REVIEW_SCHEMA, **error_responses()})
    def get(self, request: Request, document_id: int) -> Response:
        document = selectors.review_document_get(user=request.user, document_id=document_id)
        return Response(review_payload(document))


LEASE_SCHEMA = inline_serializer(
    "ReviewLease",
    {
        "holder": serializers.CharField(),
        "expires_at": serializers.DateTimeField(),
        "taken_over_from": serializers.CharField(allow_null=True),
        "warning": serializers.CharField(allow_null=True),
    },
)


class LeaseApi(APIView):
    """Claim (or renew) the document for adjudication; `takeover` takes another editor's
    live lease. DELETE gives it back (only the holder's own lease is released)."""

    class InputSerializer(serializers.Serializer):
        takeover = serializers.BooleanField(required=False, default=False)

    @extend_schema(request=InputSerializer, responses={200: LEASE_SCHEMA, **error_responses(409)})
    def post(self, request: Request, document_id: int) -> Response:
        document = selectors.review_document_get(user=request.user, document_id=document_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lease = review_services.lease_claim(
            document=document, actor=acting_user(request), takeover=data.validated_data["takeover"]
        )
        warning = (
            f"You took this document over from {lease.taken_over_from}; their unsaved "
            "decisions will be refused."
            if lease.taken_over_from
            else None
        )
        return Response(
            {
                "holder": lease.holder,
                "expires_at": lease.expires_at,
                "taken_over_from": lease.taken_over_from,
                "warning": warning,
            }
        )

    @extend_schema(responses={204: None, **error_responses()})
    def delete(self, request: Request, document_id: int) -> Response:
        document = selectors.review_document_get(user=request.user, document_id=document_id)
        review_services.lease_release(document=document, actor=acting_user(request))
        return Response(status=204)


class AssignmentListApi(APIView):
    """The document's annotators; POST gives it to one more (named, or the least loaded)."""

    class InputSerializer(serializers.Serializer):
        annotator = serializers.CharField(required=False, max_length=150)
        least_loaded = serializers.BooleanField(required=False, default=False)

    @extend_schema(responses={200: AssignmentOutputSerializer(many=True), **error_responses()})
    def get(self, request: Request, document_id: int) -> Response:
        document = selectors.review_document_get(user=request.user, document_id=document_id)
        assignments = selectors.annotator_assignments(document=document)
        return Response(AssignmentOutputSerializer(assignments, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: AssignmentOutputSerializer, **error_responses(409)},
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = selectors.review_document_get(user=request.user, document_id=document_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = review_services.assignment_add(
            document=document,
            actor=acting_user(request),
            username=data.validated_data.get("annotator"),
            least_loaded=data.validated_data["least_loaded"],
        )
        return Response(AssignmentOutputSerializer(assignment).data, status=201)


class AssignmentDetailApi(APIView):
    """Take the document (and their layer) away from an annotator, at ?version=N."""

    @extend_schema(parameters=[VERSION_PARAMETER], responses={204: None, **error_responses(409)})
    def delete(self, request: Request, document_id: int, username: str) -> Response:
        document = selectors.review_document_get(user=request.user, document_id=document_id)
        review_services.assignment_remove(
            document=document,
            actor=acting_user(request),
            username=username,
            version=requested_version(request),
        )
        return Response(status=204)


class MergeApi(APIView):
    """Start or re-merge the gold layer by a strategy. Decisions already taken, and gold the
    editor drew or edited, are kept unless `reset` is true."""

    class InputSerializer(serializers.Serializer):
        strategy = serializers.CharField(max_length=32)
        k = serializers.IntegerField(required=False, allow_null=True, min_value=1)
        reset = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("MergeResult", {"merge": ANY, "review": REVIEW_SCHEMA}),
            **error_responses(409),
        },
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = selectors.review_document_get(user=request.user, document_id=document_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report, merged = gold_services.gold_merge(
            document=document, actor=acting_user(request), **data.validated_data
        )
        return Response({"merge": vars(report), "review": review_payload(merged.document, merged)})


class DecisionApi(APIView):
    """Accept a candidate into gold, reject it, or reopen it (`decision`: accepted,
    rejected or open)."""

    class InputSerializer(serializers.Serializer):
        candidate = serializers.CharField(max_length=400)
        decision = serializers.CharField(max_length=16)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer(
                "Decision",
                {
                    "candidate": serializers.CharField(),
                    "status": serializers.CharField(),
                    "gold_span": SpanOutputSerializer(allow_null=True),
                    "gold_relation": RelationOutputSerializer(allow_null=True),
                    "removed_relations": serializers.IntegerField(),
                },
            ),
            **error_responses(409),
        },
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = selectors.review_document_get(user=request.user, document_id=document_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = adjudication.candidate_decide(
            document=document,
            actor=acting_user(request),
            candidate=data.validated_data["candidate"],
            outcome=data.validated_data["decision"],
        )
        return Response(
            {
                "candidate": decided.candidate,
                "status": decided.status,
                "gold_span": SpanOutputSerializer(decided.gold_span).data
                if decided.gold_span
                else None,
                "gold_relation": RelationOutputSerializer(decided.gold_relation).data
                if decided.gold_relation
                else None,
                "removed_relations": decided.removed_relations,
            }
        )


class AcceptApi(APIView):
    """Accept the document: gold becomes final, the date is kept. Refused while candidates
    are undecided, unless `force` is true."""

    class InputSerializer(serializers.Serializer):
        force = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("AcceptedDocument", {"document": ANY}),
            **error_responses(409),
        },
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = selectors.review_document_get(user=request.user, document_id=document_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        accepted = adjudication.document_accept(
            document=document, actor=acting_user(request), force=data.validated_data["force"]
        )
        return Response({"document": document_summary(accepted)})


class SendBackApi(APIView):
    """Send a submitted layer back to its annotator with a comment (changes_requested)."""

    class InputSerializer(serializers.Serializer):
        annotator = serializers.CharField(max_length=150)
        # Blank passes here so that the service's message says what to do.
        comment = serializers.CharField(max_length=review_services.MAX_COMMENT, allow_blank=True)

    @extend_schema(
        request=InputSerializer,
        responses={200: AssignmentOutputSerializer, **error_responses(409)},
    )
    def post(self, request: Request, document_id: int) -> Response:
        document = selectors.review_document_get(user=request.user, document_id=document_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = review_services.assignment_send_back(
            document=document,
            actor=acting_user(request),
            username=data.validated_data["annotator"],
            comment=data.validated_data["comment"],
        )
        return Response(AssignmentOutputSerializer(assignment).data)


class QualityApi(APIView):
    """Each annotator's agreement with gold (span F1, exact and overlap, per label), over the
    project's accepted documents."""

    @extend_schema(
        parameters=[OpenApiParameter("project_id", int, OpenApiParameter.PATH)],
        responses={
            200: inline_serializer(
                "AnnotatorQuality",
                {
                    "project": serializers.IntegerField(),
                    "documents": serializers.IntegerField(),
                    "annotators": serializers.ListField(child=serializers.DictField()),
                },
            ),
            **error_responses(),
        },
    )
    def get(self, request: Request, project_id: int) -> Response:
        project = selectors.review_project_get(user=request.user, project_id=project_id)
        return Response(annotator_quality(project=project))
