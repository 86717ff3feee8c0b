"""Submit → on-commit wake-up → a real Celery worker on Redis records label counts.

And the broker being down never fails a write: the sweep catches up afterwards.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from annotations.models import Document
from annotations.services import work
from tests.conftest import World
from tests.processes import broker_at, child_env, free_port, process, wait_until, worker_args

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def label_counts(document: Document) -> dict[str, Any]:
    document.refresh_from_db()
    return document.label_counts


def test_submit_wakes_a_real_worker_that_records_label_counts(
    world: World, api: Any, tmp_path: Path
) -> None:
    with process(worker_args(), child_env(), tmp_path / "worker.log"):
        response = api(world.annotator).post(f"/api/documents/{world.document.pk}/submit/")
        assert response.status_code == 200
        counts = wait_until(lambda: label_counts(world.document), what="the worker's counts")
    assert counts == {"alice": {"attribution": 1, "claim": 1}}
    world.document.refresh_from_db()
    assert world.document.counts_done_seq == world.document.work_seq


def test_submit_succeeds_with_the_broker_down_and_the_sweep_catches_up(
    world: World, api: Any, tmp_path: Path
) -> None:
    with broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        response = api(world.annotator).post(f"/api/documents/{world.document.pk}/submit/")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    world.document.refresh_from_db()
    assert world.document.work_seq > world.document.counts_done_seq
    assert label_counts(world.document) == {}
    with process(worker_args(), child_env(), tmp_path / "worker.log"):
        found = work.sweep(now=timezone.now() + timedelta(minutes=5))
        assert found["counts_done_seq"] == 1
        counts = wait_until(lambda: label_counts(world.document), what="the swept counts")
    assert counts == {"alice": {"attribution": 1, "claim": 1}}
