"""A verdict's refusals show the verdict as the verdict endpoints do."""

from typing import Any

import pytest

from annotations.models import AssignmentKind, Verdict
from tests.conftest import World, assert_error
from tests.factories import AssignmentFactory, SpanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def verdict_url(world: World) -> str:
    """A gold claim of the world's document, rated False by its editor."""
    gold = AssignmentFactory(
        document=world.document, annotator=world.editor, kind=AssignmentKind.GOLD
    )
    claim = SpanFactory(assignment=gold, label="claim", start=4, end=12)
    Verdict.objects.create(span=claim, rating="False", updated_by=world.editor)
    return f"/api/spans/{claim.pk}/verdict/"


def test_a_stale_update_shows_the_current_verdict(world: World, api: Any, verdict_url: str) -> None:
    client = api(world.editor)
    current = client.get(verdict_url).json()
    stale = client.patch(verdict_url, {"rating": "True", "version": 0}, format="json")
    error = assert_error(
        stale,
        409,
        "stale_version",
        "This verdict was changed elsewhere (you sent version 0, the current one is 1). "
        "Reload it, re-apply your change and send the current version.",
    )
    assert error["details"]["current"] == current
    assert client.get(verdict_url).json() == current


def test_a_second_verdict_shows_the_first(world: World, api: Any, verdict_url: str) -> None:
    client = api(world.editor)
    current = client.get(verdict_url).json()
    again = client.post(verdict_url, {"rating": "True"}, format="json")
    error = assert_error(
        again, 409, "verdict_exists", "This claim already has a verdict; change it with PATCH."
    )
    assert error["details"]["current"] == current
