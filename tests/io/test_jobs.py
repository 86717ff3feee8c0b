"""The job lifecycle with an injected clock: claims, stale claims, giving up, retention."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from annotations.models import Job
from annotations.services import jobs
from annotations.services.jobs import JobLost, Progress, job_claim, jobs_sweep
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def woken(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The job ids the sweep wakes a worker for (no broker needed)."""
    calls: list[int] = []
    monkeypatch.setattr(jobs, "enqueue", lambda task, job_id: calls.append(job_id))
    return calls


def running(*, minutes_ago: int, attempts: int = 1, **options: Any) -> Job:
    return Job.objects.create(
        project=ProjectFactory(),
        kind="export",
        format="jsonl",
        options=options,
        status=Job.Status.RUNNING,
        attempts=attempts,
        claimed_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_a_job_is_claimed_once() -> None:
    job = Job.objects.create(project=ProjectFactory(), kind="export", format="jsonl")
    assert job_claim(job_id=job.pk) is not None
    assert job_claim(job_id=job.pk) is None
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)


def test_a_stale_claim_is_taken_over_and_the_old_worker_stops_at_its_next_report() -> None:
    job = running(minutes_ago=10)
    old = Job.objects.get(pk=job.pk)
    taken = job_claim(job_id=job.pk)
    assert taken is not None
    assert taken.attempts == 2
    with pytest.raises(JobLost):
        Progress(old)(5, 10, force=True)
    Progress(taken)(5, 10, force=True)
    job.refresh_from_db()
    assert (job.progress, job.total) == (5, 10)


def test_the_sweep_wakes_queued_and_stale_jobs_and_leaves_live_ones(woken: list[int]) -> None:
    now = timezone.now()
    queued = Job.objects.create(project=ProjectFactory(), kind="import", format="jsonl")
    stale = running(minutes_ago=10)
    live = running(minutes_ago=0)
    found = jobs_sweep(now=now + timedelta(seconds=30))
    assert sorted(woken) == sorted([queued.pk, stale.pk])
    assert (found["jobs_queued"], found["jobs_restarted"]) == (1, 1)
    assert Job.objects.get(pk=live.pk).status == "running"


def test_a_job_whose_worker_died_every_time_is_given_up_with_a_message(
    woken: list[int],
) -> None:
    job = running(minutes_ago=10, attempts=3)
    now = timezone.now() + timedelta(minutes=1)
    jobs_sweep(now=now)
    job.refresh_from_db()
    assert woken == []
    assert job.status == "failed"
    assert job.finished_at == now
    assert job.errors == [
        {
            "code": "worker_lost",
            "message": "The worker stopped 3 times while running this job; it was given up. Try "
            "a smaller file, or tell a site admin.",
        }
    ]


def test_a_command_that_stopped_mid_import_fails_its_job(woken: list[int]) -> None:
    job = running(minutes_ago=10, inline=True)
    jobs_sweep(now=timezone.now())
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.errors[0]["message"] == (
        "The command running this job stopped before it finished; run it again."
    )
