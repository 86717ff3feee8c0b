"""Server-rendered pages. Thin: selectors read, templates render, the widget does the rest."""

from typing import Any

import markdown
import nh3
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

from annotations.errors import NotFoundError
from annotations.models import DONE_STATUSES
from annotations.selectors import documents as document_selectors
from annotations.selectors.queue import next_assignment, next_in, queue_for_user
from annotations.selectors.workspace import layer_relations, layer_spans
from annotations.throttling import ThrottledSignInMixin


def guidelines_html(source: str) -> SafeString:
    """Guidelines are Markdown written by project admins; the HTML is sanitised all the same."""
    return mark_safe(nh3.clean(markdown.markdown(source)))  # noqa: S308 - cleaned by nh3 first.


class SignInView(ThrottledSignInMixin, LoginView):
    template_name = "annotations/login.html"
    redirect_authenticated_user = True
    # The form view would also take PUT; a sign-in page has no use for it.
    http_method_names = ["get", "head", "post", "options"]


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    queues = queue_for_user(user=request.user)
    # The queue already holds every open assignment: no second query for the next one.
    return render(request, "annotations/queue.html", {"queues": queues, "next": next_in(queues)})


@require_safe
@login_required
@ensure_csrf_cookie
def annotate(request: HttpRequest, document_id: int) -> HttpResponse:
    try:
        document = document_selectors.document_get(user=request.user, document_id=document_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    assignment = document_selectors.assignment_of(user=request.user, document=document)
    if assignment is None:
        # Editors may see the document, but this page edits one's own layer: there is none.
        raise Http404("You have no assignment on this document.")
    following = next_assignment(user=request.user, exclude_document_id=document.pk)
    config: dict[str, Any] = {
        "document": {
            "id": document.pk,
            "title": document.title,
            "text": document.text,
            "language": document.language,
        },
        "project": {
            "id": document.project.pk,
            "label_schema": document.project.label_schema,
            "allow_overlap": document.project.allow_overlap,
        },
        "assignment": {"id": assignment.pk, "status": assignment.status},
        "spans": layer_spans(assignment=assignment),
        "relations": layer_relations(assignment=assignment),
        "read_only": assignment.status in DONE_STATUSES,
        "urls": {
            "api": "/api",
            "queue": reverse("home"),
            "next": reverse("annotate", args=[following.document_id]) if following else None,
        },
    }
    return render(
        request,
        "annotations/annotate.html",
        {
            "document": document,
            "project": document.project,
            "assignment": assignment,
            "guidelines": guidelines_html(document.project.guidelines),
            "config": config,
        },
    )
