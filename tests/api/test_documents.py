"""Documents: NFC import, assignment to the least-loaded annotators, status, submission."""

import unicodedata
from typing import Any

import pytest

from annotations.models import Assignment, AssignmentStatus, AuditEvent, Document, Role
from tests.conftest import World, assert_error
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def create(world: World, api: Any, **fields: Any) -> Any:
    return api(world.admin).post(
        f"/api/projects/{world.project.pk}/documents/",
        {"title": "Ministers disagree", **fields},
        format="json",
    )


def test_text_is_stored_nfc_with_newlines_and_hashed(world: World, api: Any) -> None:
    decomposed = unicodedata.normalize("NFD", "Café said:\r\nno.\rYes n̈.")
    response = create(world, api, text=decomposed)
    assert response.status_code == 201, response.content
    document = Document.objects.get(pk=response.json()["id"])
    assert document.text == "Café said:\nno.\nYes n̈."
    assert unicodedata.is_normalized("NFC", document.text)
    assert "\u0308" in document.text  # n̈ has no precomposed form: NFC keeps the mark.
    assert response.json()["length"] == len(document.text)
    assert len(document.text_hash) == 64


def test_new_document_goes_to_the_least_loaded_annotators(world: World, api: Any) -> None:
    carol = UserFactory(username="carol")
    MembershipFactory(project=world.project, user=carol, role=Role.ANNOTATOR)
    response = create(world, api, text="One claim.")
    annotators = set(
        Assignment.objects.filter(document_id=response.json()["id"]).values_list(
            "annotator__username", flat=True
        )
    )
    # alice and bob already have one open assignment each; carol has none.
    assert "carol" in annotators
    assert len(annotators) == 2


def test_empty_text_is_refused(world: World, api: Any) -> None:
    assert_error(create(world, api, text=" \n "), 400, "empty_text", "The article text is empty.")


def test_annotator_lists_only_assigned_documents(world: World, api: Any) -> None:
    create(world, api, text="Unassigned to alice? Maybe.")
    carol_doc = Document.objects.create(
        project=world.project, title="Not yours", text="x", text_hash="0" * 64
    )
    data = api(world.annotator).get(f"/api/projects/{world.project.pk}/documents/").json()
    ids = {d["id"] for d in data["results"]}
    assert world.document.pk in ids
    assert carol_doc.pk not in ids
    assert_error(api(world.annotator).get(f"/api/documents/{carol_doc.pk}/"), 404, "not_found")


def test_status_filter_is_validated(world: World, api: Any) -> None:
    response = api(world.editor).get(f"/api/projects/{world.project.pk}/documents/?status=done")
    assert_error(
        response,
        400,
        "invalid_field",
        "status must be one of open, partially_submitted, submitted, in_review, accepted.",
    )


def test_document_status_follows_submissions(world: World, api: Any) -> None:
    url = f"/api/documents/{world.document.pk}/"
    assert api(world.editor).get(url).json()["status"] == "open"
    api(world.annotator).post(url + "submit/")
    assert api(world.editor).get(url).json()["status"] == "partially_submitted"
    api(world.other_annotator).post(url + "submit/")
    assert api(world.editor).get(url).json()["status"] == "submitted"
    editor_filter = f"/api/projects/{world.project.pk}/documents/?status=submitted"
    assert [d["id"] for d in api(world.editor).get(editor_filter).json()["results"]] == [
        world.document.pk
    ]


def test_submitting_twice_is_one_submission(world: World, api: Any) -> None:
    client = api(world.annotator)
    first = client.post(f"/api/documents/{world.document.pk}/submit/")
    second = client.post(f"/api/documents/{world.document.pk}/submit/")
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    assert AuditEvent.objects.filter(action="assignment.submit").count() == 1
    world.assignment.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.SUBMITTED


def test_document_detail_carries_text_and_my_assignment(world: World, api: Any) -> None:
    data = api(world.annotator).get(f"/api/documents/{world.document.pk}/").json()
    assert data["text"] == world.document.text
    assert data["assignment"]["annotator"] == "alice"
    assert data["assignment"]["status"] == "assigned"
    assert (
        api(world.editor).get(f"/api/documents/{world.document.pk}/").json()["assignment"] is None
    )
