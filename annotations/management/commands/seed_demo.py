"""Demo data for `make run`: a project, three articles, four users. Safe to run again."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from annotations.models import Assignment, AssignmentKind, Document, Membership, Project, Role
from annotations.schema import default_rating_scale, default_schema
from annotations.services.documents import assignment_submit, assignments_fill, document_create
from annotations.services.spans import relation_create, span_create
from annotations.text import normalize_text, text_hash

PROJECT_NAME = "Demo: claims and denials"
DEMO_PASSWORD = "factcheck"
USERS = [
    ("admin", "site admin", None),
    ("erin", "editor", Role.EDITOR),
    ("alice", "annotator", Role.ANNOTATOR),
    ("bob", "annotator", Role.ANNOTATOR),
]
GUIDELINES = """\
# Guidelines

* **claim** — a checkable statement of fact, as reported.
* **denial** — a statement rejecting a claim ("unfounded", "simply false").
* **attribution** — who is speaking: a named person, organisation or anonymous source.

Link a denial to the claim it `denies`, and claims and denials to their source with
`attributed_to`.
"""
NBSP = "\u00a0"
ARTICLES: list[dict[str, Any]] = [
    {
        "title": "CIA denies mishandling intelligence on pipeline threat",
        "outlet": "Demo Wire",
        "author": "Demo Staff",
        "language": "en",
        "text": (
            "WASHINGTON — Two former officials said on Tuesday that the Central Intelligence "
            "Agency mishandled intelligence about a planned attack on a regional gas pipeline.\n"
            "\n"
            'A CIA spokeswoman, Liz Lyons, called the allegations "unfounded" and said the '
            'agency "acted on every credible lead."\n'
            "\n"
            "The officials, who spoke on condition of anonymity, said warnings reached the "
            "agency weeks before the incident."
        ),
    },
    {
        "title": "Viral post claims Riverton tap water is poisoning families 🚰",
        "outlet": "Riverton Gazette",
        "author": "Demo Staff",
        "language": "en",
        "text": (
            'A post shared 40,000 times 😷 claims that tap water in Riverton "is poisoning '
            'families 👩‍👩‍👧". The post, written in English and Hindi ("पानी ज़हरीला है"), '
            "first appeared on a page calling itself Spın̈al Health.\n"
            "\n"
            f'Mayor{NBSP}Ana{NBSP}Petrova said the claim was{NBSP}"simply false" and pointed '
            "to weekly laboratory tests.\n"
            "\n"
            "The water utility said its latest report found no contaminants above federal "
            "limits."
        ),
    },
    {
        "title": "Minister says unemployment fell to a record low",
        "outlet": "Demo Wire",
        "author": "Demo Staff",
        "language": "en",
        "text": (
            "Economy Minister Paolo Ricci told parliament on Monday that unemployment had "
            'fallen to 4.1 percent, "the lowest level ever recorded."\n'
            "\n"
            "The national statistics office said its records only go back to 1993 and that "
            "the rate was lower in 2001.\n"
            "\n"
            'An opposition spokesman rejected the minister\'s figures as "misleading".'
        ),
    },
]
# alice's started work on the first article: the running example of DESIGN.md.
ALICE_SPANS = [
    ("claim", "the Central Intelligence Agency mishandled intelligence"),
    ("attribution", "A CIA spokeswoman, Liz Lyons"),
    ("denial", "unfounded"),
]
# alice's and bob's submitted work on the third article, for the editors' review queue: they
# agree on the source, not quite on the claim's end, and only alice saw a denial.
REVIEW_LAYERS = {
    "alice": [
        ("claim", "unemployment had fallen to 4.1 percent"),
        ("attribution", "Economy Minister Paolo Ricci"),
        ("denial", "rejected the minister's figures"),
    ],
    "bob": [
        ("claim", 'unemployment had fallen to 4.1 percent, "the lowest level ever recorded."'),
        ("attribution", "Economy Minister Paolo Ricci"),
    ],
}


class Command(BaseCommand):
    help = "Create the demo project, articles and users (idempotent) and print the logins."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            users = self._users()
            project = self._project(users)
            documents = self._documents(project, users["admin"])
            self._alice_spans(documents[0], users["alice"])
            self._ready_for_review(documents[2], users)
        self.stdout.write(self.style.SUCCESS(f"Demo project “{project.name}” is ready."))
        self.stdout.write("Sign in at http://127.0.0.1:8000/ with any of these demo accounts:")
        for username, role, _ in USERS:
            self.stdout.write(f"  {username:<6} / {DEMO_PASSWORD}   ({role})")

    def _users(self) -> dict[str, Any]:
        user_model = get_user_model()
        users = {}
        for username, _, _ in USERS:
            user, created = user_model.objects.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = user.is_superuser = username == "admin"
                user.save()
            users[username] = user
        return users

    def _project(self, users: dict[str, Any]) -> Project:
        project, _ = Project.objects.get_or_create(
            name=PROJECT_NAME,
            defaults={
                "label_schema": default_schema(),
                "guidelines": GUIDELINES,
                "rating_scale": default_rating_scale(),
                "organization": {"name": "Demo Fact Check", "url": "https://factcheck.example"},
                "created_by": users["admin"],
            },
        )
        Membership.objects.get_or_create(
            project=project, user=users["admin"], defaults={"role": Role.ADMIN}
        )
        for username, _, role in USERS:
            if role is not None:
                Membership.objects.get_or_create(
                    project=project, user=users[username], defaults={"role": role}
                )
        return project

    def _documents(self, project: Project, admin: Any) -> list[Document]:
        documents = []
        for article in ARTICLES:
            digest = text_hash(normalize_text(article["text"]))
            document = Document.objects.filter(project=project, text_hash=digest).first()
            if document is None:
                document = document_create(project=project, actor=admin, **article)
            else:
                assignments_fill(document=document, actor=admin)
            documents.append(document)
        return documents

    def _alice_spans(self, document: Document, alice: Any) -> None:
        assignment = Assignment.objects.filter(
            document=document, annotator=alice, kind=AssignmentKind.ANNOTATOR
        ).first()
        if assignment is None or assignment.spans.exists():
            return
        for label, quote in ALICE_SPANS:
            start = document.text.index(quote)
            span_create(
                assignment=assignment,
                actor=alice,
                label=label,
                start=start,
                end=start + len(quote),
                quote=quote,
            )

    def _ready_for_review(self, document: Document, users: dict[str, Any]) -> None:
        for username, layer in REVIEW_LAYERS.items():
            assignment = Assignment.objects.filter(
                document=document, annotator=users[username], kind=AssignmentKind.ANNOTATOR
            ).first()
            if assignment is None or assignment.spans.exists():
                continue
            made = []
            for label, quote in layer:
                start = document.text.index(quote)
                span, _ = span_create(
                    assignment=assignment,
                    actor=users[username],
                    label=label,
                    start=start,
                    end=start + len(quote),
                    quote=quote,
                )
                made.append(span)
            relation_create(
                assignment=assignment,
                actor=users[username],
                type="attributed_to",
                from_span=made[0].pk,
                to_span=made[1].pk,
            )
            assignment_submit(assignment=assignment, actor=users[username])
