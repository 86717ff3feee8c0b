"""Parsing the agreement command's input and shaping its output."""

import json
import pickle

import pytest

from annotations.agreement.io import (
    AgreementInputError,
    UncheckedSpans,
    agreement_output,
    checked_documents,
    read_input,
    spans_input_json,
)
from annotations.agreement.synthetic import synthetic_documents


def _spans(documents):
    return json.dumps({"kind": "spans", "documents": documents})


def _doc(**changes):
    doc = {
        "id": "d1",
        "length": 3000,
        "annotators": ["alice", "bob"],
        "spans": [
            {"annotator": "alice", "start": 0, "end": 12, "label": "claim"},
            {"annotator": "bob", "start": 1, "end": 12, "label": "claim"},
        ],
    }
    return doc | changes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "line 1: not valid JSON (Expecting property name enclosed in double quotes)"),
        ("[1]", "input: must be an object"),
        ('{"kind": "votes"}', 'kind: must be "spans" or "coding", not "votes"'),
        ('{"kind": "spans"}', "documents: is required"),
        (_spans([_doc(length=-1)]), "documents[0].length: must be >= 0 (-1)"),
        (
            _spans([{"id": "d1", "spans": []}]),
            "documents[0].length: is required (or give the document's text)",
        ),
        (
            _spans(
                [_doc(spans=[{"annotator": "alice", "start": 0, "end": 3001, "label": "claim"}])]
            ),
            "documents[0].spans[0].end: must be <= length (3000)",
        ),
        (
            _spans([_doc(spans=[{"annotator": "alice", "start": 5, "end": 5, "label": "claim"}])]),
            "documents[0].spans[0].end: must be > start (5)",
        ),
        (
            _spans(
                [_doc(spans=[{"annotator": "alice", "start": "0", "end": 5, "label": "claim"}])]
            ),
            'documents[0].spans[0].start: must be an integer, not "0"',
        ),
        (
            _spans([_doc(spans=[{"annotator": "carol", "start": 0, "end": 5, "label": "claim"}])]),
            "documents[0].spans[0].annotator: 'carol' is not in the document's annotators",
        ),
        (
            _spans([_doc(spans=[{"annotator": "alice", "start": 0, "end": 5}])]),
            "documents[0].spans[0].label: is required",
        ),
        (_spans([_doc(), _doc()]), "documents[1].id: 'd1' is used twice"),
        (
            _spans(
                [
                    _doc(
                        spans=[
                            {"annotator": "alice", "start": 0, "end": 5, "label": f"l{n}"}
                            for n in range(63)
                        ]
                    )
                ]
            ),
            "documents[0].spans: use 63 different labels; agreement handles at most 62 per "
            "document",
        ),
        (
            _spans([_doc(relations=[{"annotator": "bob", "type": "denies", "from": 0, "to": 1}])]),
            "documents[0].relations[0].from: no span '0' by 'bob' in this document",
        ),
        (
            '{"kind": "coding", "level": "fuzzy", "data": []}',
            'level: must be one of nominal, ordinal, interval, ratio, not "fuzzy"',
        ),
        (
            '{"kind": "coding", "data": [[1, 2]]}',
            "data: needs one row per coder and at least two coders",
        ),
        ('{"kind": "coding", "data": [[1, 2], [1]]}', "data[1]: has 1 values, the first row has 2"),
        (
            '{"kind": "coding", "level": "interval", "data": [[1, "a"], [1, 2]]}',
            'data[0][1]: must be a number for interval data, not "a"',
        ),
        (
            '{"id": "d1", "length": 5, "spans": []}\n{"id": "d2", "spans": []}',
            "line 2: length: is required (or give the document's text)",
        ),
        (
            '{"id": "d1", "length": 5}\n\n{"id": "d1", "length": 3}',
            "line 3: id: 'd1' is used twice",
        ),
        (
            '{"id": "d1", "length": 5}\n{oops}',
            "line 2: not valid JSON (Expecting property name enclosed in double quotes)",
        ),
    ],
)
def test_bad_input_names_the_field(text, message):
    with pytest.raises(AgreementInputError) as error:
        agreement_output(read_input(text))
    assert str(error.value) == message


def test_spans_output_has_overall_and_per_document_metrics():
    output = agreement_output(read_input(_spans([_doc(), _doc(id="d2")])))
    assert output["document_count"] == 2
    assert set(output["documents"]) == {"d1", "d2"}
    for key in (
        "alpha_u",
        "alpha_u_by_label",
        "u_alpha",
        "abs_u_alpha",
        "k_u_alpha_by_label",
        "cu_alpha",
        "char_alpha",
        "f1_exact",
        "f1_overlap",
        "f1_exact_by_label",
        "f1_overlap_by_label",
        "pairs",
    ):
        assert key in output
        assert key in output["documents"]["d1"]
    assert output["f1_overlap"] == 1.0
    assert output["f1_exact"] == 0.0
    assert output["pairs"]["alice|bob"]["f1_overlap"] == 1.0
    json.dumps(output)


def test_coding_output_for_two_coders_without_missing_values():
    output = agreement_output(
        read_input('{"kind": "coding", "data": [[1, 2, 2, 1], [1, 2, 1, 1]]}')
    )
    assert set(output) >= {"alpha", "percent_agreement", "cohen_kappa", "scott_pi", "fleiss_kappa"}
    assert output["percent_agreement"] == 0.75


def test_coding_output_leaves_out_coefficients_that_do_not_apply():
    output = agreement_output(
        read_input('{"kind": "coding", "data": [[1, 2, null], [1, 2, 3], [1, 1, 3]]}')
    )
    assert "cohen_kappa" not in output
    assert "fleiss_kappa" not in output
    assert output["alpha"] is not None


def test_jsonl_export_lines_are_documents_and_annotators_default_to_those_with_spans():
    lines = "\n".join(
        json.dumps(
            {
                "id": f"d{i}",
                "text": "x" * 20,
                "spans": [
                    {"annotator": "a", "start": 0, "end": 5, "label": "claim"},
                    {"annotator": "b", "start": 0, "end": 5, "label": "claim"},
                ],
            }
        )
        for i in range(2)
    )
    parsed = read_input(lines)
    assert isinstance(parsed, UncheckedSpans)
    assert [d.annotators for d in checked_documents(parsed, 0, 2)] == [["a", "b"], ["a", "b"]]
    assert agreement_output(parsed)["u_alpha"] == 1.0


def test_round_trip_of_the_benchmark_input():
    docs = synthetic_documents(3, seed=2)
    parsed = read_input(json.dumps(spans_input_json(docs)))
    assert isinstance(parsed, UncheckedSpans)
    assert checked_documents(parsed, 0, 3) == docs


def test_several_processes_give_the_same_output_in_the_same_order():
    docs = synthetic_documents(450, seed=4, length=300, spans=3)
    parsed = read_input(json.dumps(spans_input_json(docs)))
    output = agreement_output(parsed, processes=2)
    assert output == agreement_output(parsed, processes=1)
    assert list(output["documents"]) == [doc.id for doc in docs]


def _unchecked_input(count: int) -> list[dict]:
    docs = synthetic_documents(count, seed=5, length=300, spans=3)
    return spans_input_json(docs)["documents"]


def test_several_processes_report_the_first_bad_document_in_the_input():
    documents = _unchecked_input(450)
    documents[300]["spans"][0]["end"] = 301
    documents[420]["spans"][0]["start"] = -1
    with pytest.raises(AgreementInputError) as error:
        agreement_output(read_input(_spans(documents)), processes=2)
    assert str(error.value) == "documents[300].spans[0].end: must be <= length (300)"


def test_several_processes_refuse_an_id_repeated_in_another_process_part():
    documents = _unchecked_input(450)
    documents[449]["id"] = documents[0]["id"]
    with pytest.raises(AgreementInputError) as error:
        agreement_output(read_input(_spans(documents)), processes=2)
    assert str(error.value) == f"documents[449].id: {documents[0]['id']!r} is used twice"


def test_several_processes_name_the_line_of_a_bad_json_lines_document():
    documents = _unchecked_input(450)
    documents[400]["spans"][1]["label"] = ""
    lines = "\n\n".join(json.dumps(document) for document in documents)
    with pytest.raises(AgreementInputError) as error:
        agreement_output(read_input(lines), processes=2)
    assert str(error.value) == 'line 801: spans[1].label: must be a non-empty string, not ""'


def test_a_json_lines_line_that_is_not_an_object_is_named():
    with pytest.raises(AgreementInputError) as error:
        agreement_output(read_input('{"id": "d1", "length": 5}\n[1, 2]'))
    assert str(error.value) == "line 2: must be an object"


def test_an_input_error_comes_back_whole_from_a_worker_process():
    """Workers send their errors pickled; one that does not unpickle hangs the pool."""
    error = AgreementInputError("documents[3].spans[0].end", "must be <= length (300)")
    back = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)
    assert (back.path, back.problem) == (error.path, error.problem)
    assert str(back) == "documents[3].spans[0].end: must be <= length (300)"
