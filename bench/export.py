"""Exports and imports through a real Celery worker on PostgreSQL (issue 6, §4).

Seeds 10,000 documents x 3 annotators x 20 spans (600,000 spans, plus 5 relations per layer)
and exports them as jsonl and csv; then imports 5,000 JSONL articles with 20 pre-annotated
spans each. For each job: wall time from the job's start to its finished file (the job's
started_at to finished_at, stamped by the worker) and the worker's peak memory (VmHWM of a
fresh `celery worker --pool=solo` that ran only that job, so it includes Django itself).

Targets: export <= 20 s and <= 300 MB each (doccano 1.8.4 takes about 13 s for 100,000
spans, Label Studio about 21 s); import <= 10 s (doccano about 40 s, Label Studio 21 s).

    .venv/bin/python bench/export.py [--documents 10000] [--articles 5000]
"""

import argparse
import json
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import BASE_URL, ROOT, bench_env, fresh_database, use_database

ANNOTATORS = 3
SPANS = 20
RELATIONS = 5
# A fresh worker imports Django and connects before it is given the job.
WORKER_START_SECONDS = 8
DATABASE = "factcheck_bench_export"
SENTENCE = "Minister {n} said unemployment fell to {p} percent, a record low, officials denied it. "


def article_text(n: int) -> str:
    return "".join(SENTENCE.format(n=n, p=i) for i in range(SPANS))


def seed(documents: int) -> int:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from annotations.models import (
        Assignment,
        AssignmentStatus,
        Document,
        Membership,
        Relation,
        Role,
        Span,
    )
    from annotations.services.projects import project_create
    from annotations.text import quote_context, text_hash

    users = get_user_model().objects
    admin = users.create_superuser("bench-admin", password="x")
    project = project_create(actor=admin, name="bench export", annotators_per_document=ANNOTATORS)
    annotators = [users.create_user(f"annotator{i}", password="x") for i in range(ANNOTATORS)]
    for user in annotators:
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
    now = timezone.now()
    batch = 500
    for first in range(0, documents, batch):
        with transaction.atomic():
            docs = Document.objects.bulk_create(
                Document(
                    project=project,
                    title=f"Article {n}",
                    text=article_text(n),
                    text_hash=text_hash(article_text(n)),
                    status="submitted",
                )
                for n in range(first, min(documents, first + batch))
            )
            layers = Assignment.objects.bulk_create(
                Assignment(
                    document=d, annotator=u, status=AssignmentStatus.SUBMITTED, submitted_at=now
                )
                for d in docs
                for u in annotators
            )
            spans = []
            for layer in layers:
                text = next(d.text for d in docs if d.pk == layer.document_id)
                position = 0
                for i in range(SPANS):
                    start = text.index("unemployment fell", position)
                    end = start + len("unemployment fell")
                    position = end
                    prefix, suffix = quote_context(text, start, end)
                    spans.append(
                        Span(
                            assignment=layer,
                            label="claim" if i % 2 else "denial",
                            start=start,
                            end=end,
                            quote=text[start:end],
                            prefix=prefix,
                            suffix=suffix,
                            attributes={"check_worthiness": "check_worthy"} if i % 2 else {},
                        )
                    )
            stored = Span.objects.bulk_create(spans, batch_size=5000)
            relations = []
            for index in range(0, len(stored), SPANS):
                group = stored[index : index + SPANS]
                for r in range(RELATIONS):
                    denial, claim = group[2 * r], group[2 * r + 1]
                    relations.append(
                        Relation(
                            assignment_id=denial.assignment_id,
                            type="denies",
                            from_span=denial,
                            to_span=claim,
                        )
                    )
            Relation.objects.bulk_create(relations, batch_size=5000)
        print(f"  seeded {min(documents, first + batch):,} documents", end="\r", flush=True)
    print()
    from django.db import connection

    # Fresh statistics, as autovacuum keeps them on a live database: without them the
    # planner scans the whole span table for each batch.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return project.pk


def peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_job(url: str, media: str, create: Callable[[], Any]) -> tuple[Any, float, float, float]:
    """Start a fresh worker, create the job once it is idle (its on-commit wake-up reaches
    that worker), wait for the job; return (job, wall s, worker CPU s, peak MB).

    Wall time depends on what else the machine runs; the worker's CPU time for the job
    does not, so both are reported.
    """
    from annotations.models import Job
    from tests.processes import worker_args

    worker = subprocess.Popen(
        # The last --loglevel wins: the worker logs no more than the benchmark needs.
        worker_args("--loglevel=WARNING"),
        cwd=ROOT,
        env=bench_env(url, MEDIA_ROOT=media),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(WORKER_START_SECONDS)
        cpu_before = cpu_seconds(worker.pid)
        job = create()
        while Job.objects.get(pk=job.pk).status not in ("done", "failed"):
            time.sleep(0.1)
        cpu = cpu_seconds(worker.pid) - cpu_before
        memory = peak_mb(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    job.refresh_from_db()
    if job.status != "done":
        raise SystemExit(f"job {job.pk} failed: {job.errors}")
    assert job.started_at is not None
    assert job.finished_at is not None
    return job, (job.finished_at - job.started_at).total_seconds(), cpu, memory


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=5_000)
    parser.add_argument("--formats", default="jsonl,csv", help="exports to run (comma-separated)")
    parser.add_argument("--keep", action="store_true", help="reuse the last run's seeded database")
    args = parser.parse_args()
    url = f"{BASE_URL.rstrip('/')}/{DATABASE}" if args.keep else fresh_database(DATABASE)
    media = tempfile.mkdtemp(prefix="bench-media-")
    use_database(url)
    os.environ["MEDIA_ROOT"] = media
    from django.conf import settings

    settings.MEDIA_ROOT = Path(media)
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    from annotations.models import Project
    from annotations.services.exports import export_job_create
    from annotations.services.imports import import_job_create
    from annotations.services.jobs import media_path

    started = time.monotonic()
    if args.keep:
        project_id = Project.objects.get(name="bench export").pk
    else:
        project_id = seed(args.documents if args.formats else 0)
    project = Project.objects.get(pk=project_id)
    admin = get_user_model().objects.get(username="bench-admin")
    if args.formats and not args.keep:
        spans = args.documents * ANNOTATORS * SPANS
        seconds = time.monotonic() - started
        print(f"seeded {args.documents:,} documents, {spans:,} spans in {seconds:.0f} s")
    for format in [f for f in args.formats.split(",") if f]:
        job, seconds, cpu, memory = run_job(
            url,
            media,
            lambda format=format: export_job_create(
                project=project, actor=admin, format=format, options={"layer": "all"}
            ),
        )
        size = media_path(job.result_file).stat().st_size / 1e6
        print(
            f"export {format:5}: {job.report['spans']:,} spans in {seconds:.1f} s (worker CPU "
            f"{cpu:.1f} s), worker peak {memory:.0f} MB, file {size:.0f} MB (targets: <= 20 s, "
            "<= 300 MB)"
        )

    lines = []
    for n in range(args.articles):
        text = article_text(1_000_000 + n)
        spans_in, position = [], 0
        for i in range(SPANS):
            start = text.index("unemployment fell", position)
            position = start + 17
            spans_in.append(
                {
                    "id": str(i),
                    "label": "claim" if i % 2 else "denial",
                    "start": start,
                    "end": start + 17,
                    "quote": "unemployment fell",
                }
            )
        lines.append(json.dumps({"text": text, "title": f"Imported {n}", "spans": spans_in}))
    content = ("\n".join(lines) + "\n").encode()
    Project.objects.filter(name="bench import").delete()
    target = Project.objects.create(
        name="bench import", label_schema=project.label_schema, rating_scale=project.rating_scale
    )
    job, seconds, cpu, memory = run_job(
        url,
        media,
        lambda: import_job_create(
            project=target, actor=admin, uploads=[SimpleUploadedFile("articles.jsonl", content)]
        ),
    )
    print(
        f"import jsonl: {job.report['imported']:,} articles, {job.report['spans']:,} spans in "
        f"{seconds:.1f} s (worker CPU {cpu:.1f} s), worker peak {memory:.0f} MB, file "
        f"{len(content) / 1e6:.0f} MB (target: <= 10 s)"
    )


if __name__ == "__main__":
    main()
