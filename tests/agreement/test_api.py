"""GET /api/documents/{id}/agreement/ and /api/projects/{id}/agreement/."""

from typing import Any

import pytest

from annotations.models import Assignment, AssignmentStatus
from annotations.services import agreement
from annotations.services.work import document_mark_dirty
from tests.conftest import World, assert_error
from tests.factories import DocumentFactory, SpanFactory

pytestmark = pytest.mark.django_db


def computed(world: World, *, identical: bool = True) -> None:
    for span in world.assignment.spans.all():
        SpanFactory(
            assignment=world.other_assignment,
            label=span.label,
            start=span.start if identical else span.start + 2,
            end=span.end,
        )
    Assignment.objects.filter(pk__in=[world.assignment.pk, world.other_assignment.pk]).update(
        status=AssignmentStatus.SUBMITTED
    )
    document_mark_dirty(document_id=world.document.pk)
    agreement.document_agreement_recompute(document_id=world.document.pk)


def test_editor_reads_a_documents_figures(world: World, api: Any) -> None:
    computed(world)
    response = api(world.editor).get(f"/api/documents/{world.document.pk}/agreement/")
    assert response.status_code == 200
    body = response.json()
    assert body["document"] == world.document.pk
    assert body["pending"] is False
    assert len(body["inputs_fingerprint"]) == 64
    assert body["metrics"]["u_alpha"] == pytest.approx(1.0)
    assert body["metrics"]["pairs"]["alice|bob"]["f1_exact"] == pytest.approx(1.0)
    assert body["metrics"]["documents"] == 1


def test_figures_not_computed_yet_are_null_and_pending(world: World, api: Any) -> None:
    document_mark_dirty(document_id=world.document.pk)
    body = api(world.admin).get(f"/api/documents/{world.document.pk}/agreement/").json()
    assert body["pending"] is True
    assert body["computed_at"] is None
    assert body["metrics"]["u_alpha"] is None


@pytest.mark.parametrize("role", ["annotator", "other_annotator", "non_member", "other_admin"])
def test_annotators_and_outsiders_get_404_for_agreement(world: World, api: Any, role: str) -> None:
    computed(world)
    client = api(world.user(role))
    assert_error(
        client.get(f"/api/documents/{world.document.pk}/agreement/"),
        404,
        "not_found",
        "No document with that id exists, or you are not a member of its project.",
    )
    assert_error(
        client.get(f"/api/projects/{world.project.pk}/agreement/"),
        404,
        "not_found",
        "No project with that id exists, or you are not a member of it.",
    )


def test_project_figures_list_documents_lowest_first_undefined_last(world: World, api: Any) -> None:
    computed(world, identical=False)
    empty = DocumentFactory(project=world.project, title="Nothing marked")
    for user in (world.annotator, world.other_annotator):
        Assignment.objects.create(document=empty, annotator=user, status=AssignmentStatus.SUBMITTED)
    document_mark_dirty(document_id=empty.pk)
    agreement.document_agreement_recompute(document_id=empty.pk)
    perfect = DocumentFactory(project=world.project, title="Perfect")
    for user in (world.annotator, world.other_annotator):
        layer = Assignment.objects.create(
            document=perfect, annotator=user, status=AssignmentStatus.SUBMITTED
        )
        SpanFactory(assignment=layer, start=0, end=12)
    document_mark_dirty(document_id=perfect.pk)
    agreement.document_agreement_recompute(document_id=perfect.pk)

    body = api(world.editor).get(f"/api/projects/{world.project.pk}/agreement/").json()

    assert [d["id"] for d in body["documents"]] == [world.document.pk, perfect.pk, empty.pk]
    values = [d["u_alpha"] for d in body["documents"]]
    assert values[0] < values[1] == pytest.approx(1.0)
    assert values[2] is None
    assert body["metrics"]["documents"] == 3
    assert body["pending"] == 0
    assert body["lowest"] == body["documents"]
