"""Submit through the API → a real Celery worker on Redis → agreement readable through the API.

No step is manual: the on-commit wake-up reaches the worker, which recomputes the document
and the project's total. With the broker unreachable at submit time, the sweep catches up.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from annotations.services import work
from tests.conftest import World
from tests.factories import SpanFactory
from tests.processes import broker_at, child_env, free_port, process, wait_until, worker_args

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def give_bob_alices_spans_shifted(world: World) -> None:
    """Bob marks the same stretches as Alice, one character later: high, imperfect agreement."""
    for span in world.assignment.spans.all():
        SpanFactory(
            assignment=world.other_assignment, label=span.label, start=span.start + 1, end=span.end
        )


def figures(api: Any, world: World) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The document's and the project's figures once both rest on the two submitted layers."""
    client = api(world.editor)
    document = client.get(f"/api/documents/{world.document.pk}/agreement/").json()
    project = client.get(f"/api/projects/{world.project.pk}/agreement/").json()
    if document["pending"] or document["metrics"]["documents"] != 1:
        return None
    if project["metrics"]["documents"] != 1:
        return None
    return document, project


def check(document: dict[str, Any], project: dict[str, Any]) -> None:
    assert set(document["metrics"]["pairs"]) == {"alice|bob"}
    assert 0 < document["metrics"]["u_alpha"] < 1
    assert document["metrics"]["f1_overlap"] == 1.0
    assert project["metrics"]["u_alpha"] == document["metrics"]["u_alpha"]
    assert project["documents"][0]["id"] == document["document"]


def test_two_submissions_make_agreement_appear_through_the_api(
    world: World, api: Any, tmp_path: Path
) -> None:
    give_bob_alices_spans_shifted(world)
    with process(worker_args(), child_env(), tmp_path / "worker.log"):
        for annotator in (world.annotator, world.other_annotator):
            response = api(annotator).post(f"/api/documents/{world.document.pk}/submit/")
            assert response.status_code == 200, response.content
        result = wait_until(lambda: figures(api, world), what="agreement from the worker")
    check(*result)


def test_with_the_broker_down_agreement_appears_after_the_sweep(
    world: World, api: Any, tmp_path: Path
) -> None:
    give_bob_alices_spans_shifted(world)
    with broker_at(f"redis://127.0.0.1:{free_port()}/0"):
        for annotator in (world.annotator, world.other_annotator):
            response = api(annotator).post(f"/api/documents/{world.document.pk}/submit/")
            assert response.status_code == 200, response.content
    assert figures(api, world) is None
    with process(worker_args(), child_env(), tmp_path / "worker.log"):
        found = work.sweep(now=timezone.now() + timedelta(minutes=5))
        assert found["agreement_done_seq"] == 1
        result = wait_until(lambda: figures(api, world), what="agreement after the sweep")
    check(*result)
