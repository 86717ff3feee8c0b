"""Concurrent writes against a real server: no lost update, no duplicate, no double submit.

Requests race from threads released together by a barrier against pytest-django's live
server, which serves each request in its own thread with its own database connection, so
the row locks and constraints in PostgreSQL decide, as in production.
"""

import uuid
from collections import Counter
from typing import Any

import pytest

from annotations.models import Assignment, AuditEvent, Document, Role, Span
from tests.conftest import World
from tests.factories import (
    PASSWORD,
    AssignmentFactory,
    DocumentFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)
from tests.reliability.http import at_once, signed_in_session, token_session

pytestmark = pytest.mark.django_db(transaction=True)

STALE_MESSAGE = (
    "This span was changed elsewhere (you sent version 1, the current one is 2). Reload it, "
    "re-apply your change and send the current version."
)


def test_two_sessions_editing_one_span_give_one_409_and_lose_no_update(
    world: World, live_server: Any
) -> None:
    url = f"{live_server.url}/api/spans/{world.span.pk}/"
    tab_one = signed_in_session(live_server.url, "alice", PASSWORD)
    tab_two = signed_in_session(live_server.url, "alice", PASSWORD)
    edits = [
        (tab_one, {"note": "checked against the ministry's figures"}),
        (tab_two, {"attributes": {"check_worthiness": "check_worthy"}}),
    ]

    responses = at_once(
        [
            lambda session=session, change=change: session.patch(
                url, json={**change, "version": 1}, timeout=30
            )
            for session, change in edits
        ]
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 200)
    loser = 1 - winner
    error = responses[loser].json()["error"]
    assert (error["code"], error["message"]) == ("stale_version", STALE_MESSAGE)
    assert error["details"]["current"] == responses[winner].json()
    session, change = edits[loser]
    retried = session.patch(url, json={**change, "version": 2}, timeout=30)
    assert retried.status_code == 200, retried.text
    span = Span.objects.get(pk=world.span.pk)
    assert span.note == "checked against the ministry's figures"
    assert span.attributes == {"check_worthiness": "check_worthy"}
    assert span.version == 3
    assert AuditEvent.objects.filter(action="span.update", object_id=span.pk).count() == 2


def test_twenty_annotators_saving_at_once_store_every_span_exactly_once(live_server: Any) -> None:
    words = [f"word{n:02d}" for n in range(40)]
    project = ProjectFactory(annotators_per_document=20)
    document = DocumentFactory(project=project, text=" ".join(words))
    annotators = [UserFactory(username=f"checker{n:02d}") for n in range(20)]
    for user in annotators:
        MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
        AssignmentFactory(document=document, annotator=user)
    url = f"{live_server.url}/api/documents/{document.pk}/spans/"
    plans = {
        user.username: [(uuid.uuid4(), (i * 7 + n) % len(words)) for n in range(5)]
        for i, user in enumerate(annotators)
    }
    sessions = {user.username: token_session(user) for user in annotators}

    def annotate(username: str) -> list[tuple[int, int]]:
        """Save five spans, each sent twice as an autosave retry after a lost response does."""
        results = []
        for client_id, word in plans[username]:
            start = word * 7
            body = {
                "client_id": str(client_id),
                "label": "claim",
                "start": start,
                "end": start + 6,
                "quote": words[word],
            }
            for _attempt in range(2):
                response = sessions[username].post(url, json=body, timeout=60)
                results.append((response.status_code, response.json().get("id")))
        return results

    outcomes = at_once([lambda u=u.username: annotate(u) for u in annotators])

    for results in outcomes:
        assert [status for status, _ in results] == [201, 200] * 5
        assert [span_id for _, span_id in results[0::2]] == [
            span_id for _, span_id in results[1::2]
        ]
    for username, plan in plans.items():
        stored = Span.objects.filter(assignment__annotator__username=username)
        assert sorted(stored.values_list("client_id", flat=True)) == sorted(c for c, _ in plan)
        assert sorted(stored.values_list("start", flat=True)) == sorted(w * 7 for _, w in plan)
    assert Span.objects.filter(assignment__document=document).count() == 100
    assert AuditEvent.objects.filter(action="span.create").count() == 100


def test_double_clicked_submit_is_one_submission(world: World, live_server: Any) -> None:
    url = f"{live_server.url}/api/documents/{world.document.pk}/submit/"
    clicks = [token_session(world.annotator), token_session(world.annotator)]

    responses = at_once([lambda s=s: s.post(url, timeout=30) for s in clicks])

    assert [r.status_code for r in responses] == [200, 200]
    assert {(r.json()["status"], r.json()["version"]) for r in responses} == {("submitted", 2)}
    assignment = Assignment.objects.get(pk=world.assignment.pk)
    assert (assignment.status, assignment.version) == ("submitted", 2)
    submits = AuditEvent.objects.filter(action="assignment.submit", object_id=assignment.pk)
    assert submits.count() == 1
    assert Document.objects.get(pk=world.document.pk).work_seq == 1


def test_same_client_id_sent_twice_at_once_stores_one_span(world: World, live_server: Any) -> None:
    url = f"{live_server.url}/api/documents/{world.document.pk}/spans/"
    tabs = [token_session(world.annotator), token_session(world.annotator)]
    for _round in range(5):
        client_id = str(uuid.uuid4())
        body = {"client_id": client_id, "label": "claim", "start": 18, "end": 35}
        body["quote"] = world.document.text[18:35]

        responses = at_once(
            [lambda s=s, body=body: s.post(url, json=body, timeout=30) for s in tabs]
        )

        assert Counter(r.status_code for r in responses) == Counter({201: 1, 200: 1})
        assert len({r.json()["id"] for r in responses}) == 1
        assert Span.objects.filter(client_id=client_id).count() == 1
    assert AuditEvent.objects.filter(action="span.create").count() == 5
