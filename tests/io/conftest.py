"""Imports and exports: files under a temporary MEDIA_ROOT, jobs run in the test process."""

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotations.models import Job
from annotations.services.jobs import job_claim, job_execute


@pytest.fixture(autouse=True)
def _media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name: str, content: str | bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)


def run(job: Job) -> Job:
    """Claim and run the job here, as a worker would; return it refreshed."""
    claimed = job_claim(job_id=job.pk)
    assert claimed is not None
    job_execute(job=claimed)
    job.refresh_from_db()
    return job
