"""Output serializers shared by the API views (input serializers live beside their view)."""

from typing import Any

from rest_framework import serializers

from annotations.models import Assignment, Document, Membership, Project, Relation, Span


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


class SpanOutputSerializer(serializers.ModelSerializer):
    annotator = annotator_field("assignment.annotator.username")

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


class DeletedOutputSerializer(serializers.Serializer):
    deleted_relations = serializers.IntegerField()


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    details = serializers.DictField()


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
