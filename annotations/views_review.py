"""The editors' review pages: the queue, and the page that compares and adjudicates one
document. Project editors and admins only: anyone else gets 404, annotators included
(they stay blind to one another's work). Thin: the review selectors read, the templates
render, the page's module does the rest through the review API."""

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import json_script
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_safe

from annotations.api.errors import first_validation_error
from annotations.api.review import QueueQuerySerializer
from annotations.api.serializers import VerdictOutputSerializer
from annotations.errors import NotFoundError
from annotations.models import AssignmentStatus, Document
from annotations.schema import enabled_label_names
from annotations.selectors import review as selectors
from annotations.selectors import review_queue as queue_selectors
from annotations.selectors.comparison import document_comparison, review_payload
from annotations.selectors.workspace import RELATION_FIELDS, SPAN_FIELDS
from annotations.views import guidelines_html

PAGE_SIZE = 50


class CompactJSONEncoder(DjangoJSONEncoder):
    """No spaces after separators: the compare page embeds hundreds of candidates."""

    item_separator = ","
    key_separator = ":"


STATE_NAMES = {
    "partially_submitted": "Partially submitted",
    "submitted": "Submitted",
    "in_review": "In review",
    "changes_requested": "Changes requested",
    "accepted": "Accepted",
}


@require_safe
@login_required
@ensure_csrf_cookie
def review_queue(request: HttpRequest) -> HttpResponse:
    query = QueueQuerySerializer(data=request.GET)
    problem = None
    if query.is_valid():
        data = dict(query.validated_data)
    else:
        field, message, _ = first_validation_error(query.errors)
        problem = f"{field}: {message}" if field else message
        data = {}
    states = data.pop("status", list(queue_selectors.TO_REVIEW))
    filters = queue_selectors.QueueFilters(states=states, **data)
    try:
        queue = queue_selectors.review_queue(user=request.user, filters=filters)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    counts = queue.counts
    page: Page[Document] = Paginator(
        queue_selectors.queue_page_documents(queue), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = queue_selectors.queue_rows(list(page.object_list))
    for row in rows:
        row["state_name"] = STATE_NAMES[row["review_state"]]
        for layer in row["annotators"]:
            layer["status_name"] = AssignmentStatus(layer["status"]).label
    projects = list(selectors.editable_projects(user=request.user).order_by("name"))
    kept = {k: v for k, v in request.GET.items() if k not in ("status", "page") and v}
    tabs = [
        {
            "name": "To review",
            "count": sum(counts[s] for s in queue_selectors.TO_REVIEW),
            "url": "?" + urlencode(kept),
            "current": sorted(states) == sorted(queue_selectors.TO_REVIEW),
        },
        *(
            {
                "name": STATE_NAMES[state],
                "count": counts[state],
                "url": "?" + urlencode({**kept, "status": state}),
                "current": states == [state],
            }
            for state in queue_selectors.REVIEW_STATES
        ),
    ]
    members = selectors.active_members(projects=projects)
    paging = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    # What the Assign… dialog needs: each row's annotators (with versions, to remove one)
    # and the members of each project (to add one).
    assign = {
        "rows": {
            row["id"]: {
                "title": row["title"],
                "project": row["project"]["id"],
                "annotators": [
                    {key: a[key] for key in ("username", "status", "version")}
                    for a in row["annotators"]
                ],
            }
            for row in rows
        },
        "members": members,
    }
    labels = sorted({name for p in projects for name in enabled_label_names(p.label_schema)})
    annotators = sorted({name for names in members.values() for name in names})
    return render(
        request,
        "review/queue.html",
        {
            "rows": rows,
            "page": page,
            "tabs": tabs,
            "filters": request.GET,
            "problem": problem,
            "projects": projects,
            "labels": labels,
            "annotators": annotators,
            "orderings": queue_selectors.ORDERINGS,
            "paging": paging,
            "assign": assign,
        },
    )


@require_safe
@login_required
@ensure_csrf_cookie
def review_document(request: HttpRequest, document_id: int) -> HttpResponse:
    try:
        document = selectors.review_document_get(user=request.user, document_id=document_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    comparison = document_comparison(document=document)
    review = review_payload(document, comparison)
    # The page slices the candidates' words from the text it has anyway.
    for candidate in review["span_candidates"]:
        del candidate["quote"]
    gold = comparison.gold
    project = document.project
    verdicts = selectors.verdicts_of(document=document)
    config: dict[str, Any] = {
        "document": {
            "id": document.pk,
            "title": document.title,
            "text": document.text,
            "language": document.language,
        },
        "project": {
            "id": project.pk,
            "label_schema": project.label_schema,
            "allow_overlap": project.allow_overlap,
            "rating_scale": project.rating_scale,
        },
        # The gold layer, edited with the annotators' widget (annotate.js).
        "layer": "gold",
        "assignment": {"id": gold.pk, "status": gold.status} if gold else None,
        "spans": [{f: getattr(s, f) for f in SPAN_FIELDS} for s in comparison.gold_spans],
        "relations": [
            {
                f: getattr(r, f"{f}_id" if f in ("from_span", "to_span") else f)
                for f in RELATION_FIELDS
            }
            for r in comparison.gold_relations
        ],
        "read_only": gold is None or document.accepted_at is not None,
        "review": review,
        "verdicts": VerdictOutputSerializer(verdicts, many=True).data,
        "user": request.user.get_username(),
        "urls": {
            "api": "/api",
            "queue": reverse("review-queue"),
            "next": None,
            "agreement": reverse("api-document-agreement", args=[document.pk]),
        },
    }
    return render(
        request,
        "review/document.html",
        {
            "document": document,
            "project": project,
            "review": review,
            "guidelines": guidelines_html(project.guidelines),
            "config": json_script(config, "review-config", encoder=CompactJSONEncoder),
        },
    )
