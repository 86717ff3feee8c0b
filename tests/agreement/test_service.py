"""The agreement worker's service: which layers count, idempotency, claims, project totals."""

from typing import Any

import pytest

from annotations.agreement import combine_statistics, metrics_from_statistics
from annotations.models import (
    AgreementResult,
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Document,
)
from annotations.services import agreement
from annotations.services.documents import document_delete
from annotations.services.work import document_mark_dirty
from tests.conftest import World
from tests.factories import AssignmentFactory, DocumentFactory, SpanFactory, UserFactory

pytestmark = pytest.mark.django_db


def submit(*assignments: Assignment) -> None:
    for assignment in assignments:
        Assignment.objects.filter(pk=assignment.pk).update(status=AssignmentStatus.SUBMITTED)


def mirror(world: World) -> None:
    """Give bob exactly alice's spans, so the two layers agree perfectly."""
    for span in world.assignment.spans.all():
        SpanFactory(
            assignment=world.other_assignment, label=span.label, start=span.start, end=span.end
        )


def dirty(document: Document) -> None:
    document_mark_dirty(document_id=document.pk)


def rows(document: Document | None, project: Any) -> dict[tuple[str, str], float | None]:
    scope = agreement.scope_filter(project_id=project.pk, document_id=document and document.pk)
    return {(r.metric, r.label): r.value for r in AgreementResult.objects.filter(scope)}


def headline_statistics(document: Document | None, project: Any) -> dict[str, Any]:
    scope = agreement.scope_filter(project_id=project.pk, document_id=document and document.pk)
    return AgreementResult.objects.get(scope, metric="u_alpha", label="").statistics


def test_only_submitted_and_accepted_annotator_layers_count(world: World) -> None:
    mirror(world)
    submit(world.assignment)
    Assignment.objects.filter(pk=world.other_assignment.pk).update(status=AssignmentStatus.ACCEPTED)
    carol = UserFactory(username="carol")
    in_progress = AssignmentFactory(
        document=world.document, annotator=carol, status=AssignmentStatus.IN_PROGRESS
    )
    SpanFactory(assignment=in_progress, start=0, end=3)
    gold = AssignmentFactory(
        document=world.document, annotator=world.editor, kind=AssignmentKind.GOLD
    )
    SpanFactory(assignment=gold, start=0, end=3)
    pre = AssignmentFactory(
        document=world.document,
        annotator=None,
        kind=AssignmentKind.PREANNOTATION,
        status=AssignmentStatus.SUBMITTED,
    )
    SpanFactory(assignment=pre, start=0, end=3)
    dirty(world.document)

    assert agreement.document_agreement_recompute(document_id=world.document.pk) is True

    statistics = headline_statistics(world.document, world.project)
    assert set(statistics["pairs"]) == {"alice|bob"}
    figures = rows(world.document, world.project)
    assert figures[("u_alpha", "")] == pytest.approx(1.0)
    assert figures[("f1_exact", "claim")] == pytest.approx(1.0)
    world.document.refresh_from_db()
    assert world.document.agreement_done_seq == world.document.work_seq
    assert world.document.agreement_value == pytest.approx(1.0)


def test_running_twice_applies_once(world: World) -> None:
    mirror(world)
    submit(world.assignment, world.other_assignment)
    dirty(world.document)
    assert agreement.document_agreement_recompute(document_id=world.document.pk) is True
    first = list(AgreementResult.objects.values_list("pk", "computed_at"))

    assert agreement.document_agreement_recompute(document_id=world.document.pk) is False
    assert list(AgreementResult.objects.values_list("pk", "computed_at")) == first


def test_a_run_overtaken_by_a_newer_one_changes_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run A reads sequence N and computes; meanwhile a change bumps the document to N+1
    and run B applies N+1. A's claim (done < N) then fails and B's figures stay."""
    mirror(world)
    submit(world.assignment, world.other_assignment)
    dirty(world.document)
    real_statistics = agreement.document_statistics
    overtaken: list[bool] = []

    def slow_statistics(doc: Any) -> dict[str, Any]:
        result = real_statistics(doc)
        if not overtaken:
            overtaken.append(True)
            SpanFactory(assignment=world.other_assignment, start=18, end=35)
            dirty(world.document)
            assert agreement.document_agreement_recompute(document_id=world.document.pk)
        return result

    monkeypatch.setattr(agreement, "document_statistics", slow_statistics)
    assert agreement.document_agreement_recompute(document_id=world.document.pk) is False

    world.document.refresh_from_db()
    assert world.document.agreement_done_seq == world.document.work_seq
    statistics = headline_statistics(world.document, world.project)
    assert statistics["pairs"]["alice|bob"]["labels"]["claim"]["n_b"] == 2


def test_project_total_stays_the_sum_of_its_documents(world: World) -> None:
    documents = [world.document, *(DocumentFactory(project=world.project) for _ in range(3))]
    for index, document in enumerate(documents):
        alice, bob = (
            Assignment.objects.get_or_create(
                document=document, annotator=user, kind=AssignmentKind.ANNOTATOR
            )[0]
            for user in (world.annotator, world.other_annotator)
        )
        SpanFactory(assignment=alice, start=index, end=12 + index)
        SpanFactory(assignment=bob, start=2 * index, end=15)
        submit(alice, bob)
        dirty(document)
        agreement.document_agreement_recompute(document_id=document.pk)
    SpanFactory(
        assignment=Assignment.objects.get(document=documents[2], annotator=world.annotator),
        label="denial",
        start=40,
        end=60,
    )
    dirty(documents[2])
    agreement.document_agreement_recompute(document_id=documents[2].pk)

    fresh = combine_statistics(headline_statistics(d, world.project) for d in documents)
    total = headline_statistics(None, world.project)
    assert total["documents"] == 4
    assert metrics_from_statistics(total) == metrics_from_statistics(fresh)
    assert rows(None, world.project)[("u_alpha", "")] == metrics_from_statistics(fresh)["u_alpha"]


def test_a_deleted_document_leaves_the_project_total(world: World) -> None:
    mirror(world)
    submit(world.assignment, world.other_assignment)
    dirty(world.document)
    agreement.document_agreement_recompute(document_id=world.document.pk)
    assert headline_statistics(None, world.project)["documents"] == 1

    document_delete(document=world.document, actor=world.admin)
    agreement.document_agreement_recompute(document_id=world.document.pk)

    assert headline_statistics(None, world.project).get("documents", 0) == 0
    assert rows(None, world.project)[("u_alpha", "")] is None


def test_one_submitted_layer_gives_undefined_figures_not_perfect_ones(world: World) -> None:
    submit(world.assignment)
    dirty(world.document)
    agreement.document_agreement_recompute(document_id=world.document.pk)
    figures = rows(world.document, world.project)
    assert figures[("u_alpha", "")] is None
    assert figures[("f1_overlap", "")] is None
    world.document.refresh_from_db()
    assert world.document.agreement_value is None


def test_fingerprint_depends_on_content_not_on_ids_or_order(world: World) -> None:
    mirror(world)
    submit(world.assignment, world.other_assignment)
    doc = agreement.document_agreement_input(document_id=world.document.pk)
    assert doc is not None
    reordered = type(doc)(
        doc.id,
        doc.length,
        list(reversed(doc.annotators)),
        [
            type(s)(s.annotator, s.start, s.end, s.label, s.attributes, "x" + s.id)
            for s in reversed(doc.spans)
        ],
        [type(r)(r.annotator, r.type, "x" + r.source, "x" + r.target) for r in doc.relations],
    )
    assert agreement.inputs_fingerprint(reordered) == agreement.inputs_fingerprint(doc)
    last = doc.spans[-1]
    moved_span = type(last)(last.annotator, last.start + 1, last.end, last.label, {}, last.id)
    moved = type(doc)(
        doc.id, doc.length, doc.annotators, [*doc.spans[:-1], moved_span], doc.relations
    )
    assert agreement.inputs_fingerprint(moved) != agreement.inputs_fingerprint(doc)
