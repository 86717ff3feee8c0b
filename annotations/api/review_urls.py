"""Routes of the editors' review API (annotations/api/review.py)."""

from django.urls import path

from annotations.api import comments, history, review, verdicts

urlpatterns = [
    path("review/queue/", review.ReviewQueueApi.as_view(), name="api-review-queue"),
    path(
        "documents/<int:document_id>/review/",
        review.DocumentReviewApi.as_view(),
        name="api-review",
    ),
    path("documents/<int:document_id>/lease/", review.LeaseApi.as_view(), name="api-lease"),
    path(
        "documents/<int:document_id>/assignments/",
        review.AssignmentListApi.as_view(),
        name="api-assignments",
    ),
    path(
        "documents/<int:document_id>/assignments/<str:username>/",
        review.AssignmentDetailApi.as_view(),
        name="api-assignment",
    ),
    path(
        "documents/<int:document_id>/gold/merge/", review.MergeApi.as_view(), name="api-gold-merge"
    ),
    path(
        "documents/<int:document_id>/gold/decisions/",
        review.DecisionApi.as_view(),
        name="api-gold-decisions",
    ),
    path(
        "documents/<int:document_id>/verdicts/",
        verdicts.VerdictListApi.as_view(),
        name="api-verdicts",
    ),
    path("spans/<int:span_id>/verdict/", verdicts.VerdictApi.as_view(), name="api-verdict"),
    path("documents/<int:document_id>/accept/", review.AcceptApi.as_view(), name="api-accept"),
    path(
        "documents/<int:document_id>/send-back/",
        review.SendBackApi.as_view(),
        name="api-send-back",
    ),
    path(
        "documents/<int:document_id>/comments/",
        comments.CommentListApi.as_view(),
        name="api-comments",
    ),
    path(
        "documents/<int:document_id>/history/",
        history.DocumentHistoryApi.as_view(),
        name="api-history",
    ),
    path("projects/<int:project_id>/quality/", review.QualityApi.as_view(), name="api-quality"),
]
