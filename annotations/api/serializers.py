"""Output serializers shared by the API views (input serializers live beside their view)."""

from datetime import UTC, datetime
from typing import Any

from rest_framework import serializers

from annotations.models import (
    Assignment,
    Document,
    Membership,
    Project,
    Relation,
    Span,
    Verdict,
)
from annotations.selectors.access import project_role
from annotations.services.verdicts import rating_value


class ProjectOutputSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "guidelines",
            "label_schema",
            "schema_version",
            "annotators_per_document",
            "allow_overlap",
            "rating_scale",
            "organization",
            "role",
            "created_at",
            "updated_at",
            "version",
        ]

    def get_role(self, project: Project) -> str | None:
        roles: dict[int, str] = self.context.get("roles", {})
        return roles.get(project.pk)


def project_shown_to(user: Any, project: Project) -> dict[str, Any]:
    """The project as `user` sees it, with their role in it."""
    role = project_role(user=user, project=project)
    context = {"roles": {project.pk: role.value if role else None}}
    return dict(ProjectOutputSerializer(project, context=context).data)


class MembershipOutputSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")

    class Meta:
        model = Membership
        fields = ["username", "role", "created_at", "version"]


def annotator_field(source: str) -> serializers.CharField:
    """The layer owner's username; null for the pre-annotation layer, which has none."""
    return serializers.CharField(source=source, read_only=True, allow_null=True)


class AssignmentOutputSerializer(serializers.ModelSerializer):
    annotator = annotator_field("annotator.username")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "annotator",
            "kind",
            "status",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "version",
        ]


class DocumentListSerializer(serializers.ModelSerializer):
    length = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "project",
            "title",
            "source_url",
            "outlet",
            "author",
            "published_at",
            "language",
            "status",
            "length",
            "created_at",
            "version",
        ]

    def get_length(self, document: Document) -> int:
        return len(document.text)


class DocumentDetailSerializer(DocumentListSerializer):
    assignment = serializers.SerializerMethodField()

    class Meta(DocumentListSerializer.Meta):
        fields = [
            *DocumentListSerializer.Meta.fields,
            "text",
            "text_hash",
            "retrieved_at",
            "retrieved_from",
            "metadata",
            "accepted_at",
            "assignment",
        ]

    def get_assignment(self, document: Document) -> dict[str, Any] | None:
        assignment = self.context.get("assignment")
        return AssignmentOutputSerializer(assignment).data if assignment else None


def _timestamp(value: datetime) -> str:
    """A datetime as DRF's DateTimeField writes it in UTC: ISO 8601 with a Z."""
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _username(assignment: Assignment) -> str | None:
    annotator = assignment.annotator
    return annotator.username if annotator is not None else None


class SpanOutputSerializer(serializers.ModelSerializer):
    """A span as the API shows it.

    Every autosave returns one, so ``to_representation`` writes the JSON directly:
    a ModelSerializer otherwise rebuilds its fields from the model for each instance,
    which cost more than the rest of serialising. The declared fields still describe
    the JSON in the OpenAPI schema, and a test checks the two agree.
    """

    annotator = annotator_field("assignment.annotator.username")

    def to_representation(self, span: Span) -> dict[str, Any]:
        return {
            "id": span.pk,
            "client_id": str(span.client_id) if span.client_id is not None else None,
            "label": span.label,
            "start": span.start,
            "end": span.end,
            "quote": span.quote,
            "prefix": span.prefix,
            "suffix": span.suffix,
            "attributes": span.attributes,
            "note": span.note,
            "version": span.version,
            "annotator": _username(span.assignment),
            "created_at": _timestamp(span.created_at),
            "updated_at": _timestamp(span.updated_at),
        }

    class Meta:
        model = Span
        fields = [
            "id",
            "client_id",
            "label",
            "start",
            "end",
            "quote",
            "prefix",
            "suffix",
            "attributes",
            "note",
            "version",
            "annotator",
            "created_at",
            "updated_at",
        ]


class RelationOutputSerializer(serializers.ModelSerializer):
    annotator = annotator_field("assignment.annotator.username")

    class Meta:
        model = Relation
        fields = [
            "id",
            "client_id",
            "type",
            "from_span",
            "to_span",
            "annotator",
            "created_at",
            "version",
        ]


class VerdictOutputSerializer(serializers.ModelSerializer):
    quote = serializers.CharField(source="span.quote")
    rating_value = serializers.SerializerMethodField()
    updated_by = serializers.SerializerMethodField()

    class Meta:
        model = Verdict
        fields = [
            "id",
            "span",
            "quote",
            "rating",
            "rating_value",
            "summary",
            "explanation",
            "evidence_links",
            "fact_check_url",
            "claimant",
            "updated_by",
            "updated_at",
            "version",
        ]

    def get_rating_value(self, verdict: Verdict) -> float | None:
        """The rating's number on the scale, for export (None: Unverifiable and the like)."""
        return rating_value(verdict.span.assignment.document.project.rating_scale, verdict.rating)

    def get_updated_by(self, verdict: Verdict) -> str | None:
        return verdict.updated_by.get_username() if verdict.updated_by else None


class DeletedOutputSerializer(serializers.Serializer):
    deleted_relations = serializers.IntegerField()


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    details = serializers.DictField()


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
