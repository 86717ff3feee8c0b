"""Reassignment: add a named annotator or the least-loaded one, remove one with their layer."""

from typing import Any

import pytest

from annotations.models import Assignment, AuditEvent, Document, Span
from tests.conftest import assert_error
from tests.review.conftest import CLAIM, Newsroom, article, layer

pytestmark = pytest.mark.django_db


def url(document: Document, username: str = "") -> str:
    base = f"/api/documents/{document.pk}/assignments/"
    return f"{base}{username}/" if username else base


def test_add_a_named_member(newsroom: Newsroom, disputed: Document, api: Any) -> None:
    response = api(newsroom.editor).post(url(disputed), {"annotator": "dave"}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["annotator"], response.json()["status"]) == ("dave", "assigned")
    disputed.refresh_from_db()
    assert disputed.status == "partially_submitted"  # dave has not submitted yet
    event = AuditEvent.objects.get(action="assignment.create", object_id=response.json()["id"])
    assert event.after["rule"] == "editor"
    assert event.actor == newsroom.editor


def test_least_loaded_picks_the_annotator_with_the_fewest_open_assignments(
    newsroom: Newsroom, api: Any
) -> None:
    alice, _bob, carol, dave = newsroom.annotators
    busy = article(newsroom.project, title="Busy")
    for annotator in (alice, carol, dave):
        layer(busy, annotator, [], status="in_progress")
    other = article(newsroom.project, title="Other")
    layer(other, dave, [], status="assigned")
    target = article(newsroom.project, title="Target")
    # alice already has it; bob has no open work, carol one, dave two.
    layer(target, alice, [("claim", CLAIM)])
    response = api(newsroom.editor).post(url(target), {"least_loaded": True}, format="json")
    assert response.json()["annotator"] == "bob"
    response = api(newsroom.editor).post(url(target), {"least_loaded": True}, format="json")
    assert response.json()["annotator"] == "carol"
    event = AuditEvent.objects.filter(action="assignment.create").last()
    assert event is not None
    assert event.after["rule"] == "least_loaded"


def test_refusals_say_what_to_do(newsroom: Newsroom, disputed: Document, api: Any) -> None:
    client = api(newsroom.editor)
    assert_error(
        client.post(url(disputed), {"annotator": "alice"}, format="json"),
        409,
        "already_assigned",
        "“alice” already has this document.",
    )
    assert_error(
        client.post(url(disputed), {"annotator": "nina"}, format="json"),
        400,
        "not_a_member",
        "“nina” is not a member of project “Newsroom”; add them to the project first.",
    )
    assert_error(
        client.post(url(disputed), {}, format="json"),
        400,
        "annotator_required",
        "Name the annotator (annotator) or ask for the least-loaded one (least_loaded: true).",
    )
    client.post(url(disputed), {"least_loaded": True}, format="json")  # dave, the last one
    assert_error(
        client.post(url(disputed), {"least_loaded": True}, format="json"),
        409,
        "no_annotator_available",
        "Every annotator of this project already has this document; add an annotator to the "
        "project first.",
    )


def test_remove_an_annotator_and_their_layer_at_the_current_version(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    client = api(newsroom.editor)
    carol = Assignment.objects.get(document=disputed, annotator__username="carol")
    assert_error(client.delete(url(disputed, "carol")), 400, "version_required")
    stale = assert_error(client.delete(url(disputed, "carol") + "?version=7"), 409, "stale_version")
    assert stale["details"]["current"]["annotator"] == "carol"
    response = client.delete(url(disputed, "carol") + f"?version={carol.version}")
    assert response.status_code == 204, response.content
    assert not Span.objects.filter(assignment_id=carol.pk).exists()
    event = AuditEvent.objects.get(action="assignment.delete", object_id=carol.pk)
    assert (event.before["username"], event.before["spans"], event.before["document"]) == (
        "carol",
        2,
        disputed.pk,
    )
    review = client.get(f"/api/documents/{disputed.pk}/review/").json()
    assert review["compared"] == ["alice", "bob"]
    disputed.refresh_from_db()
    assert disputed.work_seq == 1  # a counted layer went: agreement is recomputed
    assert_error(
        client.delete(url(disputed, "carol") + "?version=1"),
        404,
        "not_assigned",
        "“carol” has no assignment on this document.",
    )


def test_the_list_shows_each_annotator_and_version(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    data = api(newsroom.editor).get(url(disputed)).json()
    assert [(a["annotator"], a["status"], a["version"]) for a in data] == [
        ("alice", "submitted", 1),
        ("bob", "submitted", 1),
        ("carol", "submitted", 1),
    ]
