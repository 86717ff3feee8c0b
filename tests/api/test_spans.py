"""The span and relation API: offsets, quotes, schema, versions, idempotency, layers."""

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    Document,
    Membership,
    Project,
    Relation,
    Span,
)
from annotations.selectors.documents import layer_get
from tests.conftest import World, assert_error
from tests.factories import AssignmentFactory, SpanFactory

pytestmark = pytest.mark.django_db

TEXT = "The minister said unemployment fell. A spokesman called that false."


def spans_url(world: World) -> str:
    return f"/api/documents/{world.document.pk}/spans/"


def body(start: int, end: int, label: str = "claim", **extra: Any) -> dict[str, Any]:
    return {"label": label, "start": start, "end": end, "quote": TEXT[start:end], **extra}


def test_create_span_stores_code_point_offsets_quote_and_context(world: World, api: Any) -> None:
    response = api(world.annotator).post(spans_url(world), body(18, 35), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["start"], data["end"], data["quote"]) == (18, 35, "unemployment fell")
    assert data["prefix"] == "The minister said "
    assert data["suffix"] == ". A spokesman called that false."
    assert data["annotator"] == "alice"
    assert data["version"] == 1
    world.assignment.refresh_from_db()
    assert world.assignment.status == AssignmentStatus.IN_PROGRESS
    assert AuditEvent.objects.filter(action="span.create", object_id=data["id"]).count() == 1


def test_same_client_id_twice_returns_the_first_span(world: World, api: Any) -> None:
    client_id = str(uuid.uuid4())
    client = api(world.annotator)
    first = client.post(spans_url(world), body(18, 35, client_id=client_id), format="json")
    again = client.post(spans_url(world), body(18, 35, client_id=client_id), format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Span.objects.filter(client_id=client_id).count() == 1


@pytest.mark.parametrize(
    ("payload", "code", "message"),
    [
        (
            {"label": "claim", "start": 60, "end": 99, "quote": "x"},
            "offset_out_of_range",
            "end 99 is beyond the end of the text, which has 67 characters (offsets count "
            "Unicode code points).",
        ),
        (
            {"label": "claim", "start": -1, "end": 3, "quote": "The"},
            "offset_out_of_range",
            "start must be 0 or more, not -1.",
        ),
        (
            {"label": "claim", "start": 5, "end": 5, "quote": ""},
            "missing_field",
            "quote: This field may not be blank.",
        ),
        (
            {"label": "claim", "start": 8, "end": 4, "quote": "mini"},
            "empty_span",
            "start (8) must be less than end (4): a span covers at least one character.",
        ),
        (
            {"label": "claim", "start": "four", "end": 8, "quote": "mini"},
            "invalid_field",
            "start: A valid integer is required.",
        ),
        (
            {"label": "claim", "start": 4.5, "end": 8, "quote": "mini"},
            "invalid_field",
            "start: A valid integer is required.",
        ),
        (
            {"label": "claim", "start": 4, "end": 12, "quote": "minister "},
            "quote_mismatch",
            "The quote does not match the text at [4, 12): the text there is “minister” but "
            "the quote is “minister ”. Offsets count Unicode code points, not UTF-16 units or "
            "bytes.",
        ),
        (
            {"label": "rumour", "start": 4, "end": 12, "quote": "minister"},
            "unknown_label",
            "“rumour” is not a label of this project (allowed: claim, denial, attribution).",
        ),
        (
            {"label": "cue", "start": 4, "end": 12, "quote": "minister"},
            "unknown_label",
            "“cue” is not a label of this project (allowed: claim, denial, attribution).",
        ),
        (
            {
                "label": "claim",
                "start": 4,
                "end": 12,
                "quote": "minister",
                "attributes": {"check_worthiness": "very"},
            },
            "invalid_attribute",
            "attributes.check_worthiness: “very” is not a value of check_worthiness "
            "(allowed: check_worthy, not_check_worthy, not_factual)",
        ),
        (
            {
                "label": "claim",
                "start": 4,
                "end": 12,
                "quote": "minister",
                "attributes": {"source_type": "anonymous"},
            },
            "invalid_attribute",
            "attributes.source_type: “source_type” is not an attribute of label “claim” "
            "(allowed: check_worthiness, quote_type)",
        ),
        (
            {"start": 4, "end": 12, "quote": "minister"},
            "missing_field",
            "label: This field is required.",
        ),
    ],
)
def test_bad_span_is_refused_with_a_message_and_changes_nothing(
    world: World, api: Any, payload: dict[str, Any], code: str, message: str
) -> None:
    before = Span.objects.count()
    response = api(world.annotator).post(spans_url(world), payload, format="json")
    assert_error(response, 400, code, message)
    assert Span.objects.count() == before


def test_malformed_json_is_a_400_in_the_error_shape(world: World, api: Any) -> None:
    response = api(world.annotator).post(
        spans_url(world), data='{"label": "claim", ', content_type="application/json"
    )
    error = assert_error(response, 400, "malformed_json")
    assert error["message"].startswith("The request body is not valid JSON")


def test_oversized_body_is_refused_before_parsing(world: World, api: Any, settings: Any) -> None:
    settings.API_MAX_BODY_BYTES = 1000
    payload = body(4, 12, note="x" * 2000)
    response = api(world.annotator).post(spans_url(world), payload, format="json")
    error = assert_error(response, 413, "body_too_large")
    assert error["details"] == {"limit": 1000}


def test_overlap_is_refused_where_the_project_forbids_it(world: World, api: Any) -> None:
    world.project.allow_overlap = False
    world.project.save()
    response = api(world.annotator).post(spans_url(world), body(8, 17), format="json")
    assert_error(
        response,
        400,
        "overlap_not_allowed",
        "This project does not allow overlapping spans, and [8, 17) overlaps the claim span "
        "“minister” at [4, 12).",
    )


def test_overlapping_and_nested_spans_are_allowed_by_default(world: World, api: Any) -> None:
    client = api(world.annotator)
    assert client.post(spans_url(world), body(0, 35), format="json").status_code == 201
    assert client.post(spans_url(world), body(8, 17), format="json").status_code == 201


def test_label_of_another_project_schema_is_refused(world: World, api: Any) -> None:
    schema = world.other_project.label_schema
    schema["labels"].append(
        {"name": "rumour", "color": "#000000", "hotkey": "x", "enabled": True, "attributes": []}
    )
    world.other_project.save()
    response = api(world.annotator).post(spans_url(world), body(4, 12, "rumour"), format="json")
    assert_error(response, 400, "unknown_label")


def test_document_of_another_project_is_404_for_a_member_elsewhere(world: World, api: Any) -> None:
    url = f"/api/documents/{world.other_document.pk}/spans/"
    response = api(world.annotator).post(url, body(4, 12), format="json")
    assert_error(response, 404, "not_found")
    assert not Span.objects.filter(assignment__document=world.other_document).exists()


def test_writing_to_a_submitted_assignment_is_a_409(world: World, api: Any) -> None:
    client = api(world.annotator)
    assert client.post(f"/api/documents/{world.document.pk}/submit/").status_code == 200
    response = client.post(spans_url(world), body(18, 35), format="json")
    assert_error(
        response,
        409,
        "assignment_read_only",
        "This assignment is submitted, so it is read-only. An editor can send it back to you "
        "for changes.",
    )


def test_patch_with_stale_version_is_409_with_the_current_span(world: World, api: Any) -> None:
    client = api(world.annotator)
    url = f"/api/spans/{world.span.pk}/"
    first = client.patch(url, {"version": 1, "note": "first"}, format="json")
    assert first.status_code == 200
    assert first.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "note": "second"}, format="json")
    error = assert_error(stale, 409, "stale_version")
    assert error["details"]["current"]["note"] == "first"
    assert error["details"]["current"]["version"] == 2
    world.span.refresh_from_db()
    assert world.span.note == "first"


def test_patch_accepts_if_match_and_requires_a_version(world: World, api: Any) -> None:
    client = api(world.annotator)
    url = f"/api/spans/{world.span.pk}/"
    missing = client.patch(url, {"note": "x"}, format="json")
    assert_error(missing, 400, "version_required")
    ok = client.patch(url, {"note": "x"}, format="json", HTTP_IF_MATCH='"1"')
    assert ok.status_code == 200
    assert ok.json()["note"] == "x"


def test_moving_a_span_needs_a_matching_quote(world: World, api: Any) -> None:
    client = api(world.annotator)
    url = f"/api/spans/{world.span.pk}/"
    no_quote = client.patch(url, {"version": 1, "start": 0}, format="json")
    assert_error(no_quote, 400, "quote_required")
    moved = client.patch(
        url, {"version": 1, "start": 0, "end": 12, "quote": "The minister"}, format="json"
    )
    assert moved.status_code == 200
    assert moved.json()["prefix"] == ""


def test_delete_span_removes_its_relations_in_one_audit_event(world: World, api: Any) -> None:
    relation = world.relation
    client = api(world.annotator)
    stale = client.delete(f"/api/spans/{world.span.pk}/?version=7")
    assert_error(stale, 409, "stale_version")
    response = client.delete(f"/api/spans/{world.span.pk}/?version=1")
    assert response.status_code == 200
    assert response.json() == {"deleted_relations": 1}
    assert not Relation.objects.filter(pk=relation.pk).exists()
    event = AuditEvent.objects.get(action="span.delete", object_id=world.span.pk)
    assert event.before["relations"][0]["id"] == relation.pk


def test_relabel_that_breaks_a_relation_names_it(world: World, api: Any) -> None:
    relation = world.relation
    response = api(world.annotator).patch(
        f"/api/spans/{world.target.pk}/", {"version": 1, "label": "denial"}, format="json"
    )
    assert_error(
        response,
        400,
        "relation_invalid",
        f"Relabelling this span as denial would make attributed_to (relation {relation.pk}) "
        "invalid; delete those relations first.",
    )


def test_relabelling_checks_its_relations_in_queries_that_do_not_grow_with_them(
    world: World, api: Any
) -> None:
    client = api(world.annotator)
    url = f"/api/spans/{world.span.pk}/"
    # The first request also loads what is cached for the next ones.
    assert client.patch(url, {"version": 1, "note": "warm"}, format="json").status_code == 200
    with CaptureQueriesContext(connection) as one_relation:
        response = client.patch(url, {"version": 2, "label": "denial"}, format="json")
    assert response.status_code == 200, response.content
    for start in (13, 20, 27):
        extra = SpanFactory(
            assignment=world.assignment, label="attribution", start=start, end=start + 3
        )
        Relation.objects.create(
            assignment=world.assignment, type="attributed_to", from_span=world.span, to_span=extra
        )
    with CaptureQueriesContext(connection) as four_relations:
        response = client.patch(url, {"version": 3, "label": "claim"}, format="json")
    assert response.status_code == 200, response.content
    assert len(four_relations) == len(one_relation)


def test_annotators_are_blind_to_each_other(world: World, api: Any) -> None:
    client = api(world.other_annotator)
    assert client.get(spans_url(world)).json() == []
    assert_error(client.get(f"/api/spans/{world.span.pk}/"), 404, "not_found")
    assert_error(client.get(spans_url(world) + "?annotator=alice"), 403, "permission_denied")


def test_editor_reads_an_annotators_layer_but_cannot_edit_it(world: World, api: Any) -> None:
    client = api(world.editor)
    listed = client.get(spans_url(world) + "?annotator=alice")
    assert [s["id"] for s in listed.json()] == [world.span.pk, world.target.pk]
    response = client.patch(
        f"/api/spans/{world.span.pk}/", {"version": 1, "note": "x"}, format="json"
    )
    assert_error(response, 403, "not_your_layer")


class TestRelations:
    def make_target(self, world: World, label: str = "attribution") -> Any:
        return SpanFactory(assignment=world.assignment, label=label, start=49, end=55)

    def url(self, world: World) -> str:
        return f"/api/documents/{world.document.pk}/relations/"

    def test_relation_by_ids_and_by_client_ids(self, world: World, api: Any) -> None:
        client = api(world.annotator)
        target = self.make_target(world, "claim")
        by_id = client.post(
            self.url(world),
            {"type": "same_claim_as", "from_span": world.span.pk, "to_span": target.pk},
            format="json",
        )
        assert by_id.status_code == 201, by_id.content
        claim_cid, denial_cid = str(uuid.uuid4()), str(uuid.uuid4())
        client.post(spans_url(world), body(18, 35, client_id=claim_cid), format="json")
        client.post(spans_url(world), body(62, 67, "denial", client_id=denial_cid), format="json")
        by_cid = client.post(
            self.url(world),
            {"type": "denies", "from_client_id": denial_cid, "to_client_id": claim_cid},
            format="json",
        )
        assert by_cid.status_code == 201, by_cid.content
        assert len(client.get(self.url(world)).json()) == 3

    def test_type_not_allowed_between_those_labels(self, world: World, api: Any) -> None:
        target = self.make_target(world)
        response = api(world.annotator).post(
            self.url(world),
            {"type": "denies", "from_span": world.span.pk, "to_span": target.pk},
            format="json",
        )
        assert_error(
            response,
            400,
            "relation_not_allowed",
            "denies cannot link a claim to a attribution; it links denial to claim.",
        )

    def test_endpoint_in_another_layer_is_refused(self, world: World, api: Any) -> None:
        bobs = SpanFactory(assignment=world.other_assignment, label="attribution", start=39, end=48)
        response = api(world.annotator).post(
            self.url(world),
            {"type": "attributed_to", "from_span": world.span.pk, "to_span": bobs.pk},
            format="json",
        )
        assert_error(
            response,
            400,
            "unknown_span",
            f"The to span (id {bobs.pk}) is not in this layer of this document; a relation "
            "links two spans of the same layer.",
        )

    @pytest.mark.parametrize("reverse", [False, True], ids=["same way", "other way round"])
    def test_a_link_already_there_is_a_conflict_showing_it(
        self, world: World, api: Any, reverse: bool
    ) -> None:
        client = api(world.annotator)
        target = self.make_target(world, "claim")
        ends = {"from_span": world.span.pk, "to_span": target.pk}
        first = client.post(self.url(world), {"type": "same_claim_as", **ends}, format="json")
        assert first.status_code == 201, first.content
        if reverse:  # same_claim_as is symmetric
            ends = {"from_span": target.pk, "to_span": world.span.pk}
        again = client.post(self.url(world), {"type": "same_claim_as", **ends}, format="json")
        error = assert_error(
            again,
            409,
            "relation_exists",
            f"These two spans are already linked by same_claim_as (relation {first.json()['id']}).",
        )
        assert error["details"]["current"] == first.json()
        listed = client.get(self.url(world)).json()
        assert [r["id"] for r in listed if r["type"] == "same_claim_as"] == [first.json()["id"]]

    def test_unknown_relation_type(self, world: World, api: Any) -> None:
        target = self.make_target(world)
        response = api(world.annotator).post(
            self.url(world),
            {"type": "cites", "from_span": world.span.pk, "to_span": target.pk},
            format="json",
        )
        assert_error(response, 400, "unknown_relation_type")

    def test_delete_relation(self, world: World, api: Any) -> None:
        relation = world.relation
        response = api(world.annotator).delete(f"/api/relations/{relation.pk}/")
        assert response.status_code == 204
        assert not Relation.objects.filter(pk=relation.pk).exists()


class TestOwnLayer:
    """The caller's own layer, which every autosave loads with one hand-written query."""

    def test_loads_the_same_fields_and_values_as_the_orm(self, world: World) -> None:
        when = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        Assignment.objects.filter(pk=world.assignment.pk).update(
            submitted_at=when, reviewed_at=when, review_comment="Look again at the quote."
        )
        Document.objects.filter(pk=world.document.pk).update(accepted_at=when)
        own = layer_get(user=world.annotator, document_id=world.document.pk)
        orm = (
            Assignment.objects.select_related("document__project", "annotator")
            .only(
                "kind",
                "status",
                "version",
                "submitted_at",
                "reviewed_at",
                "review_comment",
                "annotator__username",
                "document__accepted_at",
                "document__project__name",
                "document__project__label_schema",
                "document__project__allow_overlap",
                "document__project__annotators_per_document",
            )
            .get(pk=world.assignment.pk)
        )
        for loaded, expected in [
            (own, orm),
            (own.annotator, orm.annotator),
            (own.document, orm.document),
            (own.document.project, orm.document.project),
        ]:
            values = {k: v for k, v in vars(loaded).items() if k != "_state"}
            assert values == {k: v for k, v in vars(expected).items() if k != "_state"}
            assert [type(v) for v in values.values()] == [
                type(v) for k, v in vars(expected).items() if k != "_state"
            ]
            assert loaded.get_deferred_fields() == expected.get_deferred_fields()
            assert (loaded._state.adding, loaded._state.db) == (False, "default")
        assert own.submitted_at == when
        assert "text" in own.document.get_deferred_fields()

    def test_a_member_removed_from_the_project_no_longer_reaches_their_layer(
        self, world: World, api: Any
    ) -> None:
        Membership.objects.filter(project=world.project, user=world.annotator).delete()
        response = api(world.annotator).post(spans_url(world), body(18, 35), format="json")
        assert_error(response, 404, "not_found")
        assert not Span.objects.filter(assignment=world.assignment, start=18).exists()

    @pytest.mark.parametrize("deleted", ["document", "project"])
    def test_a_deleted_document_or_project_hides_the_layer(
        self, world: World, api: Any, deleted: str
    ) -> None:
        model = Document if deleted == "document" else Project
        target = world.document if deleted == "document" else world.project
        model.objects.filter(pk=target.pk).update(deleted_at=datetime.now(tz=UTC))
        response = api(world.annotator).post(spans_url(world), body(18, 35), format="json")
        assert_error(response, 404, "not_found")

    def test_a_site_admin_writes_their_own_layer_without_a_membership(
        self, world: World, api: Any
    ) -> None:
        AssignmentFactory(document=world.document, annotator=world.site_admin)
        response = api(world.site_admin).post(spans_url(world), body(18, 35), format="json")
        assert response.status_code == 201, response.content
        assert response.json()["annotator"] == "root"
