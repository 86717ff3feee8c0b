"""Projects with annotated, reviewed documents, built straight from the models."""

from datetime import date, datetime
from typing import Any

from django.utils import timezone

from annotations.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Document,
    DocumentStatus,
    Relation,
    Role,
    Span,
    Verdict,
)
from annotations.text import normalize_text, quote_context, text_hash
from tests.factories import MembershipFactory, ProjectFactory, UserFactory

TEXT = (
    'CIA spokeswoman Liz Lyons called the allegations "unfounded" 😷.\n'
    "Two former officials said the agency mishandled intelligence on the Spın̈al pipeline.\n"
    'The mayor, Ana Petrova, said the claim was "simply false" (पानी ज़हरीला है).'
)


HTML = """<html><head><title>Minister claims jobs record</title>
<link rel="canonical" href="https://news.example.org/a/1">
<meta name="author" content="Jane Roe"><meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2024-03-05T10:00:00Z"></head>
<body><nav>Home | World</nav><article><h1>Minister claims jobs record</h1>
<p>The minister said unemployment fell to 4.1 percent, the lowest level ever recorded.</p>
<p>A spokesman for the opposition called that claim misleading and false.</p></article>
<footer>Copyright</footer></body></html>"""


def find(text: str, quote: str) -> tuple[int, int]:
    start = text.index(quote)
    return start, start + len(quote)


def span(layer: Assignment, label: str, quote: str, **attributes: Any) -> Span:
    text = layer.document.text
    start, end = find(text, quote)
    prefix, suffix = quote_context(text, start, end)
    return Span.objects.create(
        assignment=layer,
        label=label,
        start=start,
        end=end,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        attributes=attributes,
    )


def layer_spans(layer: Assignment) -> None:
    """Three spans, two relations, attributes (enum and text) and a note."""
    claim = span(
        layer,
        "claim",
        "the agency mishandled intelligence on the Spın̈al pipeline",
        check_worthiness="check_worthy",
    )
    source = span(
        layer,
        "attribution",
        "Two former officials",
        source_type="anonymous",
        speaker_name="Two former officials",
    )
    denial = span(layer, "denial", "unfounded", denial_kind="flat_denial")
    Span.objects.filter(pk=denial.pk).update(note='=HYPERLINK("http://evil")')
    Relation.objects.create(assignment=layer, type="attributed_to", from_span=claim, to_span=source)
    Relation.objects.create(assignment=layer, type="denies", from_span=denial, to_span=claim)


def annotated_project(*, documents: int = 2, name: str = "Newsroom") -> dict[str, Any]:
    project = ProjectFactory(
        name=name,
        organization={
            "name": "Check Desk",
            "url": "https://check.example.org",
            "logo": "https://check.example.org/logo.png",
        },
    )
    users = {n: UserFactory(username=n) for n in ("adam", "alice", "bob", "erin")}
    MembershipFactory(project=project, user=users["adam"], role=Role.ADMIN)
    MembershipFactory(project=project, user=users["alice"], role=Role.ANNOTATOR)
    MembershipFactory(project=project, user=users["bob"], role=Role.ANNOTATOR)
    MembershipFactory(project=project, user=users["erin"], role=Role.EDITOR)
    made = []
    for index in range(documents):
        text = normalize_text(TEXT + f"\nArticle {index}.")
        document = Document.objects.create(
            project=project,
            title=f"Article {index}",
            text=text,
            text_hash=text_hash(text),
            source_url=f"https://news.example.org/{index}",
            outlet="Example News",
            author="Jane Roe",
            published_at=date(2024, 3, 5),
            language="en",
            status=DocumentStatus.ACCEPTED,
            accepted_at=timezone.make_aware(datetime(2024, 3, 7, 12, 0)),
        )
        for annotator in ("alice", "bob"):
            layer = Assignment.objects.create(
                document=document,
                annotator=users[annotator],
                status=AssignmentStatus.ACCEPTED,
                submitted_at=timezone.now(),
            )
            layer_spans(layer)
        gold = Assignment.objects.create(
            document=document,
            annotator=users["erin"],
            kind=AssignmentKind.GOLD,
            status=AssignmentStatus.ACCEPTED,
        )
        layer_spans(gold)
        claim = gold.spans.get(label="claim")
        Verdict.objects.create(
            span=claim,
            rating="Mostly false",
            summary="No record supports it",
            explanation="Records show the warnings arrived late.",
            fact_check_url=f"https://check.example.org/fc/{index}",
        )
        made.append(document)
    return {"project": project, "documents": made, **users}


def layer_content(layer: Assignment) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """A layer's spans and relations, without ids: what a round trip must keep."""
    spans = sorted(
        (s.label, s.start, s.end, s.quote, tuple(sorted(s.attributes.items())), s.note)
        for s in layer.spans.all()
    )
    relations = sorted(
        (r.type, r.from_span.label, r.from_span.start, r.to_span.label, r.to_span.start)
        for r in layer.relations.select_related("from_span", "to_span")
    )
    return spans, relations
