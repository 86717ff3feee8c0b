"""The production shape without Docker: gunicorn, a Celery worker and beat as processes."""

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from annotations.models import Document, Span
from tests.conftest import World
from tests.processes import child_env, free_port, gunicorn_args, process, wait_until, worker_args

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def call(method: str, url: str, token: str | None = None, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - loopback
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")
    except (urllib.error.URLError, ConnectionError):
        return 0, None


def test_gunicorn_worker_and_beat_serve_a_span_and_its_background_work(
    world: World, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = child_env(ALLOWED_HOSTS="127.0.0.1", DEBUG="false", SWEEP_INTERVAL_SECONDS="1")
    token = Token.objects.create(user=world.annotator).key
    beat = [*worker_args()[:3], "beat", "--loglevel=INFO", "--schedule", str(tmp_path / "schedule")]
    with (
        process(gunicorn_args(port), env, tmp_path / "gunicorn.log"),
        process(worker_args(), env, tmp_path / "worker.log"),
        process(beat, env, tmp_path / "beat.log"),
    ):
        health = wait_until(
            lambda: call("GET", f"{base}/healthz")[1], timeout=60, what="gunicorn's /healthz"
        )
        assert health == {"status": "ok", "database": "ok", "broker": "ok"}
        text = world.document.text
        status, span = call(
            "POST",
            f"{base}/api/documents/{world.document.pk}/spans/",
            token,
            {"label": "claim", "start": 18, "end": 35, "quote": text[18:35]},
        )
        assert status == 201, span
        assert Span.objects.get(pk=span["id"]).quote == "unemployment fell"
        status, _ = call("POST", f"{base}/api/documents/{world.document.pk}/submit/", token)
        assert status == 200

        def counts() -> dict[str, Any]:
            return Document.objects.get(pk=world.document.pk).label_counts

        assert wait_until(counts, what="the worker's label counts") == {
            "alice": {"attribution": 1, "claim": 2}
        }
        status, error = call("GET", f"{base}/api/nothing/", token)
        assert (status, error["error"]["code"]) == (404, "not_found")
        wait_until(
            lambda: "Task annotations.tasks.sweep" in (tmp_path / "worker.log").read_text(),
            what="beat's sweep to run on the worker",
        )
