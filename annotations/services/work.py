"""Background work: recorded in the database first, then a worker is woken on commit.

A document's `work_seq` is bumped by every change that needs recomputing; each kind of
work remembers the sequence it last finished (`counts_done_seq`, ...). The broker only
carries wake-ups: if one is lost (Redis down, a worker killed), the periodic sweep finds
the document still dirty and enqueues it again.
"""

import logging
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotations.checkpoints import checkpoint
from annotations.models import (
    DONE_STATUSES,
    Assignment,
    AssignmentKind,
    Document,
    Span,
)

logger = logging.getLogger(__name__)

RETRY_POLICY = {"max_retries": 2, "interval_start": 0.1, "interval_step": 0.2, "interval_max": 0.5}


def enqueue(task: Task, *args: Any) -> None:
    """Publish a wake-up; a broker that is down is logged, never raised (the sweep follows)."""
    try:
        task.apply_async(args=args, retry=True, retry_policy=RETRY_POLICY)
    except Exception:
        logger.warning(
            "could not publish %s%r; the sweep will pick it up", task.name, args, exc_info=True
        )


def enqueue_on_commit(task: Task, *args: Any) -> None:
    transaction.on_commit(lambda: enqueue(task, *args), robust=True)


def document_mark_dirty(*, document_id: int) -> None:
    """Record that the document needs recomputing, and wake a worker after commit."""
    Document.objects.filter(pk=document_id).update(
        work_seq=F("work_seq") + 1, work_changed_at=timezone.now()
    )
    for _done_field, task in dirty_work():
        enqueue_on_commit(task, document_id)


def dirty_work() -> list[tuple[str, Task]]:
    """Each kind of per-document work: the field that records it done, and its task."""
    from annotations import tasks

    return [
        ("counts_done_seq", tasks.document_label_counts_record),
        ("agreement_done_seq", tasks.document_agreement_recompute),
    ]


def document_label_counts_record(*, document_id: int) -> bool:
    """Store label counts per annotator (submitted and accepted layers) for the review queue.

    Idempotent: it computes for the sequence it read and only marks that sequence done,
    so a change that lands meanwhile leaves the document dirty for the next run.
    """
    document = Document.objects.filter(pk=document_id).values("work_seq").first()
    if document is None:
        return False
    seq = document["work_seq"]
    counts: dict[str, Counter[str]] = {}
    rows = (
        Span.objects.filter(
            assignment__document_id=document_id,
            assignment__kind=AssignmentKind.ANNOTATOR,
            assignment__status__in=DONE_STATUSES,
        )
        .values_list("assignment__annotator__username", "label")
        .order_by()
    )
    for username, label in rows:
        counts.setdefault(username, Counter())[label] += 1
    for username in Assignment.objects.filter(
        document_id=document_id, kind=AssignmentKind.ANNOTATOR, status__in=DONE_STATUSES
    ).values_list("annotator__username", flat=True):
        counts.setdefault(username, Counter())
    result = {user: dict(sorted(c.items())) for user, c in sorted(counts.items())}
    checkpoint("label_counts")
    updated = Document.objects.filter(pk=document_id, counts_done_seq__lt=seq).update(
        label_counts=result, counts_done_seq=seq
    )
    return updated == 1


def dirty_documents(*, done_field: str, now: datetime) -> list[int]:
    """Documents whose `done_field` lags their work_seq for longer than the grace period."""
    cutoff = now - timedelta(seconds=settings.SWEEP_GRACE_SECONDS)
    return list(
        Document.objects.filter(work_seq__gt=F(done_field), work_changed_at__lte=cutoff)
        .order_by("work_changed_at")
        .values_list("pk", flat=True)[:1000]
    )


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Re-enqueue every piece of dirty work the broker may have missed."""
    now = now or timezone.now()
    found: dict[str, int] = {}
    for done_field, task in dirty_work():
        ids = dirty_documents(done_field=done_field, now=now)
        for document_id in ids:
            enqueue(task, document_id)
        found[done_field] = len(ids)
    from annotations.services.jobs import jobs_sweep

    found.update(jobs_sweep(now=now))
    return found
