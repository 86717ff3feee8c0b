"""A span's full history from its audit events, for its annotator and the project's editors."""

from typing import Any

import pytest

from tests.conftest import World, assert_error

pytestmark = pytest.mark.django_db


def test_history_shows_every_change_to_a_span_even_after_it_is_deleted(
    world: World, api: Any
) -> None:
    alice = api(world.annotator)
    text = world.document.text
    created = alice.post(
        f"/api/documents/{world.document.pk}/spans/",
        {"label": "claim", "start": 18, "end": 35, "quote": text[18:35]},
        format="json",
    ).json()
    url = f"/api/spans/{created['id']}/"
    alice.patch(url, {"note": "check the ministry's figures", "version": 1}, format="json")
    alice.delete(f"{url}?version=2")

    for user in (world.annotator, world.editor):
        response = api(user).get(f"{url}history/")
        assert response.status_code == 200, response.content
        events = response.json()["results"]
        assert [(e["action"], e["actor"]) for e in events] == [
            ("span.create", "alice"),
            ("span.update", "alice"),
            ("span.delete", "alice"),
        ]
        assert events[0]["before"] is None
        assert events[0]["after"]["quote"] == "unemployment fell"
        assert (events[1]["before"]["note"], events[1]["after"]["note"]) == (
            "",
            "check the ministry's figures",
        )
        assert events[2]["before"]["version"] == 2
        assert events[2]["after"] is None


def test_another_annotator_cannot_read_a_spans_history(world: World, api: Any) -> None:
    assert_error(
        api(world.other_annotator).get(f"/api/spans/{world.span.pk}/history/"),
        404,
        "not_found",
        "No span with that id exists, or you are not a member of its project.",
    )


def test_history_of_a_span_that_never_existed_is_404(world: World, api: Any) -> None:
    assert_error(api(world.editor).get("/api/spans/987654/history/"), 404, "not_found")
