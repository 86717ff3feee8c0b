"""Merging annotators' layers into gold: candidates, strategies, alternatives, re-merge."""

from typing import Any

import pytest

from annotations.merge import (
    LayerRelation,
    LayerSpan,
    build_candidates,
    is_agreed,
    merged_attributes,
    required_votes,
)
from annotations.models import AuditEvent, CandidateDecision, Document, Relation, Span
from annotations.selectors import comparison as comparison_module
from annotations.selectors.comparison import Comparison
from annotations.services import gold as gold_module
from tests.conftest import assert_error
from tests.review.conftest import (
    CLAIM,
    CLAIM_LONGER,
    DENIAL,
    SOURCE,
    Newsroom,
    article,
    at,
    key,
    layer,
)

pytestmark = pytest.mark.django_db


def span(i: int, who: str, label: str, start: int, end: int, **attributes: str) -> LayerSpan:
    return LayerSpan(id=i, annotator=who, label=label, start=start, end=end, attributes=attributes)


# ---------------------------------------------------------------- pure candidates


def test_identical_spans_are_one_candidate_with_a_vote_each() -> None:
    candidates = build_candidates(
        annotators=["bob", "alice", "carol"],
        spans=[span(1, "bob", "claim", 4, 12), span(2, "alice", "claim", 4, 12)],
    )
    assert candidates.annotators == ["alice", "bob", "carol"]
    [only] = candidates.spans
    assert (only.key, only.voters, only.span_ids) == ("claim:4:12", ["alice", "bob"], [1, 2])
    assert not is_agreed(only, 3)  # carol did not mark it
    assert is_agreed(only, 2)


def test_overlapping_boundaries_and_a_relabelled_range_are_alternatives() -> None:
    candidates = build_candidates(
        annotators=["a", "b", "c"],
        spans=[
            span(1, "a", "claim", 4, 12),
            span(2, "b", "claim", 4, 15),
            span(3, "c", "denial", 4, 12),
            span(4, "c", "attribution", 6, 9),  # nested, another label: not an alternative
            span(5, "a", "claim", 20, 25),  # does not touch the others
        ],
    )
    by_key = {c.key: c for c in candidates.spans}
    assert sorted(by_key["claim:4:12"].alternatives) == ["claim:4:15", "denial:4:12"]
    assert sorted(by_key["claim:4:15"].alternatives) == ["claim:4:12", "denial:4:12"]
    assert by_key["attribution:6:9"].alternatives == []
    assert by_key["claim:20:25"].alternatives == []
    assert len({c.group for c in candidates.spans}) == 3
    # Document order: earlier start first, the longer of two with the same start first.
    assert [c.key for c in candidates.spans] == [
        "claim:4:15",
        "claim:4:12",
        "denial:4:12",
        "attribution:6:9",
        "claim:20:25",
    ]


def test_chained_overlaps_form_one_group() -> None:
    candidates = build_candidates(
        annotators=["a", "b", "c"],
        spans=[
            span(1, "a", "claim", 0, 10),
            span(2, "b", "claim", 8, 20),
            span(3, "c", "claim", 18, 30),
            span(4, "a", "claim", 30, 40),  # touches 18-30 only at its edge: no shared character
        ],
    )
    groups = [c.group for c in candidates.spans]
    assert groups[0] == groups[1] == groups[2] != groups[3]


def test_relations_vote_by_their_endpoint_candidates_and_symmetric_ones_fold() -> None:
    candidates = build_candidates(
        annotators=["a", "b"],
        spans=[
            span(1, "a", "claim", 0, 5),
            span(2, "a", "attribution", 10, 15),
            span(3, "b", "claim", 0, 5),
            span(4, "b", "attribution", 10, 15),
            span(5, "a", "claim", 20, 25),
            span(6, "b", "claim", 20, 25),
        ],
        relations=[
            LayerRelation("a", "attributed_to", 1, 2),
            LayerRelation("b", "attributed_to", 3, 4),
            LayerRelation("a", "same_claim_as", 1, 5),
            LayerRelation("b", "same_claim_as", 6, 3),
        ],
        symmetric=frozenset({"same_claim_as"}),
    )
    assert [(r.key, r.voters) for r in candidates.relations] == [
        ("attributed_to>claim:0:5>attribution:10:15", ["a", "b"]),
        ("same_claim_as>claim:0:5>claim:20:25", ["a", "b"]),
    ]


@pytest.mark.parametrize(
    ("strategy", "n", "k", "required"),
    [
        ("unanimous", 3, None, 3),
        ("majority", 3, None, 2),
        ("majority", 4, None, 3),
        ("majority", 2, None, 2),
        ("at_least_k", 5, 2, 2),
        ("none", 3, None, 4),
    ],
)
def test_votes_each_strategy_requires(strategy: str, n: int, k: int | None, required: int) -> None:
    assert required_votes(strategy, n, k) == required


def test_attributes_merge_by_votes_and_a_tie_leaves_them_unset() -> None:
    candidates = build_candidates(
        annotators=["a", "b", "c"],
        spans=[
            span(1, "a", "claim", 0, 5, check_worthiness="check_worthy", quote_type="direct"),
            span(2, "b", "claim", 0, 5, check_worthiness="check_worthy", quote_type="indirect"),
            span(3, "c", "claim", 0, 5, check_worthiness="not_factual"),
        ],
    )
    [candidate] = candidates.spans
    assert candidate.attributes["check_worthiness"] == {
        "check_worthy": ["a", "b"],
        "not_factual": ["c"],
    }
    assert merged_attributes(candidate, 2) == {"check_worthiness": "check_worthy"}
    assert merged_attributes(candidate, 3) == {}
    assert merged_attributes(candidate, 1) == {"check_worthiness": "check_worthy"}
    assert not is_agreed(candidate, 3)  # all marked it, but not with the same attributes


# ---------------------------------------------------------------- the merge API


def merge(api: Any, user: Any, document: Document, **body: Any) -> Any:
    return api(user).post(f"/api/documents/{document.pk}/gold/merge/", body, format="json")


def gold_spans(document: Document) -> list[tuple[str, str]]:
    return [
        (s.label, s.quote)
        for s in Span.objects.filter(
            assignment__document=document, assignment__kind="gold"
        ).order_by("start", "end")
    ]


def test_unanimous_merge_takes_only_what_every_annotator_marked(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    response = merge(api, newsroom.editor, disputed, strategy="unanimous")
    assert response.status_code == 200, response.content
    report = response.json()["merge"]
    assert (report["required"], report["compared"]) == (3, ["alice", "bob", "carol"])
    assert (report["added"], report["relations_added"]) == (1, 0)
    assert gold_spans(disputed) == [("attribution", SOURCE)]
    gold = Span.objects.get(assignment__document=disputed, assignment__kind="gold")
    assert gold.provenance == {
        "origin": "merge",
        "candidate": key("attribution", SOURCE),
        "strategy": "unanimous",
        "votes": 3,
        "of": 3,
        "voters": ["alice", "bob", "carol"],
    }
    disputed.refresh_from_db()
    assert disputed.status == "in_review"


def test_majority_merge_takes_two_of_three_with_their_attributes_and_relation(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    response = merge(api, newsroom.editor, disputed, strategy="majority")
    assert response.status_code == 200, response.content
    assert gold_spans(disputed) == [("attribution", SOURCE), ("claim", CLAIM)]
    claim = Span.objects.get(assignment__document=disputed, assignment__kind="gold", label="claim")
    assert claim.attributes == {"check_worthiness": "check_worthy"}
    [relation] = Relation.objects.filter(assignment__document=disputed, assignment__kind="gold")
    assert (relation.type, relation.from_span_id, relation.to_span.quote) == (
        "attributed_to",
        claim.pk,
        SOURCE,
    )
    review = response.json()["review"]
    statuses = {c["key"]: c["status"] for c in review["span_candidates"]}
    assert statuses == {
        key("claim", CLAIM): "accepted",
        key("claim", CLAIM_LONGER): "open",
        key("attribution", SOURCE): "accepted",
        key("denial", DENIAL): "open",
    }
    # What needs a decision comes first: the disagreements, then what all agree on.
    assert [c["agreed"] for c in review["span_candidates"]] == [False, False, False, True]
    assert review["decisions"] == {"open": 2, "accepted": 3, "rejected": 0}


def test_at_least_k_merge_with_k_one_takes_every_proposal_it_can(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    response = merge(api, newsroom.editor, disputed, strategy="at_least_k", k=1)
    assert response.status_code == 200, response.content
    assert gold_spans(disputed) == [
        ("attribution", SOURCE),
        ("claim", CLAIM),
        ("claim", CLAIM_LONGER),
        ("denial", DENIAL),
    ]


def test_k_must_be_within_the_annotators_compared(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    assert_error(
        merge(api, newsroom.editor, disputed, strategy="at_least_k", k=4),
        400,
        "invalid_k",
        "at_least_k needs k from 1 to 3 (the number of annotators compared).",
    )
    assert_error(
        merge(api, newsroom.editor, disputed, strategy="best"),
        400,
        "unknown_strategy",
        "“best” is not a merge strategy; use one of unanimous, majority, at_least_k, none.",
    )


def test_overlapping_boundaries_are_offered_as_alternatives(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    review = api(newsroom.editor).get(f"/api/documents/{disputed.pk}/review/").json()
    candidates = {c["key"]: c for c in review["span_candidates"]}
    shorter, longer = candidates[key("claim", CLAIM)], candidates[key("claim", CLAIM_LONGER)]
    assert shorter["alternatives"] == [longer["key"]]
    assert longer["alternatives"] == [shorter["key"]]
    assert (shorter["votes"], longer["votes"]) == (2, 1)
    assert shorter["attributes"] == {"check_worthiness": {"check_worthy": ["alice", "bob"]}}
    assert longer["quote"] == CLAIM_LONGER


def test_only_submitted_layers_are_compared(newsroom: Newsroom, api: Any) -> None:
    alice, bob, *_ = newsroom.annotators
    document = article(newsroom.project)
    layer(document, alice, [("claim", CLAIM)])
    layer(document, bob, [("denial", DENIAL)], status="in_progress")
    review = api(newsroom.editor).get(f"/api/documents/{document.pk}/review/").json()
    assert review["compared"] == ["alice"]
    assert [c["key"] for c in review["span_candidates"]] == [key("claim", CLAIM)]
    assert [(a["username"], a["compared"]) for a in review["annotators"]] == [
        ("alice", True),
        ("bob", False),
    ]


def test_nothing_to_merge_before_any_submission(newsroom: Newsroom, api: Any) -> None:
    document = article(newsroom.project)
    layer(document, newsroom.annotators[0], [("claim", CLAIM)], status="in_progress")
    assert_error(
        merge(api, newsroom.editor, document, strategy="majority"),
        409,
        "nothing_to_merge",
        "No annotator has submitted this document yet: there is nothing to merge.",
    )


def decide(api: Any, user: Any, document: Document, candidate: str, decision: str) -> Any:
    return api(user).post(
        f"/api/documents/{document.pk}/gold/decisions/",
        {"candidate": candidate, "decision": decision},
        format="json",
    )


def test_re_merge_keeps_the_editors_decisions_and_edits(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    editor = newsroom.editor
    merge(api, editor, disputed, strategy="at_least_k", k=1)
    # The editor rejects the longer claim, and edits the denial's note in gold.
    assert decide(api, editor, disputed, key("claim", CLAIM_LONGER), "rejected").status_code == 200
    denial = Span.objects.get(
        assignment__document=disputed, assignment__kind="gold", label="denial"
    )
    edited = api(editor).patch(
        f"/api/spans/{denial.pk}/", {"note": "checked", "version": 1}, format="json"
    )
    assert edited.status_code == 200, edited.content
    # Unanimous now: the automatic majority claim goes, the edited denial and the
    # rejected candidate stay as the editor left them.
    report = merge(api, editor, disputed, strategy="unanimous").json()["merge"]
    assert (report["added"], report["removed"]) == (0, 1)
    assert gold_spans(disputed) == [("attribution", SOURCE), ("denial", DENIAL)]
    assert CandidateDecision.objects.filter(document=disputed, outcome="rejected").count() == 1
    # Told otherwise, the merge starts afresh: decisions and edits are gone.
    again = merge(api, editor, disputed, strategy="majority", reset=True).json()
    assert gold_spans(disputed) == [("attribution", SOURCE), ("claim", CLAIM)]
    assert not CandidateDecision.objects.filter(document=disputed).exists()
    assert again["review"]["decisions"]["rejected"] == 0


def test_re_merge_drops_automatic_gold_whose_candidate_is_gone(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    merge(api, newsroom.editor, disputed, strategy="majority")
    # bob's layer changes (as after a send-back and resubmission): the claim loses its majority.
    Span.objects.filter(
        assignment__document=disputed, assignment__annotator__username="bob", label="claim"
    ).update(end=at(CLAIM)[1] - 1, quote=CLAIM[:-1])
    report = merge(api, newsroom.editor, disputed, strategy="majority").json()["merge"]
    assert report["removed"] == 1
    assert report["relations_removed"] == 0  # it went with its span
    assert gold_spans(disputed) == [("attribution", SOURCE)]


def test_a_merge_loads_the_layers_once_and_answers_with_what_a_reload_shows(
    newsroom: Newsroom, disputed: Document, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds: list[int] = []
    load = comparison_module.document_comparison

    def counted(*, document: Document) -> Comparison:
        builds.append(document.pk)
        return load(document=document)

    monkeypatch.setattr(gold_module, "document_comparison", counted)
    monkeypatch.setattr(comparison_module, "document_comparison", counted)
    editor = newsroom.editor

    def merged_and_reloaded(**body: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        builds.clear()
        response = merge(api, editor, disputed, **body)
        assert response.status_code == 200, response.content
        assert builds == [disputed.pk]
        reloaded = api(editor).get(f"/api/documents/{disputed.pk}/review/").json()
        return response.json(), reloaded

    first, reloaded = merged_and_reloaded(strategy="at_least_k", k=1)
    assert first["review"] == reloaded
    assert (first["review"]["gold"]["spans"], first["review"]["gold"]["relations"]) == (4, 1)
    # bob's claim changes: a majority re-merge drops the claim, and its relation with it.
    assert decide(api, editor, disputed, key("claim", CLAIM_LONGER), "rejected").status_code == 200
    Span.objects.filter(
        assignment__document=disputed, assignment__annotator__username="bob", label="claim"
    ).update(end=at(CLAIM)[1] - 1, quote=CLAIM[:-1])
    again, reloaded = merged_and_reloaded(strategy="majority")
    assert (again["merge"]["removed"], again["merge"]["relations_removed"]) == (2, 0)
    assert again["review"] == reloaded
    assert (again["review"]["gold"]["spans"], again["review"]["gold"]["relations"]) == (1, 0)
    afresh, reloaded = merged_and_reloaded(strategy="at_least_k", k=1, reset=True)
    assert afresh["review"] == reloaded
    assert afresh["review"]["decisions"]["rejected"] == 0


def test_merge_is_recorded_in_the_history(newsroom: Newsroom, disputed: Document, api: Any) -> None:
    merge(api, newsroom.editor, disputed, strategy="majority")
    event = AuditEvent.objects.get(action="gold.merge", object_id=disputed.pk)
    assert event.actor == newsroom.editor
    assert event.after == {
        "strategy": "majority",
        "k": None,
        "reset": False,
        "added": 2,
        "removed": 0,
        "relations_added": 1,
        "relations_removed": 0,
    }


def test_project_without_overlap_skips_candidates_that_would_overlap_gold(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    newsroom.project.allow_overlap = False
    newsroom.project.save()
    response = merge(api, newsroom.editor, disputed, strategy="at_least_k", k=1)
    assert gold_spans(disputed) == [
        ("attribution", SOURCE),
        ("claim", CLAIM_LONGER),
        ("denial", DENIAL),
    ]
    start, end = at(CLAIM_LONGER)
    assert response.json()["merge"]["skipped"] == [
        {
            "candidate": key("claim", CLAIM),
            "reason": f"it overlaps the gold span at [{start}, {end}), and this project does "
            "not allow overlapping spans",
        },
        {
            "candidate": f"attributed_to>{key('claim', CLAIM)}>{key('attribution', SOURCE)}",
            "reason": "the spans it links are not both in gold; accept them first",
        },
    ]
