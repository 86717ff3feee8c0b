"""Import and export jobs through a real Celery worker on Redis: woken on commit, and
restarted from scratch by the sweep after the worker running them is killed."""

import json
import signal
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from annotations.models import Document, Job
from annotations.services import work
from annotations.services.exports import file_name
from annotations.services.imports import import_job_create
from annotations.services.jobs import media_path
from tests.conftest import client_for
from tests.io.builders import annotated_project
from tests.processes import child_env, process, stop, wait_until, worker_args

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def job_status(job_id: int) -> str:
    return Job.objects.get(pk=job_id).status


def worker_env(settings: Any, **extra: str) -> dict[str, str]:
    return child_env(MEDIA_ROOT=str(settings.MEDIA_ROOT), **extra)


def test_an_export_is_woken_on_commit_and_written_by_a_real_worker(
    settings: Any, tmp_path: Path
) -> None:
    data = annotated_project()
    with process(worker_args(), worker_env(settings), tmp_path / "worker.log"):
        response = client_for(data["adam"]).post(
            f"/api/projects/{data['project'].pk}/exports/",
            {"format": "jsonl", "layer": "all"},
            format="json",
        )
        assert response.status_code == 202
        job_id = response.json()["id"]
        wait_until(lambda: job_status(job_id) == "done", what="the export to finish")
    job = Job.objects.get(pk=job_id)
    rows = media_path(job.result_file).read_text().splitlines()
    assert [json.loads(row)["title"] for row in rows] == ["Article 0", "Article 1"]
    assert job.attempts == 1


def test_a_job_whose_worker_died_is_restarted_from_scratch_and_no_half_file_is_done(
    settings: Any, tmp_path: Path
) -> None:
    data = annotated_project()
    job = Job.objects.create(
        project=data["project"],
        kind="export",
        format="csv",
        options={"layer": "all"},
        status=Job.Status.RUNNING,
        attempts=1,
        progress=1,
        total=2,
        claimed_at=timezone.now() - timedelta(minutes=10),
    )
    final = media_path(f"exports/project-{job.project_id}/{file_name(job)}")
    final.parent.mkdir(parents=True, exist_ok=True)
    half = final.with_name(final.name + ".partial-1")
    half.write_text("document_id,document_title\n1,half a fi")
    with process(worker_args(), worker_env(settings), tmp_path / "worker.log"):
        found = work.sweep()
        assert found["jobs_restarted"] == 1
        wait_until(lambda: job_status(job.pk) == "done", what="the restarted export")
    job.refresh_from_db()
    assert job.attempts == 2
    assert not half.exists()
    lines = final.read_text().splitlines()
    assert len(lines) == 1 + 2 * 2 * 3
    assert job.report["spans"] == 12


class SlowPages(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        time.sleep(0.4)
        body = (
            f"<html><head><title>Page {self.path}</title></head><body><article>"
            f"<p>Report {self.path}: the council said the budget grew by four percent.</p>"
            f"<p>Its critics called the figure misleading and incomplete.</p>"
            "</article></body></html>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def slow_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), SlowPages)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_an_import_survives_its_worker_being_killed(
    settings: Any, tmp_path: Path, slow_server: str
) -> None:
    settings.URL_IMPORT_ALLOW_PRIVATE = True
    env = worker_env(settings, URL_IMPORT_ALLOW_PRIVATE="true")
    data = annotated_project(documents=0)
    urls = "\n".join(f"{slow_server}/story-{n}" for n in range(8))
    job = import_job_create(project=data["project"], actor=data["adam"], urls=urls)
    with process(worker_args(), env, tmp_path / "first.log") as first:
        wait_until(lambda: Job.objects.get(pk=job.pk).progress >= 2, what="the import running")
        stop(first, signal.SIGKILL)
    assert job_status(job.pk) == "running"
    # The dead worker's claim goes stale: set back its last renewal rather than wait for it.
    Job.objects.filter(pk=job.pk).update(claimed_at=timezone.now() - timedelta(minutes=10))
    with process(worker_args(), env, tmp_path / "second.log"):
        assert work.sweep()["jobs_restarted"] == 1
        wait_until(lambda: job_status(job.pk) == "done", timeout=60, what="the restarted import")
    job.refresh_from_db()
    assert job.attempts == 2
    assert job.report["imported"] == 8
    assert Document.objects.filter(project=data["project"]).count() == 8
