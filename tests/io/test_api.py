"""The import and export endpoints: create, follow, download; errors in the one shape."""

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from annotations.models import Job
from annotations.services.jobs import jobs_sweep, media_path
from tests.conftest import assert_error, client_for
from tests.io.builders import annotated_project
from tests.io.conftest import run, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def data() -> dict[str, Any]:
    return annotated_project()


def test_upload_creates_a_queued_job_that_a_worker_runs(data: dict[str, Any]) -> None:
    project = data["project"]
    api = client_for(data["adam"])
    content = "\n".join(json.dumps({"text": f"New article {i}."}) for i in range(3))
    response = api.post(
        f"/api/projects/{project.pk}/imports/",
        {"file": upload("rows.jsonl", content), "format": "auto"},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued"
    assert body["options"]["files"] == ["rows.jsonl"]
    assert body["url"] == f"/api/projects/{project.pk}/imports/{body['id']}/"
    run(Job.objects.get(pk=body["id"]))
    status = api.get(body["url"]).json()
    assert (status["status"], status["percent"], status["report"]["imported"]) == ("done", 100, 3)
    listed = api.get(f"/api/projects/{project.pk}/imports/").json()
    assert [job["id"] for job in listed["results"]] == [body["id"]]


def test_a_url_list_can_be_sent_as_json(data: dict[str, Any]) -> None:
    response = client_for(data["adam"]).post(
        f"/api/projects/{data['project'].pk}/imports/",
        {"urls": ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"]},
        format="json",
    )
    assert response.status_code == 202, response.content
    assert response.json()["format"] == "urls"


def test_a_binary_upload_is_refused_with_its_message(data: dict[str, Any]) -> None:
    response = client_for(data["adam"]).post(
        f"/api/projects/{data['project'].pk}/imports/",
        {"file": upload("scan.txt", b"%PDF-1.7 ...")},
        format="multipart",
    )
    error = assert_error(
        response,
        400,
        "binary_file",
        "“scan.txt” is a PDF document, not text. Import .txt, .jsonl, .csv, .html, .json "
        "(Label Studio) or a .zip of them.",
    )
    assert error["field"] == "file"


def test_an_empty_import_request_says_what_to_send(data: dict[str, Any]) -> None:
    response = client_for(data["adam"]).post(
        f"/api/projects/{data['project'].pk}/imports/", {}, format="json"
    )
    assert_error(response, 400, "nothing_to_import", "Choose a file to upload or list some URLs.")


def test_an_oversized_upload_is_refused_before_it_is_read(
    data: dict[str, Any], settings: Any
) -> None:
    settings.UPLOAD_MAX_BYTES = 10
    response = client_for(data["adam"]).post(
        f"/api/projects/{data['project'].pk}/imports/",
        {"file": upload("big.txt", "Title\n" + "x" * 2_000_000)},
        format="multipart",
    )
    assert_error(
        response,
        413,
        "body_too_large",
        "The upload has 2.0 MB; an import may upload at most 10 bytes (UPLOAD_MAX_BYTES). "
        "Split it, or zip it.",
    )


def test_export_job_then_download(data: dict[str, Any]) -> None:
    project = data["project"]
    api = client_for(data["adam"])
    response = api.post(
        f"/api/projects/{project.pk}/exports/",
        {"format": "jsonl", "layer": "all", "pseudonymize": True},
        format="json",
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["download_url"] is None
    download = f"/api/projects/{project.pk}/exports/{body['id']}/download/"
    assert_error(
        api.get(download),
        409,
        "export_not_ready",
        "This export is queued; download it when it is done.",
    )
    run(Job.objects.get(pk=body["id"]))
    status = api.get(body["url"]).json()
    assert status["download_url"] == download
    file = api.get(download)
    assert file.status_code == 200
    assert file["Content-Type"] == "application/x-ndjson; charset=utf-8"
    assert f"newsroom-jsonl-all-{body['id']}.jsonl" in file["Content-Disposition"]
    rows = [json.loads(line) for line in b"".join(file.streaming_content).decode().splitlines()]
    assert len(rows) == 2
    assert all(layer["annotator"].startswith("annotator-") for layer in rows[0]["layers"])


def test_a_running_export_says_how_far_it_is(data: dict[str, Any]) -> None:
    project = data["project"]
    api = client_for(data["adam"])
    body = api.post(f"/api/projects/{project.pk}/exports/", {"format": "jsonl"}, format="json")
    Job.objects.filter(pk=body.json()["id"]).update(status="running", progress=1, total=4)
    assert_error(
        api.get(f"/api/projects/{project.pk}/exports/{body.json()['id']}/download/"),
        409,
        "export_not_ready",
        "This export is running (25% done); download it when it is done.",
    )


def test_an_expired_export_is_gone_with_a_message(data: dict[str, Any]) -> None:
    project = data["project"]
    api = client_for(data["adam"])
    body = api.post(f"/api/projects/{project.pk}/exports/", {"format": "csv"}, format="json").json()
    job = run(Job.objects.get(pk=body["id"]))
    path = media_path(job.result_file)
    found = jobs_sweep(now=timezone.now() + timedelta(hours=73))
    assert found["jobs_expired"] == 1
    assert not path.exists()
    assert_error(
        api.get(f"/api/projects/{project.pk}/exports/{job.pk}/download/"),
        410,
        "export_expired",
        "This export's file was deleted after 72 hours; run the export again.",
    )


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"format": "pdf"}, "format", 'format: "pdf" is not a valid choice.'),
        (
            {"format": "jsonl", "layer": "nobody"},
            "layer",
            "layer must be gold, all, preannotation or the username of an annotator of this "
            "project; “nobody” has no assignment here.",
        ),
        (
            {"format": "jsonl", "statuses": ["done"]},
            "statuses.0",
            'statuses.0: "done" is not a valid choice.',
        ),
    ],
)
def test_bad_export_requests_name_the_field(
    data: dict[str, Any], body: dict[str, Any], field: str, message: str
) -> None:
    response = client_for(data["adam"]).post(
        f"/api/projects/{data['project'].pk}/exports/", body, format="json"
    )
    error = assert_error(response, 400, "invalid_field", message)
    assert error["field"] == field


def test_jobs_of_another_kind_or_project_are_not_found(data: dict[str, Any]) -> None:
    project = data["project"]
    api = client_for(data["adam"])
    body = api.post(f"/api/projects/{project.pk}/exports/", {"format": "csv"}, format="json").json()
    assert_error(
        api.get(f"/api/projects/{project.pk}/imports/{body['id']}/"),
        404,
        "not_found",
        f"This project has no import job {body['id']}.",
    )
