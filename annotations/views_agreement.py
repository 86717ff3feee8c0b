"""The project agreement dashboard: editors and admins only (annotators must stay blind)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_safe

from annotations.errors import NotFoundError
from annotations.selectors.agreement import project_agreement_get

#: The editors' review page of one document, once the review pages exist.
REVIEW_ROUTE = "review-document"


def review_url(document_id: int) -> str | None:
    """Where the dashboard links a document: its review page, when that route exists."""
    try:
        return reverse(REVIEW_ROUTE, args=[document_id])
    except NoReverseMatch:
        return None


@require_safe
@login_required
def project_agreement(request: HttpRequest, project_id: int) -> HttpResponse:
    try:
        data: dict[str, Any] = project_agreement_get(user=request.user, project_id=project_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    for document in data["documents"]:
        document["url"] = review_url(document["id"])
    data["api"] = reverse("api-project-agreement", args=[project_id])
    return render(request, "agreement/project.html", {"data": data})
