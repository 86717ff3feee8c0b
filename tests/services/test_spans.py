"""The span service re-reads the layer under its lock: what changed since it was loaded wins."""

from datetime import UTC, datetime

import pytest

from annotations.errors import ConflictError, NotFoundError
from annotations.models import Assignment, AssignmentStatus, Document, Span
from annotations.selectors.documents import layer_get
from annotations.services.spans import span_create, span_delete, span_update
from tests.factories import AssignmentFactory, DocumentFactory, MembershipFactory

pytestmark = pytest.mark.django_db

TEXT = "The minister said unemployment fell."


def loaded_layer() -> Assignment:
    """An annotator's layer as the view loads it, before anything else changes."""
    assignment = AssignmentFactory(document=DocumentFactory(text=TEXT))
    MembershipFactory(project=assignment.document.project, user=assignment.annotator)
    return layer_get(user=assignment.annotator, document_id=assignment.document_id)


def create(assignment: Assignment) -> tuple[Span, bool]:
    return span_create(
        assignment=assignment,
        actor=assignment.annotator,
        label="claim",
        start=18,
        end=35,
        quote="unemployment fell",
    )


def test_the_write_reads_the_text_under_the_lock() -> None:
    layer = loaded_layer()
    assert "text" in layer.document.get_deferred_fields()
    span, created = create(layer)
    assert created
    assert (span.prefix, span.suffix) == ("The minister said ", ".")
    assert "text" not in layer.document.get_deferred_fields()
    assert layer.document.text == TEXT


def test_a_submission_after_loading_makes_the_write_a_conflict() -> None:
    layer = loaded_layer()
    Assignment.objects.filter(pk=layer.pk).update(status=AssignmentStatus.SUBMITTED)
    with pytest.raises(ConflictError) as refused:
        create(layer)
    assert (refused.value.code, refused.value.message) == (
        "assignment_read_only",
        "This assignment is submitted, so it is read-only. An editor can send it back to you "
        "for changes.",
    )
    assert layer.status == AssignmentStatus.SUBMITTED
    assert not Span.objects.filter(assignment_id=layer.pk).exists()


def test_an_acceptance_after_loading_makes_the_write_a_conflict() -> None:
    layer = loaded_layer()
    when = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    Document.objects.filter(pk=layer.document_id).update(accepted_at=when)
    with pytest.raises(ConflictError) as refused:
        create(layer)
    assert (refused.value.code, refused.value.message) == (
        "document_accepted",
        "This document has been accepted; its layers are final.",
    )
    assert layer.document.accepted_at == when


def test_a_layer_deleted_after_loading_is_not_written() -> None:
    layer = loaded_layer()
    Assignment.objects.filter(pk=layer.pk).delete()
    with pytest.raises(NotFoundError) as refused:
        create(layer)
    assert (refused.value.code, refused.value.message) == (
        "not_assigned",
        "This document was taken away from you while you were saving, so nothing was saved. "
        "Reload the page to see your documents.",
    )
    assert not Span.objects.filter(assignment_id=layer.pk).exists()


def test_a_span_deleted_in_another_tab_is_a_404_for_its_edit_and_its_delete() -> None:
    layer = loaded_layer()
    span, _ = create(layer)
    loaded = Span.objects.select_related("assignment__document__project").get(pk=span.pk)
    Span.objects.filter(pk=span.pk).delete()
    actor = layer.annotator
    with pytest.raises(NotFoundError) as edit:
        span_update(span=loaded, actor=actor, version=1, note="too late")
    with pytest.raises(NotFoundError) as delete:
        span_delete(span=loaded, actor=actor, version=1)
    for refused in (edit, delete):
        assert (refused.value.code, refused.value.status) == ("not_found", 404)
        assert refused.value.message.startswith("No span with that id exists")
