"""The editors' review: the queue on 10,000 documents, and the compare page of a long one.

Reports, over gunicorn (2 workers) + whitenoise on PostgreSQL (the production shape):
- the queue API, GET /api/review/queue/ as an editor, on 10,000 documents x 3 annotators
  (30,000 submitted layers, 240,000 spans): the default view (lowest agreement first, first
  page of 50 with each annotator's label counts and the counts per state), then with a
  label filter, an annotator filter, an agreement range, and sorted by submission date;
  median of 50 sequential requests each, after 5 warm-up requests;
- the queue page, GET /review/ (the same, rendered as HTML);
- the compare page in headless Chromium on a 20,000-character article with three
  annotators' layers of 300 spans each (with boundary and label disagreements, relations),
  merged by majority: from navigation start until the page has drawn the article, the gold
  layer and every candidate (it marks `fc-review-ready`) and that frame is produced
  (`fc-review-painted`); median of 7 page loads, after one warm-up load.
Targets (issue 5): queue median <= 150 ms; compare page <= 500 ms.

    .venv/bin/python bench/review.py [--documents N]
"""

import argparse
import http.client
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from common import (
    BENCH_PASSWORD,
    free_port,
    fresh_database,
    gunicorn,
    page_timings,
    signed_in_page,
    summary,
    use_database,
)

PORT = free_port()
DOCUMENTS = 10_000
ANNOTATORS = ("alice", "bob", "carol")
SPANS_PER_LAYER = 8
QUEUE_REQUESTS = 50
LOADS = 7
LONG_TEXT = 20_000
LONG_SPANS = 300
LABELS = ("claim", "denial", "attribution")
SENTENCES = [
    "The minister said unemployment had fallen to 4.1 percent, the lowest level ever.",
    "A spokeswoman called the allegations “unfounded” and declined to comment further.",
    "Officials, who spoke on condition of anonymity, said warnings arrived weeks earlier.",
    "The statistics office said its records only go back to 1993 😀 and disputed it.",
    "Critics rejected the figures as misleading; the mayor insisted the water was safe.",
]


def article(rng: random.Random, length: int) -> str:
    paragraphs: list[str] = []
    size = 0
    while size < length:
        paragraph = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(4, 8)))
        paragraphs.append(paragraph)
        size += len(paragraph) + 1
    return "\n".join(paragraphs)[:length].rstrip()


def setup(documents_wanted: int) -> tuple[str, str, int]:
    """The queue's 10,000 documents and the long one; returns (db url, token, long id)."""
    url = fresh_database("fc_review_bench")
    use_database(url)
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from annotations.models import (
        Assignment,
        AssignmentStatus,
        Document,
        DocumentStatus,
        Membership,
        Role,
        Span,
    )
    from annotations.services.gold import gold_merge
    from annotations.services.projects import project_create
    from annotations.text import text_hash

    rng = random.Random(5)
    users = get_user_model().objects
    admin = users.create_superuser("bench-admin", password="x")
    editor = users.create_user("erin", password=BENCH_PASSWORD)
    project = project_create(actor=admin, name="bench", annotators_per_document=3)
    Membership.objects.create(project=project, user=editor, role=Role.EDITOR)
    annotators = []
    for name in ANNOTATORS:
        user = users.create_user(name, password="x")
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
        annotators.append(user)

    # Seeding goes straight to the tables: the benchmark measures reads, not imports.
    texts = [article(rng, 3_000) for _ in range(20)]
    states = [DocumentStatus.SUBMITTED] * 6 + [
        DocumentStatus.PARTIALLY_SUBMITTED,
        DocumentStatus.IN_REVIEW,
        DocumentStatus.ACCEPTED,
    ]
    documents = []
    for index in range(documents_wanted):
        text = texts[index % len(texts)]
        documents.append(
            Document(
                project=project,
                title=f"Article {index:05d}",
                text=text,
                text_hash=text_hash(f"{index}{text}"),
                status=rng.choice(states),
                agreement_value=None if rng.random() < 0.05 else round(rng.uniform(-0.2, 1), 3),
            )
        )
    documents = Document.objects.bulk_create(documents, batch_size=1000)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assignments = []
    for document in documents:
        for user in annotators:
            partial = (
                document.status == DocumentStatus.PARTIALLY_SUBMITTED and user == annotators[2]
            )
            assignments.append(
                Assignment(
                    document=document,
                    annotator=user,
                    status=AssignmentStatus.IN_PROGRESS if partial else AssignmentStatus.SUBMITTED,
                    submitted_at=None
                    if partial
                    else start + timedelta(minutes=rng.randint(0, 90_000)),
                )
            )
    assignments = Assignment.objects.bulk_create(assignments, batch_size=3000)
    spans = []
    counts: dict[int, dict[str, dict[str, int]]] = {}
    for assignment in assignments:
        text = assignment.document.text
        layer = counts.setdefault(assignment.document_id, {}).setdefault(
            ANNOTATORS[annotators.index(assignment.annotator)], {}
        )
        for _ in range(SPANS_PER_LAYER):
            begin = rng.randrange(0, len(text) - 40)
            end = begin + rng.randint(5, 40)
            label = rng.choice(LABELS)
            layer[label] = layer.get(label, 0) + 1
            spans.append(
                Span(
                    assignment=assignment, label=label, start=begin, end=end, quote=text[begin:end]
                )
            )
        if len(spans) >= 20_000:
            Span.objects.bulk_create(spans)
            spans = []
    Span.objects.bulk_create(spans)
    for document in documents:
        document.label_counts = counts[document.pk]
    Document.objects.bulk_update(documents, ["label_counts"], batch_size=1000)

    long = long_document(project, admin, annotators, rng)
    gold_merge(document=long, actor=editor, strategy="majority")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh statistics, as a live database would have
    token = Token.objects.create(user=editor).key
    return url, token, long.pk


def long_document(project: Any, admin: Any, annotators: list[Any], rng: random.Random) -> Any:
    """20,000 characters; each annotator marks 300 spans of the same 300 places, one in
    four with its own boundaries or label, and links one claim in three to a source."""
    from annotations.models import Assignment, AssignmentStatus, Relation, Span
    from annotations.services.documents import document_create

    document = document_create(
        project=project,
        actor=admin,
        title="Long article",
        text=article(rng, LONG_TEXT),
        assign=False,
    )
    text = document.text
    step = len(text) // LONG_SPANS
    places = [(i * step, i * step + rng.randint(8, 40)) for i in range(LONG_SPANS)]
    for user in annotators:
        layer = Assignment.objects.create(
            document=document,
            annotator=user,
            status=AssignmentStatus.SUBMITTED,
            submitted_at=datetime(2026, 3, 1, tzinfo=UTC),
        )
        spans = []
        for index, (begin, end) in enumerate(places):
            label = LABELS[index % 3]
            if rng.random() < 0.25:
                end = min(len(text), end + rng.randint(1, 6))
            if rng.random() < 0.08:
                label = LABELS[(index + 1) % 3]
            spans.append(
                Span(assignment=layer, label=label, start=begin, end=end, quote=text[begin:end])
            )
        spans = Span.objects.bulk_create(spans)
        relations = [
            Relation(
                assignment=layer, type="attributed_to", from_span=spans[i], to_span=spans[i + 2]
            )
            for i in range(0, LONG_SPANS - 2, 3)
            if spans[i].label == "claim" and spans[i + 2].label == "attribution"
        ]
        Relation.objects.bulk_create(relations)
    return document


def timed_get(
    conn: http.client.HTTPConnection, path: str, headers: dict[str, str]
) -> tuple[float, bytes]:
    began = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - began) * 1000
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:300]!r}")
    return elapsed, body


def bench_queue(token: str) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
    deadline = time.monotonic() + 30
    while True:
        try:
            timed_get(conn, "/healthz", {})
            break
        except (ConnectionError, OSError, RuntimeError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    default = None
    for name, path in [
        ("default (lowest agreement first)", "/api/review/queue/"),
        ("label=denial", "/api/review/queue/?label=denial"),
        ("annotator=carol", "/api/review/queue/?annotator=carol"),
        ("agreement 0.2 to 0.6", "/api/review/queue/?agreement_min=0.2&agreement_max=0.6"),
        ("ordering=-submitted", "/api/review/queue/?ordering=-submitted"),
        ("status=all, last page", "/api/review/queue/?status=all&page=last"),
    ]:
        for _ in range(5):
            timed_get(conn, path, headers)
        times = [timed_get(conn, path, headers)[0] for _ in range(QUEUE_REQUESTS)]
        _, body = timed_get(conn, path, headers)
        data = json.loads(body)
        print(f"queue API, {name}: {summary(times)}; {data['count']:,} documents")
        if default is None:
            default = statistics.median(times)
            print(f"  counts per state: {data['counts']}")
    return default or 0.0


def bench_queue_page(page: Any, base: str) -> None:
    times = []
    for index in range(QUEUE_REQUESTS // 5 + 1):
        page.goto("about:blank")
        page.goto(f"{base}/review/")
        if index:
            times.append(page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd"))
    rows = page.locator("#review-queue tbody tr").count()
    print(f"queue page (HTML, navigation to response end): {summary(times)}; {rows} rows shown")


def bench_compare(page: Any, base: str, document_id: int) -> float:
    totals, phases = page_timings(
        page,
        f"{base}/review/documents/{document_id}/",
        ready="html[data-review-ready=true]",
        marks="fc-review-",
        loads=LOADS,
    )
    length, candidates, gold, size = page.evaluate(
        """() => {
            const text = document.getElementById("review-config").textContent;
            const config = JSON.parse(text);
            const review = config.review;
            return [config.document.text.length,
                    review.span_candidates.length + review.relation_candidates.length,
                    config.spans.length, text.length];
        }"""
    )
    print(
        f"compare page: {length:,} UTF-16 code units, {candidates:,} candidates (the first "
        f"listed before the first paint, the rest when idle), {gold:,} gold spans, "
        f"{size / 1000:.0f} kB of embedded data"
    )
    print(f"compare page (navigation to painted): {summary(totals)}")
    for key, what in [
        ("html", "the HTML page, candidates computed on the server (navigation to response end)"),
        ("parse", "HTML parsed (the embedded text, gold and candidates included)"),
        ("modules", "CSS and ES modules loaded, compiled, started"),
        ("render", "the page's script: text, gold, candidate list and highlights"),
        ("paint", "style, layout and paint of the next frame"),
    ]:
        print(f"  {what}: median {statistics.median(p[key] for p in phases):.1f} ms")
    return statistics.median(totals)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=DOCUMENTS, help="queue size")
    documents = parser.parse_args().documents
    began = time.monotonic()
    url, token, document_id = setup(documents)
    took = time.monotonic() - began
    print(f"set-up: {documents:,} documents x {len(ANNOTATORS)} annotators in {took:.0f} s")
    with gunicorn(url, PORT, static=True) as base:
        queue = bench_queue(token)
        with signed_in_page(base, "erin") as page:
            bench_queue_page(page, base)
            compare = bench_compare(page, base, document_id)
        print(
            f"targets: queue <= 150 ms (median {queue:.0f} ms), "
            f"compare page <= 500 ms (median {compare:.0f} ms)"
        )


if __name__ == "__main__":
    main()
