"""Adjudication: candidate decisions, verdicts, accepting, sending back, comments, history."""

from typing import Any

import pytest

from annotations.models import (
    Assignment,
    AuditEvent,
    CandidateDecision,
    Comment,
    Document,
    Relation,
    Span,
    Verdict,
)
from tests.conftest import assert_error
from tests.review.conftest import (
    CLAIM,
    CLAIM_LONGER,
    DENIAL,
    SOURCE,
    Clock,
    Newsroom,
    article,
    at,
    key,
    layer,
)

pytestmark = pytest.mark.django_db


def decide(api: Any, user: Any, document: Document, candidate: str, decision: str) -> Any:
    return api(user).post(
        f"/api/documents/{document.pk}/gold/decisions/",
        {"candidate": candidate, "decision": decision},
        format="json",
    )


def merge(api: Any, user: Any, document: Document, strategy: str = "majority") -> Any:
    return api(user).post(
        f"/api/documents/{document.pk}/gold/merge/", {"strategy": strategy}, format="json"
    )


def gold_of(document: Document, label: str) -> Span:
    return Span.objects.get(assignment__document=document, assignment__kind="gold", label=label)


def relation_key(source: str, target: str) -> str:
    return f"attributed_to>{source}>{target}"


# ---------------------------------------------------------------- candidates


def test_accepting_a_candidate_puts_it_in_gold_with_its_votes(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    response = decide(api, newsroom.editor, disputed, key("denial", DENIAL), "accepted")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["candidate"], data["status"]) == (key("denial", DENIAL), "accepted")
    assert (data["gold_span"]["label"], data["gold_span"]["quote"]) == ("denial", DENIAL)
    span = gold_of(disputed, "denial")
    assert span.provenance == {
        "origin": "accepted",
        "candidate": key("denial", DENIAL),
        "votes": 1,
        "of": 3,
        "voters": ["alice"],
    }
    # The first decision starts the gold layer (owned by the deciding editor) if need be.
    gold = Assignment.objects.get(document=disputed, kind="gold")
    assert gold.annotator == newsroom.editor
    decision = CandidateDecision.objects.get(document=disputed)
    assert (decision.outcome, decision.decided_by) == ("accepted", newsroom.editor)
    # Accepting again changes nothing.
    again = decide(api, newsroom.editor, disputed, key("denial", DENIAL), "accepted").json()
    assert again["gold_span"]["id"] == span.pk


def test_rejecting_takes_a_merged_candidate_out_of_gold_with_its_relations(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    merge(api, newsroom.editor, disputed)
    response = decide(api, newsroom.editor, disputed, key("claim", CLAIM), "rejected")
    assert response.json() == {
        "candidate": key("claim", CLAIM),
        "status": "rejected",
        "gold_span": None,
        "gold_relation": None,
        "removed_relations": 1,
    }
    review = api(newsroom.editor).get(f"/api/documents/{disputed.pk}/review/").json()
    statuses = {c["key"]: (c["status"], c["decided_by"]) for c in review["span_candidates"]}
    assert statuses[key("claim", CLAIM)] == ("rejected", "erin")
    assert statuses[key("attribution", SOURCE)] == ("accepted", None)
    [relation] = review["relation_candidates"]
    assert relation["status"] == "open"  # its claim is no longer in gold


def test_reopening_undoes_a_decision(newsroom: Newsroom, disputed: Document, api: Any) -> None:
    decide(api, newsroom.editor, disputed, key("denial", DENIAL), "accepted")
    response = decide(api, newsroom.editor, disputed, key("denial", DENIAL), "open")
    assert response.json()["status"] == "open"
    assert not CandidateDecision.objects.filter(document=disputed).exists()
    assert not Span.objects.filter(assignment__document=disputed, assignment__kind="gold").exists()


def test_a_relation_is_accepted_once_both_its_spans_are_in_gold(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    claim, source = key("claim", CLAIM), key("attribution", SOURCE)
    link = relation_key(claim, source)
    assert_error(
        decide(api, newsroom.editor, disputed, link, "accepted"),
        409,
        "cannot_accept",
        "This relation cannot go into gold: the spans it links are not both in gold; accept "
        "them first.",
    )
    decide(api, newsroom.editor, disputed, claim, "accepted")
    decide(api, newsroom.editor, disputed, source, "accepted")
    response = decide(api, newsroom.editor, disputed, link, "accepted")
    assert response.status_code == 200, response.content
    relation = Relation.objects.get(pk=response.json()["gold_relation"]["id"])
    assert (relation.from_span, relation.to_span) == (
        gold_of(disputed, "claim"),
        gold_of(disputed, "attribution"),
    )


def test_an_edited_gold_span_still_stands_for_its_candidate(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    decide(api, newsroom.editor, disputed, key("claim", CLAIM_LONGER), "accepted")
    span = gold_of(disputed, "claim")
    start = span.start
    response = api(newsroom.editor).patch(
        f"/api/spans/{span.pk}/",
        {"start": start + 13, "quote": disputed.text[start + 13 : span.end], "version": 1},
        format="json",
    )
    assert response.status_code == 200, response.content
    review = api(newsroom.editor).get(f"/api/documents/{disputed.pk}/review/").json()
    candidate = next(c for c in review["span_candidates"] if c["key"] == key("claim", CLAIM_LONGER))
    assert (candidate["status"], candidate["gold_span"]) == ("accepted", span.pk)


def test_accepting_a_symmetric_relation_finds_the_gold_copy_stored_the_other_way_round(
    newsroom: Newsroom, api: Any
) -> None:
    alice, bob, _, _ = newsroom.annotators
    document = article(newsroom.project, title="Same claim")
    massaged = "the figures were massaged"
    layer(
        document, alice, [("claim", CLAIM_LONGER), ("claim", massaged)], [("same_claim_as", 0, 1)]
    )
    layer(document, bob, [("claim", CLAIM)])
    # Gold has the longer claim, put there for bob's shorter one and edited since: it stands
    # for both candidates, and a relation of it is known by the shorter one's key, not by
    # that of alice's link.
    gold = Assignment.objects.create(
        document=document, annotator=newsroom.editor, kind="gold", status="in_progress"
    )
    spans = {}
    for phrase, origin in ((CLAIM_LONGER, key("claim", CLAIM)), (massaged, None)):
        start, end = at(phrase)
        spans[key("claim", phrase)] = Span.objects.create(
            assignment=gold,
            label="claim",
            start=start,
            end=end,
            quote=document.text[start:end],
            provenance={"origin": "accepted", "candidate": origin} if origin else {},
        )
    spans[key("claim", CLAIM)] = spans[key("claim", CLAIM_LONGER)]
    review = api(newsroom.editor).get(f"/api/documents/{document.pk}/review/").json()
    (link,) = review["relation_candidates"]
    assert (link["type"], link["status"]) == ("same_claim_as", "open")
    # Stored target to source: the other way round from the candidate.
    stored = Relation.objects.create(
        assignment=gold,
        type="same_claim_as",
        from_span=spans[link["target"]],
        to_span=spans[link["source"]],
    )
    response = decide(api, newsroom.editor, document, link["key"], "accepted")
    assert response.status_code == 200, response.content
    assert response.json()["gold_relation"]["id"] == stored.pk
    assert list(Relation.objects.filter(assignment=gold)) == [stored]


def test_unknown_candidates_and_decisions_are_refused(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    assert_error(
        decide(api, newsroom.editor, disputed, "claim:0:3", "accepted"),
        404,
        "unknown_candidate",
        "No submitted layer of this document has the candidate “claim:0:3”; the candidates "
        f"are listed by GET /api/documents/{disputed.pk}/review/.",
    )
    assert_error(
        decide(api, newsroom.editor, disputed, key("claim", CLAIM), "maybe"),
        400,
        "unknown_decision",
        "“maybe” is not a decision; use accepted, rejected or open.",
    )


# ---------------------------------------------------------------- verdicts


def verdict_url(span: Span) -> str:
    return f"/api/spans/{span.pk}/verdict/"


def test_verdict_on_a_gold_claim_defaults_the_claimant_to_its_attribution(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    merge(api, newsroom.editor, disputed)
    claim = gold_of(disputed, "claim")
    response = api(newsroom.editor).post(
        verdict_url(claim),
        {
            "rating": "Mostly false",
            "summary": "Unemployment fell to four percent",
            "explanation": "The statistics office says 4.6%.",
            "evidence_links": ["https://stats.example/unemployment"],
            "fact_check_url": "https://factcheck.example/unemployment",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["rating"], data["rating_value"], data["claimant"]) == (
        "Mostly false",
        2,
        SOURCE,
    )
    assert data["quote"] == CLAIM
    assert data["updated_by"] == "erin"
    listed = api(newsroom.editor).get(f"/api/documents/{disputed.pk}/verdicts/").json()
    assert [v["id"] for v in listed] == [data["id"]]


def test_the_speaker_name_of_the_attribution_names_the_claimant(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    merge(api, newsroom.editor, disputed)
    Span.objects.filter(pk=gold_of(disputed, "attribution").pk).update(
        attributes={"speaker_name": "Ana Petrova"}
    )
    response = api(newsroom.editor).post(
        verdict_url(gold_of(disputed, "claim")), {"rating": "Unverifiable"}, format="json"
    )
    assert (response.json()["claimant"], response.json()["rating_value"]) == ("Ana Petrova", None)


def test_verdict_update_and_delete_follow_versions(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    merge(api, newsroom.editor, disputed)
    url = verdict_url(gold_of(disputed, "claim"))
    client = api(newsroom.editor)
    client.post(url, {"rating": "True", "claimant": ""}, format="json")
    assert client.get(url).json()["claimant"] == ""  # an explicit empty claimant stays empty
    updated = client.patch(url, {"rating": "False", "version": 1}, format="json")
    assert (updated.json()["rating"], updated.json()["version"]) == ("False", 2)
    stale = assert_error(
        client.patch(url, {"summary": "x", "version": 1}, format="json"), 409, "stale_version"
    )
    assert stale["details"]["current"]["rating"] == "False"
    assert_error(
        client.post(url, {"rating": "True"}, format="json"),
        409,
        "verdict_exists",
        "This claim already has a verdict; change it with PATCH.",
    )
    assert client.delete(url + "?version=2").status_code == 204
    assert_error(client.get(url), 404, "no_verdict")
    actions = list(
        AuditEvent.objects.filter(object_type="verdict").values_list("action", flat=True)
    )
    assert actions == ["verdict.create", "verdict.update", "verdict.delete"]


def test_verdict_refusals(newsroom: Newsroom, disputed: Document, api: Any) -> None:
    merge(api, newsroom.editor, disputed)
    client = api(newsroom.editor)
    claim = gold_of(disputed, "claim")
    assert_error(
        client.post(verdict_url(claim), {"rating": "Pants on fire"}, format="json"),
        400,
        "unknown_rating",
        "“Pants on fire” is not on this project's rating scale (False, Mostly false, Half "
        "true, Mostly true, True, Unverifiable).",
    )
    error = assert_error(
        client.post(verdict_url(claim), {"rating": "True", "summary": "x" * 76}, format="json"),
        400,
        "invalid_field",
    )
    assert error["field"] == "summary"
    assert_error(
        client.post(
            verdict_url(gold_of(disputed, "attribution")), {"rating": "True"}, format="json"
        ),
        400,
        "not_a_gold_claim",
        "Verdicts rate claims of the gold layer; this is a attribution span of the gold layer.",
    )
    annotators_claim = Span.objects.filter(assignment__annotator__username="alice", label="claim")[
        0
    ]
    assert_error(
        client.post(verdict_url(annotators_claim), {"rating": "True"}, format="json"),
        400,
        "not_a_gold_claim",
    )
    links = client.post(
        verdict_url(claim), {"rating": "True", "evidence_links": ["nope"]}, format="json"
    )
    assert assert_error(links, 400, "invalid_field")["field"] == "evidence_links.0"


def test_annotators_never_see_verdicts(newsroom: Newsroom, disputed: Document, api: Any) -> None:
    merge(api, newsroom.editor, disputed)
    claim = gold_of(disputed, "claim")
    api(newsroom.editor).post(verdict_url(claim), {"rating": "True"}, format="json")
    assert_error(api(newsroom.annotators[0]).get(verdict_url(claim)), 404, "not_found")
    assert_error(
        api(newsroom.annotators[0]).get(f"/api/documents/{disputed.pk}/verdicts/"), 404, "not_found"
    )


# ---------------------------------------------------------------- accepting


def accept(api: Any, user: Any, document: Document, **body: Any) -> Any:
    return api(user).post(f"/api/documents/{document.pk}/accept/", body, format="json")


def test_accept_needs_gold_and_decided_candidates_unless_forced(
    newsroom: Newsroom, disputed: Document, api: Any, clock: Clock
) -> None:
    assert_error(
        accept(api, newsroom.editor, disputed),
        409,
        "no_gold",
        "This document has no gold layer yet: merge the annotators' layers (or start an empty "
        "gold layer) before accepting it.",
    )
    merge(api, newsroom.editor, disputed)
    error = assert_error(
        accept(api, newsroom.editor, disputed),
        409,
        "open_candidates",
        "2 candidates are still undecided: accept or reject them, or accept the document "
        "anyway (force).",
    )
    assert error["details"] == {"open": 2}
    decide(api, newsroom.editor, disputed, key("claim", CLAIM_LONGER), "rejected")
    assert_error(
        accept(api, newsroom.editor, disputed),
        409,
        "open_candidates",
        "1 candidate is still undecided: accept or reject them, or accept the document anyway "
        "(force).",
    )
    response = accept(api, newsroom.editor, disputed, force=True)
    assert response.status_code == 200, response.content
    document = response.json()["document"]
    assert (document["status"], document["accepted_at"], document["accepted_by"]) == (
        "accepted",
        "2026-03-02T09:00:00Z",
        "erin",
    )
    assert document["lease"] is None
    review = api(newsroom.editor).get(f"/api/documents/{disputed.pk}/review/").json()
    assert document == review["document"]
    statuses = set(Assignment.objects.filter(document=disputed).values_list("status", flat=True))
    assert statuses == {"accepted"}


def test_an_accepted_document_is_final(newsroom: Newsroom, disputed: Document, api: Any) -> None:
    merge(api, newsroom.editor, disputed)
    accept(api, newsroom.editor, disputed, force=True)
    message = "This document was accepted on 02 Mar 2026; its gold layer is final."
    assert_error(merge(api, newsroom.editor, disputed), 409, "document_accepted")
    assert_error(
        decide(api, newsroom.editor, disputed, key("denial", DENIAL), "accepted"),
        409,
        "document_accepted",
    )
    assert_error(accept(api, newsroom.editor, disputed), 409, "document_accepted")
    assert_error(
        api(newsroom.editor).post(
            verdict_url(gold_of(disputed, "claim")), {"rating": "True"}, format="json"
        ),
        409,
        "document_accepted",
    )
    gold = gold_of(disputed, "claim")
    edit = api(newsroom.editor).patch(
        f"/api/spans/{gold.pk}/", {"note": "x", "version": 1}, format="json"
    )
    assert edit.status_code == 409
    assert message.endswith("final.")


# ---------------------------------------------------------------- sending back


def send_back(api: Any, user: Any, document: Document, annotator: str, comment: str) -> Any:
    return api(user).post(
        f"/api/documents/{document.pk}/send-back/",
        {"annotator": annotator, "comment": comment},
        format="json",
    )


def test_send_back_with_a_comment_and_resubmission_returns_it_to_the_queue(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    alice = newsroom.annotators[0]
    response = send_back(api, newsroom.editor, disputed, "alice", "The denial is not one.")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["review_comment"]) == (
        "changes_requested",
        "The denial is not one.",
    )
    queue = api(newsroom.editor).get("/api/review/queue/").json()
    assert queue["results"] == []
    assert queue["counts"]["changes_requested"] == 1
    review = api(newsroom.editor).get(f"/api/documents/{disputed.pk}/review/").json()
    assert review["compared"] == ["bob", "carol"]  # alice's layer waits for her changes
    # alice sees the comment in her thread and in her queue.
    thread = api(alice).get(f"/api/documents/{disputed.pk}/comments/").json()["results"]
    assert [(c["author"], c["annotator"], c["body"]) for c in thread] == [
        ("erin", "alice", "The denial is not one.")
    ]
    # She fixes it and resubmits: back in the queue, and agreement is recomputed.
    denial = Span.objects.get(
        assignment__annotator=alice, assignment__document=disputed, label="denial"
    )
    assert api(alice).delete(f"/api/spans/{denial.pk}/?version=1").status_code == 200
    work_before = Document.objects.get(pk=disputed.pk).work_seq
    assert api(alice).post(f"/api/documents/{disputed.pk}/submit/").status_code == 200
    queue = api(newsroom.editor).get("/api/review/queue/").json()
    assert [r["id"] for r in queue["results"]] == [disputed.pk]
    assert queue["results"][0]["review_state"] == "submitted"
    assert Document.objects.get(pk=disputed.pk).work_seq > work_before
    keys = {
        c["key"]
        for c in api(newsroom.editor)
        .get(f"/api/documents/{disputed.pk}/review/")
        .json()["span_candidates"]
    }
    assert key("denial", DENIAL) not in keys


def test_send_back_refusals(newsroom: Newsroom, disputed: Document, api: Any) -> None:
    assert_error(
        send_back(api, newsroom.editor, disputed, "alice", "  "),
        400,
        "comment_required",
        "Write a comment: it cannot be empty.",
    )
    send_back(api, newsroom.editor, disputed, "alice", "Please look again.")
    assert_error(
        send_back(api, newsroom.editor, disputed, "alice", "Again."),
        409,
        "not_submitted",
        "alice's assignment is changes requested, not submitted: only submitted work can be "
        "sent back.",
    )
    assert_error(
        send_back(api, newsroom.editor, disputed, "dave", "x"),
        404,
        "not_assigned",
        "“dave” has no assignment on this document.",
    )


# ---------------------------------------------------------------- comments and history


def test_the_thread_is_shared_per_assignment(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    alice, bob = newsroom.annotators[0], newsroom.annotators[1]
    url = f"/api/documents/{disputed.pk}/comments/"
    api(newsroom.editor).post(
        url, {"body": "Bob: check the source.", "annotator": "bob"}, format="json"
    )
    api(newsroom.editor).post(url, {"body": "Note among editors."}, format="json")
    reply = api(bob).post(url, {"body": "Done, thanks.", "annotator": "alice"}, format="json")
    assert reply.status_code == 201
    assert reply.json()["annotator"] == "bob"  # an annotator writes in their own thread only
    assert [c["body"] for c in api(bob).get(url).json()["results"]] == [
        "Bob: check the source.",
        "Done, thanks.",
    ]
    assert api(alice).get(url).json()["results"] == []
    assert len(api(newsroom.editor).get(url).json()["results"]) == 3
    assert_error(api(newsroom.annotators[3]).get(url), 404, "not_found")  # dave is not assigned
    assert_error(api(newsroom.outsider).get(url), 404, "not_found")
    assert_error(
        api(newsroom.editor).post(url, {"body": "x", "annotator": "dave"}, format="json"),
        404,
        "not_assigned",
        "“dave” has no assignment on this document.",
    )
    assert Comment.objects.count() == 3


def test_history_tells_who_decided_what_and_when(
    newsroom: Newsroom, disputed: Document, api: Any, clock: Clock
) -> None:
    editor = newsroom.editor
    api(editor).post(f"/api/documents/{disputed.pk}/lease/", {}, format="json")
    merge(api, editor, disputed)
    decide(api, editor, disputed, key("claim", CLAIM_LONGER), "rejected")
    decide(api, editor, disputed, key("denial", DENIAL), "accepted")
    claim = gold_of(disputed, "claim")
    api(editor).patch(f"/api/spans/{claim.pk}/", {"note": "checked", "version": 1}, format="json")
    api(editor).post(f"/api/spans/{claim.pk}/verdict/", {"rating": "True"}, format="json")
    send_back(api, editor, disputed, "carol", "Please mark the denial too.")
    api(editor).post(
        f"/api/documents/{disputed.pk}/comments/", {"body": "Nearly there."}, format="json"
    )
    accept(api, editor, disputed, force=True)
    events = api(editor).get(f"/api/documents/{disputed.pk}/history/").json()["results"]
    assert [(e["actor"], e["action"]) for e in events] == [
        ("erin", "review.lease_claim"),
        ("erin", "gold.start"),
        ("erin", "gold.merge"),
        ("erin", "gold.candidate_reject"),
        ("erin", "gold.candidate_accept"),
        ("erin", "span.update"),
        ("erin", "verdict.create"),
        ("erin", "assignment.send_back"),
        ("erin", "comment.create"),
        ("erin", "document.accept"),
    ]
    assert events[3]["after"]["candidate"] == key("claim", CLAIM_LONGER)


def test_history_includes_the_annotators_submissions(newsroom: Newsroom, api: Any) -> None:
    from tests.review.conftest import article

    document = article(newsroom.project)
    alice = newsroom.annotators[0]
    layer(document, alice, [("claim", CLAIM)], status="in_progress")
    assert api(alice).post(f"/api/documents/{document.pk}/submit/").status_code == 200
    events = api(newsroom.editor).get(f"/api/documents/{document.pk}/history/").json()["results"]
    assert [(e["actor"], e["action"]) for e in events] == [("alice", "assignment.submit")]


def test_verdicts_go_with_their_rejected_claim(
    newsroom: Newsroom, disputed: Document, api: Any
) -> None:
    merge(api, newsroom.editor, disputed)
    api(newsroom.editor).post(
        verdict_url(gold_of(disputed, "claim")), {"rating": "True"}, format="json"
    )
    decide(api, newsroom.editor, disputed, key("claim", CLAIM), "rejected")
    assert not Verdict.objects.exists()
