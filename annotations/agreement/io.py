"""Input parsing and output shaping for ``manage.py agreement``.

Accepted input (one JSON document, or JSON Lines with one document per line):

- ``{"kind": "spans", "documents": [{"id": "d1", "length": 3000, "annotators": ["alice",
  "bob"], "spans": [{"annotator": "alice", "start": 0, "end": 12, "label": "claim",
  "attributes": {...}, "id": "s1"}], "relations": [{"annotator": "alice", "type":
  "attributed_to", "from": "s1", "to": "s2"}]}]}``. ``annotators`` may be left out (the
  annotators of the spans are used); span ``id`` defaults to the span's position in the
  list, which relations may use instead;
- ``{"kind": "coding", "level": "nominal", "data": [[1, 2, null], [1, 2, 3]]}``, one row
  per coder, ``null`` for a missing value;
- JSON Lines where every line is one document object as above (the shape of the
  project's JSONL export: ``id``, ``text`` or ``length``, ``spans``, ``relations``).

Every problem raises :class:`AgreementInputError` whose message starts with the path of
the offending field, e.g. ``documents[3].spans[7].end: must be <= length (3000)``, or
with ``line N`` for JSON Lines.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .coding import (
    LEVELS,
    Level,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)
from .statistics import combine_statistics, documents_statistics, metrics_from_statistics
from .types import MOST_LABELS, NO_ATTRIBUTES, DocumentInput, RelationUnit, SpanUnit


class AgreementInputError(ValueError):
    """The input file is not what the command accepts: ``path: problem``.

    The path (a field, or a line of JSON Lines input) and the problem are kept apart, so an
    error in a JSON Lines document can name the line instead of the document's index.
    """

    def __init__(self, path: str, problem: str) -> None:
        # Both are the exception's args, so it pickles back whole from a worker process.
        super().__init__(path, problem)
        self.path = path
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass(frozen=True, slots=True)
class UncheckedSpans:
    """Spans input read as JSON whose documents are not checked yet.

    Checking is a third of the work of reading a large input, so the command leaves it
    to the processes that compute the documents (see :func:`agreement_output`).
    ``lines`` holds each document's line number for JSON Lines input, so errors name
    the line.
    """

    items: list[Any]
    lines: list[int] | None = None


@dataclass(frozen=True, slots=True)
class CodingInput:
    level: Level
    data: list[list[Any]]


def _integer(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AgreementInputError(path, f"must be an integer, not {json.dumps(value)}")
    return value


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise AgreementInputError(path, f"must be a non-empty string, not {json.dumps(value)}")
    return value


def _identifier(value: Any, path: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise AgreementInputError(path, f"must be a string or an integer, not {json.dumps(value)}")
    return str(value)


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise AgreementInputError(path, "must be an object")
    return value


def _array(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise AgreementInputError(path, "must be an array")
    return value


def _span(
    raw: Any, spans_path: str, length: int, annotators: set[str] | None, index: int
) -> SpanUnit:
    # Fast path for well-formed spans (tens of thousands in a large file): no field path
    # is formatted unless a check fails. Anything unusual goes through the checks of
    # _checked_span, which name the offending field.
    if type(raw) is dict:
        annotator = raw.get("annotator")
        start = raw.get("start")
        end = raw.get("end")
        label = raw.get("label")
        attributes = raw.get("attributes", NO_ATTRIBUTES)
        span_id = raw.get("id", index)
        if (
            type(annotator) is str
            and annotator
            and (annotators is None or annotator in annotators)
            and type(start) is int
            and type(end) is int
            and 0 <= start < end <= length
            and type(label) is str
            and label
            and (attributes is NO_ATTRIBUTES or type(attributes) is dict)
            and type(span_id) in (str, int)
        ):
            return SpanUnit(annotator, start, end, label, attributes or NO_ATTRIBUTES, str(span_id))
    return _checked_span(raw, f"{spans_path}[{index}]", length, annotators, index)


def _checked_span(
    raw: Any, path: str, length: int, annotators: set[str] | None, index: int
) -> SpanUnit:
    item = _object(raw, path)
    for key in ("annotator", "start", "end", "label"):
        if key not in item:
            raise AgreementInputError(f"{path}.{key}", "is required")
    annotator = _text(item["annotator"], f"{path}.annotator")
    if annotators is not None and annotator not in annotators:
        raise AgreementInputError(
            f"{path}.annotator", f"{annotator!r} is not in the document's annotators"
        )
    start = _integer(item["start"], f"{path}.start")
    end = _integer(item["end"], f"{path}.end")
    if start < 0:
        raise AgreementInputError(f"{path}.start", f"must be >= 0 ({start})")
    if end <= start:
        raise AgreementInputError(f"{path}.end", f"must be > start ({start})")
    if end > length:
        raise AgreementInputError(f"{path}.end", f"must be <= length ({length})")
    attributes = _object(item.get("attributes") or {}, f"{path}.attributes")
    span_id = _identifier(item["id"], f"{path}.id") if "id" in item else str(index)
    return SpanUnit(
        annotator, start, end, _text(item["label"], f"{path}.label"), attributes, span_id
    )


def _relation(raw: Any, relations_path: str, index: int, owners: Mapping[str, str]) -> RelationUnit:
    # Fast path for well-formed relations, as for spans.
    if type(raw) is dict:
        annotator, kind, source, target = (
            raw.get("annotator"),
            raw.get("type"),
            raw.get("from"),
            raw.get("to"),
        )
        if (
            type(annotator) is str
            and annotator
            and type(kind) is str
            and kind
            and type(source) is str
            and type(target) is str
            and owners.get(source) == annotator
            and owners.get(target) == annotator
        ):
            return RelationUnit(annotator, kind, source, target)
    return _checked_relation(raw, f"{relations_path}[{index}]", owners)


def _checked_relation(raw: Any, path: str, owners: Mapping[str, str]) -> RelationUnit:
    item = _object(raw, path)
    for key in ("annotator", "type", "from", "to"):
        if key not in item:
            raise AgreementInputError(f"{path}.{key}", "is required")
    annotator = _text(item["annotator"], f"{path}.annotator")
    ends = []
    for key in ("from", "to"):
        span_id = _identifier(item[key], f"{path}.{key}")
        if owners.get(span_id) != annotator:
            raise AgreementInputError(
                f"{path}.{key}", f"no span {span_id!r} by {annotator!r} in this document"
            )
        ends.append(span_id)
    return RelationUnit(annotator, _text(item["type"], f"{path}.type"), ends[0], ends[1])


def _document(raw: Any, path: str) -> DocumentInput:
    item = _object(raw, path)
    if "id" not in item:
        raise AgreementInputError(f"{path}.id", "is required")
    if "length" in item:
        length = _integer(item["length"], f"{path}.length")
        if length < 0:
            raise AgreementInputError(f"{path}.length", f"must be >= 0 ({length})")
    elif isinstance(item.get("text"), str):
        length = len(item["text"])
    else:
        raise AgreementInputError(f"{path}.length", "is required (or give the document's text)")
    declared: set[str] | None = None
    annotators: list[str] = []
    if "annotators" in item:
        for position, name in enumerate(_array(item["annotators"], f"{path}.annotators")):
            annotators.append(_text(name, f"{path}.annotators[{position}]"))
        if len(set(annotators)) != len(annotators):
            raise AgreementInputError(f"{path}.annotators", "lists an annotator twice")
        declared = set(annotators)
    spans = [
        _span(raw_span, f"{path}.spans", length, declared, index)
        for index, raw_span in enumerate(_array(item.get("spans", []), f"{path}.spans"))
    ]
    labels = {span.label for span in spans}
    if len(labels) > MOST_LABELS:
        raise AgreementInputError(
            f"{path}.spans",
            f"use {len(labels)} different labels; agreement handles at most {MOST_LABELS} "
            "per document",
        )
    owners: dict[str, str] = {}
    for index, span in enumerate(spans):
        if span.id in owners:
            raise AgreementInputError(f"{path}.spans[{index}].id", f"{span.id!r} is used twice")
        owners[span.id] = span.annotator
    relations = [
        _relation(raw_relation, f"{path}.relations", index, owners)
        for index, raw_relation in enumerate(_array(item.get("relations", []), f"{path}.relations"))
    ]
    if declared is None:
        annotators = sorted({span.annotator for span in spans})
    return DocumentInput(
        _identifier(item["id"], f"{path}.id"), length, annotators, spans, relations
    )


def checked_documents(unchecked: UncheckedSpans, start: int, stop: int) -> list[DocumentInput]:
    """The documents ``start:stop`` of ``unchecked``, checked (document ids are checked for
    repeats across the whole input by :func:`unique_ids`)."""
    documents = []
    for index in range(start, stop):
        try:
            documents.append(_document(unchecked.items[index], f"documents[{index}]"))
        except AgreementInputError as error:
            raise _on_its_line(error, unchecked, index) from None
    return documents


def unique_ids(ids: Sequence[str], unchecked: UncheckedSpans) -> None:
    """Refuse a document id used twice, naming the second use."""
    seen: set[str] = set()
    for index, doc_id in enumerate(ids):
        if doc_id in seen:
            error = AgreementInputError(f"documents[{index}].id", f"{doc_id!r} is used twice")
            raise _on_its_line(error, unchecked, index)
        seen.add(doc_id)


def _on_its_line(
    error: AgreementInputError, unchecked: UncheckedSpans, index: int
) -> AgreementInputError:
    """For JSON Lines input, ``documents[i].field: …`` becomes ``line N: field: …``."""
    if unchecked.lines is None:
        return error
    field = error.path.removeprefix(f"documents[{index}]").lstrip(".")
    line = f"line {unchecked.lines[index]}"
    return AgreementInputError(f"{line}: {field}" if field else line, error.problem)


def _coding(item: Mapping[str, Any]) -> CodingInput:
    level = item.get("level", "nominal")
    if level not in LEVELS:
        raise AgreementInputError(
            "level", f"must be one of {', '.join(LEVELS)}, not {json.dumps(level)}"
        )
    if "data" not in item:
        raise AgreementInputError("data", "is required")
    rows = _array(item["data"], "data")
    if len(rows) < 2:
        raise AgreementInputError("data", "needs one row per coder and at least two coders")
    width = None
    data: list[list[Any]] = []
    for r, raw_row in enumerate(rows):
        row = _array(raw_row, f"data[{r}]")
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise AgreementInputError(
                f"data[{r}]", f"has {len(row)} values, the first row has {width}"
            )
        for u, value in enumerate(row):
            if value is None:
                continue
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if level != "nominal" and not numeric:
                raise AgreementInputError(
                    f"data[{r}][{u}]", f"must be a number for {level} data, not {json.dumps(value)}"
                )
            if not numeric and not isinstance(value, str):
                raise AgreementInputError(
                    f"data[{r}][{u}]",
                    f"must be a number, a string or null, not {json.dumps(value)}",
                )
        data.append(row)
    return CodingInput(level, data)


def read_input(text: str) -> UncheckedSpans | CodingInput:
    """Read the command's input (see the module docstring) as far as its JSON goes; coded
    data is checked whole, span documents are left to :func:`checked_documents`."""
    try:
        top = json.loads(text)
    except json.JSONDecodeError as whole_error:
        numbered = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
        if len(numbered) < 2:
            raise AgreementInputError(
                f"line {whole_error.lineno}", f"not valid JSON ({whole_error.msg})"
            ) from None
        items = []
        for number, line in numbered:
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise AgreementInputError(
                    f"line {number}", f"not valid JSON ({error.msg})"
                ) from None
        return UncheckedSpans(items, [number for number, _ in numbered])
    if isinstance(top, dict) and "kind" not in top and "spans" in top:
        return UncheckedSpans([top])
    item = _object(top, "input")
    kind = item.get("kind")
    if kind == "spans":
        if "documents" not in item:
            raise AgreementInputError("documents", "is required")
        return UncheckedSpans(_array(item["documents"], "documents"))
    if kind == "coding":
        return _coding(item)
    raise AgreementInputError("kind", f'must be "spans" or "coding", not {json.dumps(kind)}')


def _without_count(metrics: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in metrics.items() if key != "documents"}


def agreement_output(parsed: UncheckedSpans | CodingInput, processes: int = 1) -> dict[str, Any]:
    """The command's output: metrics for the whole input and, for spans, per document.

    ``processes`` > 1 checks and computes the documents of a large input on that many
    processes. A bad document raises AgreementInputError naming its field (the first bad
    one in the input, whatever the number of processes).

    For spans the top level holds every metric over all documents (combined from the
    per-document statistics, as the project figures are), ``document_count`` (how many
    documents had two or more annotators) and ``documents``: the same metrics per
    document id. For coding: ``alpha``, ``percent_agreement``, and ``cohen_kappa`` and
    ``scott_pi`` with two coders or ``fleiss_kappa`` when no value is missing.
    """
    if isinstance(parsed, CodingInput):
        result: dict[str, Any] = {
            "kind": "coding",
            "level": parsed.level,
            "coders": len(parsed.data),
            "units": len(parsed.data[0]),
            "alpha": krippendorff_alpha(parsed.data, parsed.level),
            "percent_agreement": percent_agreement(parsed.data),
        }
        if len(parsed.data) == 2:
            result["cohen_kappa"] = cohen_kappa(parsed.data[0], parsed.data[1])
            result["scott_pi"] = scott_pi(parsed.data[0], parsed.data[1])
        if all(value is not None for row in parsed.data for value in row):
            result["fleiss_kappa"] = fleiss_kappa(parsed.data)
        return result
    ids, metrics, total = _per_document(parsed, processes)
    unique_ids(ids, parsed)
    overall = metrics_from_statistics(total)
    return (
        {"kind": "spans"}
        | _without_count(overall)
        | {
            "document_count": overall["documents"],
            "documents": dict(zip(ids, metrics, strict=True)),
        }
    )


#: Below this many documents per process, starting processes costs more than it saves.
DOCUMENTS_PER_PROCESS = 200
#: The input forked processes work on: set just before forking, so each process
#: inherits it instead of receiving its part pickled (which cost more than computing it).
_FORKED = UncheckedSpans([])

_Part = tuple[list[str], list[dict[str, Any]], dict[str, Any]]


def _metrics_and_total(bounds: tuple[int, int]) -> _Part:
    """The ids and metrics of the documents ``start:stop`` of ``_FORKED``, checked, and
    their statistics combined."""
    documents = checked_documents(_FORKED, *bounds)
    statistics = documents_statistics(documents)
    metrics = [_without_count(metrics_from_statistics(item)) for item in statistics]
    return [doc.id for doc in documents], metrics, combine_statistics(statistics)


def _per_document(
    parsed: UncheckedSpans, processes: int
) -> tuple[list[str], list[dict[str, Any]], dict[str, Any]]:
    """Each document's id and metrics, and all documents' statistics combined, on up to
    ``processes`` forked processes.

    Documents are independent, so a large input is split into contiguous chunks, one per
    process; each process sends back its documents' ids and metrics (in input order) and
    one combined total, never every document's statistics. Chunks are taken in order, so
    of two bad documents the first in the input is the one reported.
    """
    global _FORKED
    count = len(parsed.items)
    processes = max(1, min(processes, count // DOCUMENTS_PER_PROCESS))
    step = -(-count // processes) if count else 1
    chunks = [(i, min(i + step, count)) for i in range(0, count, step)]
    _FORKED = parsed
    try:
        if processes == 1:
            parts = [_metrics_and_total(chunk) for chunk in chunks]
        else:
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                parts = list(pool.imap(_metrics_and_total, chunks))
    finally:
        _FORKED = UncheckedSpans([])
    return (
        [doc_id for ids, _, _ in parts for doc_id in ids],
        [item for _, metrics, _ in parts for item in metrics],
        combine_statistics(total for _, _, total in parts),
    )


def spans_input_json(documents: Sequence[DocumentInput]) -> dict[str, Any]:
    """The spans input format for ``documents`` (used to feed the command in the benchmark)."""
    return {
        "kind": "spans",
        "documents": [
            {
                "id": doc.id,
                "length": doc.length,
                "annotators": list(doc.annotators),
                "spans": [
                    {
                        "annotator": s.annotator,
                        "start": s.start,
                        "end": s.end,
                        "label": s.label,
                        "attributes": dict(s.attributes),
                        "id": s.id,
                    }
                    for s in doc.spans
                ],
                "relations": [
                    {"annotator": r.annotator, "type": r.type, "from": r.source, "to": r.target}
                    for r in doc.relations
                ],
            }
            for doc in documents
        ],
    }
