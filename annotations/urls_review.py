"""Routes of the editors' review pages (annotations/views_review.py)."""

from django.urls import path

from annotations import views_review

urlpatterns = [
    path("", views_review.review_queue, name="review-queue"),
    path("documents/<int:document_id>/", views_review.review_document, name="review-document"),
]
