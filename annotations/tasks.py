"""Celery tasks: thin. They take ids, call the service of the same name, and are safe twice."""

from celery import shared_task

from annotations.services import agreement, jobs, work


@shared_task(acks_late=True)
def document_label_counts_record(document_id: int) -> None:
    work.document_label_counts_record(document_id=document_id)


@shared_task(acks_late=True)
def document_agreement_recompute(document_id: int) -> None:
    agreement.document_agreement_recompute(document_id=document_id)


@shared_task(acks_late=True)
def job_run(job_id: int) -> None:
    jobs.job_run(job_id=job_id)


@shared_task
def sweep() -> dict[str, int]:
    return work.sweep()
