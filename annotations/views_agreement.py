"""The project agreement dashboard: editors and admins only (annotators must stay blind)."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from annotations.errors import NotFoundError
from annotations.selectors.agreement import project_agreement_get


@require_safe
@login_required
def project_agreement(request: HttpRequest, project_id: int) -> HttpResponse:
    try:
        data: dict[str, Any] = project_agreement_get(user=request.user, project_id=project_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    # Only the lowest documents are drawn as links: an address for every document of a
    # large project (a reverse() each, ~50 µs) would be most of the page's work, unused.
    data["lowest"] = [
        document | {"url": reverse("review-document", args=[document["id"]])}
        for document in data["lowest"]
    ]
    data["api"] = reverse("api-project-agreement", args=[project_id])
    return render(request, "agreement/project.html", {"data": data})
