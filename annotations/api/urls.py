from django.urls import include, path

from annotations.api import agreement, auth, documents, history, projects, spans

urlpatterns = [
    path("auth/token/", auth.TokenApi.as_view(), name="api-token"),
    # Import and export jobs (issue 6): project admins only.
    path("", include("annotations.api.jobs_urls")),
    path("projects/", projects.ProjectListApi.as_view(), name="api-projects"),
    path("projects/<int:project_id>/", projects.ProjectDetailApi.as_view(), name="api-project"),
    path(
        "projects/<int:project_id>/members/",
        projects.MembershipListApi.as_view(),
        name="api-members",
    ),
    path(
        "projects/<int:project_id>/members/<str:username>/",
        projects.MembershipDetailApi.as_view(),
        name="api-member",
    ),
    path(
        "projects/<int:project_id>/documents/",
        documents.DocumentListApi.as_view(),
        name="api-documents",
    ),
    path(
        "documents/<int:document_id>/", documents.DocumentDetailApi.as_view(), name="api-document"
    ),
    path("documents/<int:document_id>/spans/", spans.SpanListApi.as_view(), name="api-spans"),
    path(
        "documents/<int:document_id>/relations/",
        spans.RelationListApi.as_view(),
        name="api-relations",
    ),
    path("documents/<int:document_id>/submit/", documents.SubmitApi.as_view(), name="api-submit"),
    path(
        "documents/<int:document_id>/agreement/",
        agreement.DocumentAgreementApi.as_view(),
        name="api-document-agreement",
    ),
    path(
        "projects/<int:project_id>/agreement/",
        agreement.ProjectAgreementApi.as_view(),
        name="api-project-agreement",
    ),
    path("spans/<int:span_id>/", spans.SpanDetailApi.as_view(), name="api-span"),
    path(
        "spans/<int:span_id>/history/",
        history.SpanHistoryApi.as_view(),
        name="api-span-history",
    ),
    path("relations/<int:relation_id>/", spans.RelationDetailApi.as_view(), name="api-relation"),
    # The editors' review (issue 5): project editors and admins only; annotators get 404.
    path("", include("annotations.api.review_urls")),
]
