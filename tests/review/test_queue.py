"""The review queue API: every filter, every sort, the counts per state, and who may see it."""

import json
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.test import Client

from annotations.models import Assignment, Document, Role
from annotations.services.documents import document_refresh_status
from annotations.services.work import document_label_counts_record, document_mark_dirty
from tests.conftest import assert_error
from tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.review.conftest import CLAIM, DENIAL, SOURCE, Clock, Newsroom, article, layer

pytestmark = pytest.mark.django_db

QUEUE = "/api/review/queue/"


def day(d: int) -> datetime:
    return datetime(2026, 3, d, 12, tzinfo=UTC)


@pytest.fixture
def shelf(newsroom: Newsroom) -> dict[str, Document]:
    """Documents in every review state, with agreement values low to high and one undefined."""
    alice, bob, carol, _ = newsroom.annotators
    documents: dict[str, Document] = {}

    def make(name: str, agreement: float | None, published: date | None = None) -> Document:
        document = article(
            newsroom.project, title=f"{name.capitalize()} article", published_at=published
        )
        Document.objects.filter(pk=document.pk).update(agreement_value=agreement)
        documents[name] = document
        return document

    low = make("low", 0.1, date(2026, 1, 5))
    layer(low, alice, [("claim", CLAIM)], submitted_at=day(1))
    layer(low, bob, [("claim", CLAIM), ("attribution", SOURCE)], submitted_at=day(2))
    layer(low, carol, [], submitted_at=day(3))

    mid = make("mid", 0.5, date(2026, 1, 1))
    layer(mid, alice, [("denial", DENIAL)], submitted_at=day(4))
    layer(mid, bob, [("claim", CLAIM)], status="in_progress")

    high = make("high", 0.9)
    layer(high, alice, [("claim", CLAIM)], submitted_at=day(5))
    layer(high, bob, [("claim", CLAIM)], submitted_at=day(6))
    layer(high, carol, [("claim", CLAIM)], submitted_at=day(6))
    Assignment.objects.create(document=high, annotator=newsroom.editor, kind="gold")
    document_refresh_status(document=high)

    undefined = make("undefined", None, date(2026, 2, 1))
    layer(undefined, alice, [], submitted_at=day(7))
    layer(undefined, bob, [], submitted_at=day(7))
    layer(undefined, carol, [], submitted_at=day(7))

    back = make("back", 0.3)
    layer(back, alice, [("claim", CLAIM)], status="changes_requested")
    layer(back, bob, [("claim", CLAIM)], submitted_at=day(2))

    done = make("done", 0.7)
    for annotator in (alice, bob, carol):
        layer(done, annotator, [("claim", CLAIM)], status="accepted", submitted_at=day(1))
    Document.objects.filter(pk=done.pk).update(accepted_at=day(8), status="accepted")

    untouched = make("untouched", None)
    layer(untouched, alice, [], status="assigned")

    for document in documents.values():
        document_mark_dirty(document_id=document.pk)
        document_label_counts_record(document_id=document.pk)
    return documents


def titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"].split()[0].lower() for row in response.json()["results"]]


def test_lowest_agreement_first_and_undefined_after_every_number(
    newsroom: Newsroom, shelf: dict[str, Document], api: Any
) -> None:
    response = api(newsroom.editor).get(QUEUE)
    assert titles(response) == ["low", "mid", "high", "undefined"]
    assert titles(api(newsroom.editor).get(QUEUE + "?ordering=-agreement")) == [
        "high",
        "mid",
        "low",
        "undefined",
    ]


def test_counts_per_review_state_ignore_the_state_filter(
    newsroom: Newsroom, shelf: dict[str, Document], api: Any
) -> None:
    for query in ("", "?status=accepted", "?status=all"):
        assert api(newsroom.editor).get(QUEUE + query).json()["counts"] == {
            "partially_submitted": 1,
            "submitted": 2,
            "in_review": 1,
            "changes_requested": 1,
            "accepted": 1,
        }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=accepted", ["done"]),
        ("status=changes_requested", ["back"]),
        ("status=submitted,in_review", ["low", "high", "undefined"]),
        ("status=all", ["low", "back", "mid", "done", "high", "undefined"]),
        ("label=denial", ["mid"]),
        ("label=attribution", ["low"]),
        ("annotator=carol", ["low", "high", "undefined"]),
        ("agreement_min=0.4&agreement_max=0.95", ["mid", "high"]),
        ("agreement_undefined=true", ["undefined"]),
        ("agreement_undefined=false", ["low", "mid", "high"]),
        ("submitted_after=2026-03-04&submitted_before=2026-03-05", ["mid", "high"]),
        ("submitted_before=2026-03-01", ["low"]),
        ("q=HIGH", ["high"]),
        ("ordering=title", ["high", "low", "mid", "undefined"]),
        ("ordering=-title", ["undefined", "mid", "low", "high"]),
        ("ordering=submitted", ["low", "mid", "high", "undefined"]),
        ("ordering=-submitted", ["undefined", "high", "mid", "low"]),
        ("ordering=published", ["mid", "low", "undefined", "high"]),
        ("ordering=-published", ["undefined", "low", "mid", "high"]),
        ("ordering=created", ["low", "mid", "high", "undefined"]),
        ("ordering=-created", ["undefined", "high", "mid", "low"]),
    ],
)
def test_filters_and_sorts(
    newsroom: Newsroom, shelf: dict[str, Document], api: Any, query: str, expected: list[str]
) -> None:
    assert titles(api(newsroom.editor).get(f"{QUEUE}?{query}")) == expected


def test_label_filter_counts_submitted_layers_only(
    newsroom: Newsroom, shelf: dict[str, Document], api: Any
) -> None:
    # bob marked a claim in "mid", but has not submitted it.
    assert "mid" not in titles(api(newsroom.editor).get(QUEUE + "?label=claim"))


def test_filters_combine(newsroom: Newsroom, shelf: dict[str, Document], api: Any) -> None:
    response = api(newsroom.editor).get(
        QUEUE + "?status=all&annotator=carol&agreement_max=0.8&ordering=-agreement"
    )
    # An agreement range leaves out documents whose agreement is undefined.
    assert titles(response) == ["done", "low"]
    assert response.json()["counts"]["accepted"] == 1


def test_a_row_shows_label_counts_per_annotator_and_how_many_submitted(
    newsroom: Newsroom, shelf: dict[str, Document], api: Any
) -> None:
    rows = api(newsroom.editor).get(QUEUE + "?status=all").json()["results"]
    low = next(r for r in rows if r["id"] == shelf["low"].pk)
    assert (low["agreement"], low["submitted"], low["annotators_per_document"]) == (0.1, 3, 3)
    assert low["review_state"] == "submitted"
    assert low["project"] == {"id": newsroom.project.pk, "name": "Newsroom"}
    assert [(a["username"], a["status"], a["label_counts"]) for a in low["annotators"]] == [
        ("alice", "submitted", {"claim": 1}),
        ("bob", "submitted", {"attribution": 1, "claim": 1}),
        ("carol", "submitted", {}),
    ]
    assert low["last_submitted_at"] == "2026-03-03T12:00:00Z"
    mid = next(r for r in rows if r["id"] == shelf["mid"].pk)
    assert (mid["submitted"], mid["review_state"]) == (1, "partially_submitted")
    # Work not submitted is not counted (nor shown) yet.
    assert [(a["username"], a["label_counts"]) for a in mid["annotators"]] == [
        ("alice", {"denial": 1}),
        ("bob", None),
    ]
    back = next(r for r in rows if r["id"] == shelf["back"].pk)
    assert back["annotators"][0]["status"] == "changes_requested"
    assert low["lease"] is None


def test_pages(newsroom: Newsroom, shelf: dict[str, Document], api: Any) -> None:
    first = api(newsroom.editor).get(QUEUE + "?page_size=3").json()
    assert (first["count"], len(first["results"])) == (4, 3)
    second = api(newsroom.editor).get(first["next"]).json()
    assert [r["title"] for r in second["results"]] == ["Undefined article"]


def test_bad_filters_name_the_field(
    newsroom: Newsroom, shelf: dict[str, Document], api: Any
) -> None:
    client = api(newsroom.editor)
    error = assert_error(client.get(QUEUE + "?status=finished"), 400, "invalid_field")
    assert error["field"] == "status"
    assert error["message"] == (
        "status: finished is not a review state; use partially_submitted, submitted, "
        "in_review, changes_requested, accepted or all."
    )
    assert assert_error(client.get(QUEUE + "?ordering=random"), 400, "invalid_field")["field"] == (
        "ordering"
    )
    assert (
        assert_error(client.get(QUEUE + "?submitted_after=yesterday"), 400, "invalid_field")[
            "field"
        ]
        == "submitted_after"
    )


def test_annotators_and_outsiders_get_404_and_editors_see_only_their_projects(
    newsroom: Newsroom, shelf: dict[str, Document], api: Any
) -> None:
    message = "The review queue is for the editors of a project; you edit none."
    assert_error(api(newsroom.annotators[0]).get(QUEUE), 404, "not_found", message)
    assert_error(api(newsroom.outsider).get(QUEUE), 404, "not_found", message)
    elsewhere = ProjectFactory(name="Elsewhere")
    olga = UserFactory(username="olga")
    MembershipFactory(project=elsewhere, user=olga, role=Role.ADMIN)
    theirs = article(elsewhere, title="Theirs")
    layer(theirs, newsroom.annotators[0], [], submitted_at=day(1))
    assert titles(api(olga).get(QUEUE)) == ["theirs"]
    assert theirs.pk not in [r["id"] for r in api(newsroom.editor).get(QUEUE).json()["results"]]
    assert_error(api(newsroom.editor).get(f"{QUEUE}?project={elsewhere.pk}"), 404, "not_found")
    # An annotator of a project is not its editor: the project filter is a 404 too.
    assert_error(
        api(newsroom.annotators[0]).get(f"{QUEUE}?project={newsroom.project.pk}"),
        404,
        "not_found",
    )
    assert (
        len(api(newsroom.editor).get(f"{QUEUE}?project={newsroom.project.pk}").json()["results"])
        == 4
    )


def test_a_claimed_document_shows_who_holds_it_until_the_lease_expires(
    newsroom: Newsroom, shelf: dict[str, Document], api: Any, clock: Clock
) -> None:
    api(newsroom.other_editor).post(f"/api/documents/{shelf['low'].pk}/lease/", {}, format="json")
    row = api(newsroom.editor).get(QUEUE).json()["results"][0]
    assert row["lease"]["holder"] == "ed"
    assert row["lease"] == {"holder": "ed", "expires_at": "2026-03-02T09:15:00Z"}
    clock.advance(minutes=15)
    assert api(newsroom.editor).get(QUEUE).json()["results"][0]["lease"] is None


def test_the_page_offers_each_projects_active_members_to_assign(
    newsroom: Newsroom, shelf: dict[str, Document], client: Client
) -> None:
    newsroom.annotators[3].is_active = False  # dave left
    newsroom.annotators[3].save()
    elsewhere = ProjectFactory(name="Elsewhere")
    MembershipFactory(project=elsewhere, user=newsroom.editor, role=Role.EDITOR)
    MembershipFactory(project=elsewhere, user=UserFactory(username="olga"), role=Role.ANNOTATOR)
    client.force_login(newsroom.editor)
    page = client.get("/review/")
    assert page.status_code == 200
    script = re.search(
        r'<script id="assign-data" type="application/json">(.*?)</script>', page.content.decode()
    )
    assert script is not None
    assert json.loads(script.group(1))["members"] == {
        str(newsroom.project.pk): ["adam", "alice", "bob", "carol", "ed", "erin"],
        str(elsewhere.pk): ["erin", "olga"],
    }


def test_the_page_says_which_filter_it_cannot_read(newsroom: Newsroom, client: Client) -> None:
    client.force_login(newsroom.editor)
    page = client.get("/review/?agreement_min=high")
    assert page.status_code == 200
    assert '<p class="problem" role="alert">agreement_min: A valid number is required.</p>' in (
        page.content.decode()
    )
