"""A document's comment thread: editors, and each annotator for their own assignment."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.api.common import acting_user, error_responses
from annotations.api.pagination import paginated_response
from annotations.api.schema import PAGE_PARAMETERS, paginated
from annotations.models import Comment
from annotations.selectors import review as selectors
from annotations.services import review as review_services


class CommentOutputSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    annotator = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "annotator", "body", "created_at"]

    def get_author(self, comment: Comment) -> str:
        return str(comment.author.get_username())

    def get_annotator(self, comment: Comment) -> str | None:
        """Whose assignment the comment is about (None: a note among editors)."""
        assignment = comment.assignment
        return assignment.annotator.get_username() if assignment and assignment.annotator else None


class CommentListApi(APIView):
    """The document's comment thread. Editors read all of it and may address a comment to
    one annotator's assignment; an annotator reads and writes their own assignment's."""

    class InputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=review_services.MAX_COMMENT, allow_blank=True)
        annotator = serializers.CharField(
            required=False, max_length=150, help_text="Editors: whose assignment it is about."
        )

    @extend_schema(
        operation_id="documents_comments_list",
        parameters=PAGE_PARAMETERS,
        responses={200: paginated(CommentOutputSerializer), **error_responses()},
    )
    def get(self, request: Request, document_id: int) -> Response:
        _, comments, _ = selectors.comments_visible(user=request.user, document_id=document_id)
        return paginated_response(request, comments, CommentOutputSerializer)

    @extend_schema(
        request=InputSerializer, responses={201: CommentOutputSerializer, **error_responses()}
    )
    def post(self, request: Request, document_id: int) -> Response:
        document, _, own = selectors.comments_visible(user=request.user, document_id=document_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = review_services.comment_create(
            document=document,
            actor=acting_user(request),
            body=data.validated_data["body"],
            # An annotator's comment is about their own assignment, whoever they name.
            assignment=own,
            annotator=data.validated_data.get("annotator"),
        )
        return Response(CommentOutputSerializer(comment).data, status=201)
