"""The permission matrix: every endpoint and page × every role → the expected status.

One table. A URL pattern (and method) of ours without a row fails `test_every_route_has_a_row`,
so a new endpoint cannot land without saying who may use it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from annotations.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Job,
    Span,
    Verdict,
)
from tests.conftest import World, client_for

ROLES = (
    "anonymous",
    "non_member",
    "annotator",
    "other_annotator",
    "editor",
    "other_admin",
    "admin",
    "site_admin",
)


@dataclass(frozen=True)
class Row:
    route: str  # URL pattern name
    method: str
    path: Callable[[World], str]
    expected: dict[str, int]
    body: Callable[[World], Any] = field(default=lambda w: None)
    page: bool = False  # pages use session sign-in, the API uses tokens
    # Runs before the call, to make room for what the request creates.
    prepare: Callable[[World], None] = field(default=lambda w: None)


def statuses(
    anonymous: int,
    non_member: int,
    annotator: int,
    other_annotator: int,
    editor: int,
    other_admin: int,
    admin: int,
    site_admin: int,
) -> dict[str, int]:
    return dict(
        zip(
            ROLES,
            (
                anonymous,
                non_member,
                annotator,
                other_annotator,
                editor,
                other_admin,
                admin,
                site_admin,
            ),
            strict=True,
        )
    )


def project(w: World) -> str:
    return f"/api/projects/{w.project.pk}/"


def document(w: World) -> str:
    return f"/api/documents/{w.document.pk}/"


def new_span(w: World) -> dict[str, Any]:
    return {"label": "claim", "start": 18, "end": 35, "quote": w.document.text[18:35]}


def submitted(w: World) -> str:
    """The world's document with alice's layer submitted, so that it can be reviewed."""
    Assignment.objects.filter(pk=w.assignment.pk).update(status=AssignmentStatus.SUBMITTED)
    return document(w)


def gold_claim(w: World) -> Span:
    """A claim in the document's gold layer, with a verdict (version 1)."""
    gold, _ = Assignment.objects.get_or_create(
        document=w.document, kind=AssignmentKind.GOLD, defaults={"annotator": w.editor}
    )
    claim, _ = Span.objects.get_or_create(
        assignment=gold, label="claim", start=4, end=12, defaults={"quote": w.document.text[4:12]}
    )
    Verdict.objects.get_or_create(span=claim, defaults={"rating": "True"})
    return claim


ROWS: list[Row] = [
    Row("healthz", "GET", lambda w: "/healthz", statuses(200, 200, 200, 200, 200, 200, 200, 200)),
    Row(
        "api-schema",
        "GET",
        lambda w: "/api/schema/",
        statuses(200, 200, 200, 200, 200, 200, 200, 200),
    ),
    Row(
        "api-docs", "GET", lambda w: "/api/docs/", statuses(200, 200, 200, 200, 200, 200, 200, 200)
    ),
    Row(
        "api-token",
        "POST",
        lambda w: "/api/auth/token/",
        statuses(400, 400, 400, 400, 400, 400, 400, 400),
        body=lambda w: {"username": "alice", "password": "wrong"},
    ),
    Row(
        "api-projects",
        "GET",
        lambda w: "/api/projects/",
        statuses(401, 200, 200, 200, 200, 200, 200, 200),
    ),
    Row(
        "api-projects",
        "POST",
        lambda w: "/api/projects/",
        statuses(401, 403, 403, 403, 403, 403, 403, 201),
        body=lambda w: {"name": "New"},
    ),
    Row("api-project", "GET", project, statuses(401, 404, 200, 200, 200, 404, 200, 200)),
    Row(
        "api-project",
        "PATCH",
        project,
        statuses(401, 404, 403, 403, 403, 404, 200, 200),
        body=lambda w: {"name": "Renamed", "version": 1},
    ),
    Row("api-project", "DELETE", project, statuses(401, 404, 403, 403, 403, 404, 204, 204)),
    Row(
        "api-members",
        "GET",
        lambda w: project(w) + "members/",
        statuses(401, 404, 403, 403, 200, 404, 200, 200),
    ),
    Row(
        "api-members",
        "POST",
        lambda w: project(w) + "members/",
        statuses(401, 404, 403, 403, 403, 404, 201, 201),
        body=lambda w: {"username": "nina", "role": "annotator"},
    ),
    Row(
        "api-member",
        "PATCH",
        lambda w: project(w) + "members/bob/",
        statuses(401, 404, 403, 403, 403, 404, 200, 200),
        body=lambda w: {"role": "editor", "version": 1},
    ),
    Row(
        "api-member",
        "DELETE",
        lambda w: project(w) + "members/bob/",
        statuses(401, 404, 403, 403, 403, 404, 204, 204),
    ),
    Row(
        "api-documents",
        "GET",
        lambda w: project(w) + "documents/",
        statuses(401, 404, 200, 200, 200, 404, 200, 200),
    ),
    Row(
        "api-documents",
        "POST",
        lambda w: project(w) + "documents/",
        statuses(401, 404, 403, 403, 403, 404, 201, 201),
        body=lambda w: {"title": "New article", "text": "Someone said something."},
    ),
    Row("api-document", "GET", document, statuses(401, 404, 200, 200, 200, 404, 200, 200)),
    Row("api-document", "DELETE", document, statuses(401, 404, 403, 403, 403, 404, 204, 204)),
    Row(
        "api-spans",
        "GET",
        lambda w: document(w) + "spans/",
        statuses(401, 404, 200, 200, 404, 404, 404, 404),
    ),
    Row(
        "api-spans",
        "POST",
        lambda w: document(w) + "spans/",
        statuses(401, 404, 201, 201, 404, 404, 404, 404),
        body=new_span,
    ),
    Row(
        "api-relations",
        "GET",
        lambda w: document(w) + "relations/",
        statuses(401, 404, 200, 200, 404, 404, 404, 404),
    ),
    Row(
        "api-relations",
        "POST",
        lambda w: document(w) + "relations/",
        statuses(401, 404, 201, 400, 404, 404, 404, 404),
        # alice's layer already links these two spans; bob may not name alice's spans.
        prepare=lambda w: w.relation.delete(),
        body=lambda w: {
            "type": "attributed_to",
            "from_span": w.span.pk,
            "to_span": w.target.pk,
        },
    ),
    Row(
        "api-submit",
        "POST",
        lambda w: document(w) + "submit/",
        statuses(401, 404, 200, 200, 404, 404, 404, 404),
    ),
    Row(
        "api-span",
        "GET",
        lambda w: f"/api/spans/{w.span.pk}/",
        statuses(401, 404, 200, 404, 200, 404, 200, 200),
    ),
    Row(
        "api-span",
        "PATCH",
        lambda w: f"/api/spans/{w.span.pk}/",
        statuses(401, 404, 200, 404, 403, 404, 403, 403),
        body=lambda w: {"note": "checked", "version": 1},
    ),
    Row(
        "api-span",
        "DELETE",
        lambda w: f"/api/spans/{w.span.pk}/?version=1",
        statuses(401, 404, 200, 404, 403, 404, 403, 403),
    ),
    Row(
        "api-span-history",
        "GET",
        lambda w: f"/api/spans/{w.span.pk}/history/",
        statuses(401, 404, 200, 404, 200, 404, 200, 200),
    ),
    Row(
        "api-relation",
        "DELETE",
        lambda w: f"/api/relations/{w.relation.pk}/",
        statuses(401, 404, 204, 404, 403, 404, 403, 403),
    ),
    Row(
        "api-document-agreement",
        "GET",
        lambda w: document(w) + "agreement/",
        statuses(401, 404, 404, 404, 200, 404, 200, 200),
    ),
    Row(
        "api-project-agreement",
        "GET",
        lambda w: project(w) + "agreement/",
        statuses(401, 404, 404, 404, 200, 404, 200, 200),
    ),
    Row(
        "project-agreement",
        "GET",
        lambda w: f"/projects/{w.project.pk}/agreement/",
        statuses(302, 404, 404, 404, 200, 404, 200, 200),
        page=True,
    ),
    Row("home", "GET", lambda w: "/", statuses(302, 200, 200, 200, 200, 200, 200, 200), page=True),
    Row(
        "login",
        "GET",
        lambda w: "/accounts/login/",
        statuses(200, 302, 302, 302, 302, 302, 302, 302),
        page=True,
    ),
    Row(
        "login",
        "POST",
        lambda w: "/accounts/login/",
        statuses(200, 302, 302, 302, 302, 302, 302, 302),
        page=True,
    ),
    Row(
        "logout",
        "POST",
        lambda w: "/accounts/logout/",
        statuses(302, 302, 302, 302, 302, 302, 302, 302),
        page=True,
    ),
    Row(
        "annotate",
        "GET",
        lambda w: f"/documents/{w.document.pk}/annotate/",
        statuses(302, 404, 200, 200, 404, 404, 404, 404),
        page=True,
    ),
    # The editors' review (issue 5). Every review endpoint and page answers 404 to anyone
    # who does not edit the project, annotators included: review shows how others
    # annotated, and annotators stay blind to it (as with agreement). Editors reach them
    # in their own projects only. A 400 or 409 below is the editor getting past the
    # permission check to a refusal of the request itself.
    Row(
        "api-review-queue",
        "GET",
        lambda w: "/api/review/queue/",
        statuses(401, 404, 404, 404, 200, 200, 200, 200),
    ),
    Row(
        "api-review",
        "GET",
        lambda w: document(w) + "review/",
        statuses(401, 404, 404, 404, 200, 404, 200, 200),
    ),
    Row(
        "api-lease",
        "POST",
        lambda w: document(w) + "lease/",
        statuses(401, 404, 404, 404, 200, 404, 200, 200),
    ),
    Row(
        "api-lease",
        "DELETE",
        lambda w: document(w) + "lease/",
        statuses(401, 404, 404, 404, 204, 404, 204, 204),
    ),
    Row(
        "api-assignments",
        "GET",
        lambda w: document(w) + "assignments/",
        statuses(401, 404, 404, 404, 200, 404, 200, 200),
    ),
    Row(
        "api-assignments",
        "POST",
        lambda w: document(w) + "assignments/",
        statuses(401, 404, 404, 404, 201, 404, 201, 201),
        body=lambda w: {"annotator": "erin"},
    ),
    Row(
        "api-assignment",
        "DELETE",
        lambda w: document(w) + "assignments/bob/?version=1",
        statuses(401, 404, 404, 404, 204, 404, 204, 204),
    ),
    Row(
        "api-gold-merge",
        "POST",
        lambda w: submitted(w) + "gold/merge/",
        statuses(401, 404, 404, 404, 200, 404, 200, 200),
        body=lambda w: {"strategy": "majority"},
    ),
    Row(
        "api-gold-decisions",
        "POST",
        lambda w: document(w) + "gold/decisions/",
        statuses(401, 404, 404, 404, 400, 404, 400, 400),
        body=lambda w: {"candidate": "claim:4:12", "decision": "maybe"},
    ),
    Row(
        "api-verdicts",
        "GET",
        lambda w: document(w) + "verdicts/",
        statuses(401, 404, 404, 404, 200, 404, 200, 200),
    ),
    Row(
        "api-verdict",
        "GET",
        lambda w: f"/api/spans/{gold_claim(w).pk}/verdict/",
        statuses(401, 404, 404, 404, 200, 404, 200, 200),
    ),
    Row(
        "api-verdict",
        "POST",
        lambda w: f"/api/spans/{w.span.pk}/verdict/",
        statuses(401, 404, 404, 404, 400, 404, 400, 400),
        body=lambda w: {"rating": "True"},
    ),
    Row(
        "api-verdict",
        "PATCH",
        lambda w: f"/api/spans/{gold_claim(w).pk}/verdict/",
        statuses(401, 404, 404, 404, 200, 404, 200, 200),
        body=lambda w: {"summary": "Checked", "version": 1},
    ),
    Row(
        "api-verdict",
        "DELETE",
        lambda w: f"/api/spans/{gold_claim(w).pk}/verdict/?version=1",
        statuses(401, 404, 404, 404, 204, 404, 204, 204),
    ),
    Row(
        "api-accept",
        "POST",
        lambda w: (gold_claim(w), document(w))[1] + "accept/",
        statuses(401, 404, 404, 404, 200, 404, 200, 200),
        body=lambda w: {"force": True},
    ),
    Row(
        "api-send-back",
        "POST",
        lambda w: submitted(w) + "send-back/",
        statuses(401, 404, 404, 404, 200, 404, 200, 200),
        body=lambda w: {"annotator": "alice", "comment": "Please check the source."},
    ),
    # The thread is shared with annotators: each reads and writes their own assignment's.
    Row(
        "api-comments",
        "GET",
        lambda w: document(w) + "comments/",
        statuses(401, 404, 200, 200, 200, 404, 200, 200),
    ),
    Row(
        "api-comments",
        "POST",
        lambda w: document(w) + "comments/",
        statuses(401, 404, 201, 201, 201, 404, 201, 201),
        body=lambda w: {"body": "A question about the guidelines."},
    ),
    Row(
        "api-history",
        "GET",
        lambda w: document(w) + "history/",
        statuses(401, 404, 404, 404, 200, 404, 200, 200),
    ),
    Row(
        "api-quality",
        "GET",
        lambda w: project(w) + "quality/",
        statuses(401, 404, 404, 404, 200, 404, 200, 200),
    ),
    Row(
        "review-queue",
        "GET",
        lambda w: "/review/",
        statuses(302, 404, 404, 404, 200, 200, 200, 200),
        page=True,
    ),
    Row(
        "review-document",
        "GET",
        lambda w: f"/review/documents/{w.document.pk}/",
        statuses(302, 404, 404, 404, 200, 404, 200, 200),
        page=True,
    ),
    Row(
        "admin:index",
        "GET",
        lambda w: "/admin/",
        statuses(302, 302, 302, 302, 302, 302, 302, 200),
        page=True,
    ),
]


def job(w: World, kind: str) -> Job:
    """A queued job of the project (made once per test)."""
    found = Job.objects.filter(project=w.project, kind=kind).first()
    return found or Job.objects.create(project=w.project, kind=kind, format="jsonl")


def jobs(w: World, kind: str) -> str:
    return f"{project(w)}{kind}s/"


# Issue 6: imports and exports (project admins only).
ROWS += [
    Row(
        "api-imports",
        "GET",
        lambda w: jobs(w, "import"),
        statuses(401, 404, 403, 403, 403, 404, 200, 200),
    ),
    Row(
        "api-imports",
        "POST",
        lambda w: jobs(w, "import"),
        statuses(401, 404, 403, 403, 403, 404, 202, 202),
        body=lambda w: {"urls": ["http://127.0.0.1:9/article"]},
    ),
    Row(
        "api-import",
        "GET",
        lambda w: f"{jobs(w, 'import')}{job(w, 'import').pk}/",
        statuses(401, 404, 403, 403, 403, 404, 200, 200),
    ),
    Row(
        "api-exports",
        "GET",
        lambda w: jobs(w, "export"),
        statuses(401, 404, 403, 403, 403, 404, 200, 200),
    ),
    Row(
        "api-exports",
        "POST",
        lambda w: jobs(w, "export"),
        statuses(401, 404, 403, 403, 403, 404, 202, 202),
        body=lambda w: {"format": "jsonl", "layer": "all"},
    ),
    Row(
        "api-export",
        "GET",
        lambda w: f"{jobs(w, 'export')}{job(w, 'export').pk}/",
        statuses(401, 404, 403, 403, 403, 404, 200, 200),
    ),
    # A queued export: the admin passes the permission check and hears it is not ready.
    Row(
        "api-export-download",
        "GET",
        lambda w: f"{jobs(w, 'export')}{job(w, 'export').pk}/download/",
        statuses(401, 404, 403, 403, 403, 404, 409, 409),
    ),
]


def page(w: World, name: str) -> str:
    return f"/projects/{w.project.pk}/{name}/"


# Issue 6: the admin pages. An empty POST passes the permission check and is refused (400).
ADMIN_PAGE = statuses(302, 404, 403, 403, 403, 404, 200, 200)
ADMIN_POST = statuses(302, 404, 403, 403, 403, 404, 400, 400)
ROWS += [
    Row(
        "project-list",
        "GET",
        lambda w: "/projects/",
        statuses(302, 200, 200, 200, 200, 200, 200, 200),
        page=True,
    ),
    Row(
        "project-new",
        "GET",
        lambda w: "/projects/new/",
        statuses(302, 403, 403, 403, 403, 403, 403, 200),
        page=True,
    ),
    Row(
        "project-new",
        "POST",
        lambda w: "/projects/new/",
        statuses(302, 403, 403, 403, 403, 403, 403, 400),
        page=True,
    ),
    *(
        Row(
            f"project-{name}",
            method,
            lambda w, name=name: page(w, name),
            ADMIN_PAGE if method == "GET" else ADMIN_POST,
            page=True,
        )
        for name in ("settings", "import", "export")
        for method in ("GET", "POST")
    ),
]


def _call(row: Row, world: World, role: str) -> int:
    user = None if role == "anonymous" else world.user(role)
    row.prepare(world)
    if row.page:
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.generic(row.method, row.path(world))
        return response.status_code
    api = client_for(user)
    response = getattr(api, row.method.lower())(row.path(world), row.body(world), format="json")
    return response.status_code


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.route}")
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world: World, row: Row, role: str) -> None:
    assert _call(row, world, role) == row.expected[role]


def _our_routes() -> set[tuple[str, str]]:
    """Every (pattern name, method) that our URL configuration serves."""
    found: set[tuple[str, str]] = set()

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue  # Django's own admin: its index stands for it in the table.
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                view_class = getattr(pattern.callback, "view_class", None)
                if view_class is None:
                    methods = getattr(pattern.callback, "matrix_methods", ("GET",))
                else:
                    methods = tuple(
                        m.upper()
                        for m in ("get", "post", "put", "patch", "delete")
                        if hasattr(view_class, m) and m in view_class.http_method_names
                    )
                for method in methods:
                    found.add((name, method))

    walk(get_resolver().url_patterns, None)
    return found


def test_every_route_has_a_row() -> None:
    covered = {(row.route, row.method) for row in ROWS}
    missing = sorted(_our_routes() - covered)
    assert not missing, f"routes without a permission-matrix row: {missing}"


def _unnamed_routes() -> list[str]:
    """URL patterns of ours without a name: the table could not list them, so none may exist."""
    unnamed: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and not pattern.name:
                unnamed.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return unnamed


def test_every_route_is_named_so_the_table_can_list_it() -> None:
    assert _unnamed_routes() == []


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
UNLISTED = sorted(
    {(row.route, method) for row in ROWS for method in METHODS if row.route != "admin:index"}
    - {(row.route, row.method) for row in ROWS}
)


@pytest.mark.parametrize(("route", "method"), UNLISTED, ids=[f"{m} {r}" for r, m in UNLISTED])
def test_a_method_without_a_row_is_refused(world: World, route: str, method: str) -> None:
    """Pages refuse it before asking anyone to sign in; the API even for a site admin (it
    authenticates first, so an anonymous caller would get 401 whatever the method)."""
    row = next(r for r in ROWS if r.route == route)
    if row.page:
        response = Client().generic(method, row.path(world))
    else:
        response = getattr(client_for(world.site_admin), method.lower())(row.path(world))
    assert response.status_code == 405, f"{method} {row.path(world)}: {response.status_code}"
