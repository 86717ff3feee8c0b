"""The adjudication lease: claim, renew, expiry, takeover with a warning, release — on an
injected clock, never by waiting."""

from typing import Any

import pytest

from annotations.models import AuditEvent, Document, Span
from tests.conftest import assert_error
from tests.review.conftest import CLAIM, Clock, Newsroom, key

pytestmark = pytest.mark.django_db


def lease(api: Any, user: Any, document: Document, **body: Any) -> Any:
    return api(user).post(f"/api/documents/{document.pk}/lease/", body, format="json")


def test_opening_claims_the_document_for_fifteen_minutes(
    newsroom: Newsroom, disputed: Document, api: Any, clock: Clock
) -> None:
    response = lease(api, newsroom.editor, disputed)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "holder": "erin",
        "expires_at": "2026-03-02T09:15:00Z",
        "taken_over_from": None,
        "warning": None,
    }
    review = api(newsroom.editor).get(f"/api/documents/{disputed.pk}/review/").json()
    assert review["document"]["lease"] == {"holder": "erin", "expires_at": "2026-03-02T09:15:00Z"}


def test_a_second_editor_is_told_it_is_taken(
    newsroom: Newsroom, disputed: Document, api: Any, clock: Clock
) -> None:
    lease(api, newsroom.editor, disputed)
    clock.advance(minutes=5)
    error = assert_error(
        lease(api, newsroom.other_editor, disputed),
        409,
        "lease_taken",
        "erin is adjudicating this document until 09:15 UTC on 02 Mar. Wait for them to "
        "finish, or take it over if they have stopped (they will be told).",
    )
    assert error["details"] == {"holder": "erin", "expires_at": "2026-03-02T09:15:00+00:00"}


def test_the_holder_renews_and_the_lease_moves_on(
    newsroom: Newsroom, disputed: Document, api: Any, clock: Clock
) -> None:
    lease(api, newsroom.editor, disputed)
    clock.advance(minutes=10)
    assert lease(api, newsroom.editor, disputed).json()["expires_at"] == "2026-03-02T09:25:00Z"
    clock.advance(minutes=10)  # past the first expiry, within the renewed one
    assert lease(api, newsroom.other_editor, disputed).status_code == 409
    # Renewals are not history: one claim event only.
    assert AuditEvent.objects.filter(action="review.lease_claim").count() == 1


def test_an_expired_lease_is_taken_without_asking(
    newsroom: Newsroom, disputed: Document, api: Any, clock: Clock
) -> None:
    lease(api, newsroom.editor, disputed)
    clock.advance(minutes=15)  # expires exactly now
    response = lease(api, newsroom.other_editor, disputed)
    assert response.status_code == 200, response.content
    assert (response.json()["holder"], response.json()["taken_over_from"]) == ("ed", None)


def test_takeover_warns_and_the_previous_holder_is_refused(
    newsroom: Newsroom, disputed: Document, api: Any, clock: Clock
) -> None:
    lease(api, newsroom.editor, disputed)
    clock.advance(minutes=1)
    response = lease(api, newsroom.other_editor, disputed, takeover=True)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "holder": "ed",
        "expires_at": "2026-03-02T09:16:00Z",
        "taken_over_from": "erin",
        "warning": "You took this document over from erin; their unsaved decisions will be "
        "refused.",
    }
    event = AuditEvent.objects.get(action="review.lease_takeover")
    assert (event.actor, event.before, event.after["holder"]) == (
        newsroom.other_editor,
        {"holder": "erin"},
        "ed",
    )
    # erin's page learns it at its next renewal, and her decisions are refused meanwhile.
    assert lease(api, newsroom.editor, disputed).json()["error"]["code"] == "lease_taken"
    decided = api(newsroom.editor).post(
        f"/api/documents/{disputed.pk}/gold/decisions/",
        {"candidate": key("claim", CLAIM), "decision": "accepted"},
        format="json",
    )
    assert_error(decided, 409, "lease_taken")


def test_gold_span_edits_respect_the_lease_too(
    newsroom: Newsroom, disputed: Document, api: Any, clock: Clock
) -> None:
    api(newsroom.editor).post(
        f"/api/documents/{disputed.pk}/gold/merge/", {"strategy": "majority"}, format="json"
    )
    span = Span.objects.filter(assignment__document=disputed, assignment__kind="gold").first()
    assert span is not None
    edit = api(newsroom.other_editor).patch(
        f"/api/spans/{span.pk}/", {"note": "mine now", "version": 1}, format="json"
    )
    assert_error(edit, 409, "lease_taken")
    clock.advance(minutes=16)
    edit = api(newsroom.other_editor).patch(
        f"/api/spans/{span.pk}/", {"note": "mine now", "version": 1}, format="json"
    )
    assert edit.status_code == 200, edit.content
    disputed.refresh_from_db()
    assert disputed.lease_holder == newsroom.other_editor  # writing claimed it


def test_release_frees_it_and_only_the_holder_can(
    newsroom: Newsroom, disputed: Document, api: Any, clock: Clock
) -> None:
    lease(api, newsroom.editor, disputed)
    url = f"/api/documents/{disputed.pk}/lease/"
    assert api(newsroom.other_editor).delete(url).status_code == 204
    disputed.refresh_from_db()
    assert disputed.lease_holder == newsroom.editor  # someone else's release changes nothing
    assert api(newsroom.editor).delete(url).status_code == 204
    disputed.refresh_from_db()
    assert disputed.lease_holder is None
    assert lease(api, newsroom.other_editor, disputed).json()["taken_over_from"] is None
    assert AuditEvent.objects.filter(action="review.lease_release").count() == 1
