"""Celery tasks: thin. They take ids, call the service of the same name, and are safe twice.

They are bound to the project's app here rather than through ``factcheck/__init__.py``,
so that processes which never enqueue (``manage.py agreement``) do not import Celery.
"""

from annotations.services import agreement, jobs, work
from factcheck.celery import app


@app.task(acks_late=True)
def document_label_counts_record(document_id: int) -> None:
    work.document_label_counts_record(document_id=document_id)


@app.task(acks_late=True)
def document_agreement_recompute(document_id: int) -> None:
    agreement.document_agreement_recompute(document_id=document_id)


@app.task(acks_late=True)
def job_run(job_id: int) -> None:
    jobs.job_run(job_id=job_id)


@app.task
def sweep() -> dict[str, int]:
    return work.sweep()
